// SPDX-License-Identifier: MIT
// The event stream against a local WebSocket server: ordered delivery without duplicates,
// reconnection that resumes after the last event, reset, and retrying while nobody listens.
#include "core/client/eventstream.h"
#include "support/apiclienttest.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QByteArray eventJson(qint64 seq, const QString &type = u"sandbox.ready"_s)
{
    Event event;
    event.seq = seq;
    event.type = type;
    event.sandboxId = u"sb_1"_s;
    event.timestamp = 1772078706000 + seq;
    return dumpJson(event.toJson());
}

/// A WebSocket server on a free local port that records who connected and how.
struct EventServer
{
    QWebSocketServer server{u"banata-test"_s, QWebSocketServer::NonSecureMode};
    QObject context;
    QList<QPointer<QWebSocket>> sockets;
    QList<QUrl> urls;
    QList<QByteArray> auth;

    EventServer()
    {
        QObject::connect(&server, &QWebSocketServer::newConnection, &context, [this] {
            while (QWebSocket *socket = server.nextPendingConnection()) {
                sockets.append(socket);
                urls.append(socket->requestUrl());
                auth.append(socket->request().rawHeader("Authorization"_ba));
            }
        });
        server.listen(QHostAddress::LocalHost, 0);
    }
    ~EventServer()
    {
        for (const QPointer<QWebSocket> &socket : std::as_const(sockets))
            delete socket.data();
    }
    QUrl baseUrl() const { return QUrl(u"http://127.0.0.1:%1"_s.arg(server.serverPort())); }
    void send(const QByteArray &text) { sockets.last()->sendTextMessage(QString::fromUtf8(text)); }
};

} // namespace

class TestEventStream : public QObject
{
    Q_OBJECT

private slots:
    void eventStreamDeliversInOrderAndResumes()
    {
        EventServer server;
        QVERIFY(server.server.isListening());
        EventStream stream(server.baseUrl(), kApiKey);
        stream.setReconnectDelays(10ms, 40ms);
        stream.setKeepAliveInterval(0ms);
        QList<qint64> seqs;
        QList<EventStream::State> states;
        connect(&stream, &EventStream::eventReceived, this, [&seqs](const Event &event) { seqs.append(event.seq); });
        connect(&stream, &EventStream::connectionStateChanged, this,
                [&states](EventStream::State state, const QString &) { states.append(state); });
        QSignalSpy errors(&stream, &EventStream::protocolError);
        QSignalSpy resets(&stream, &EventStream::resetRequired);

        stream.start(5);
        QTRY_COMPARE(server.sockets.size(), 1);
        QCOMPARE(server.urls.at(0).path(), u"/v1/events"_s);
        QCOMPARE(server.urls.at(0).query(), u"since=5"_s);
        QCOMPARE(server.auth.at(0), "Bearer "_ba + kApiKey.toUtf8());
        QTRY_COMPARE(stream.state(), EventStream::State::Connected);

        for (qint64 seq : {6, 7, 7, 5})
            server.send(eventJson(seq));
        server.send("not json at all"_ba);
        server.send(R"({"seq":"eight","type":"sandbox.ready","timestamp":1})"_ba);
        server.send(eventJson(8));
        QTRY_COMPARE(seqs, (QList<qint64>{6, 7, 8}));
        QCOMPARE(errors.size(), 2);
        QCOMPARE(stream.lastSeq(), 8);

        // The server drops the connection: the stream comes back on its own, after seq 8.
        server.sockets.last()->close();
        QTRY_COMPARE(server.sockets.size(), 2);
        QCOMPARE(server.urls.at(1).query(), u"since=8"_s);
        QTRY_COMPARE(stream.state(), EventStream::State::Connected);
        server.send(eventJson(8));
        server.send(eventJson(9));
        QTRY_COMPARE(seqs, (QList<qint64>{6, 7, 8, 9}));
        QCOMPARE(states, (QList<EventStream::State>{EventStream::State::Connecting, EventStream::State::Connected,
                                                    EventStream::State::Disconnected, EventStream::State::Connecting,
                                                    EventStream::State::Connected}));

        // The server no longer has what we missed: refetch, then carry on from its numbering.
        server.send(eventJson(3, u"stream.reset"_s));
        QTRY_COMPARE(resets.size(), 1);
        QCOMPARE(stream.lastSeq(), 3);
        server.send(eventJson(4));
        QTRY_COMPARE(seqs, (QList<qint64>{6, 7, 8, 9, 4}));

        QSignalSpy connections(&server.server, &QWebSocketServer::newConnection);
        stream.stop();
        QCOMPARE(stream.state(), EventStream::State::Disconnected);
        QVERIFY(!connections.wait(200)); // no reconnection after stop()
    }

    void eventStreamRetriesWhenNobodyListens()
    {
        quint16 port = 0;
        {
            EventServer probe; // find a free port, then free it again
            port = probe.server.serverPort();
        }
        EventStream stream(QUrl(u"http://127.0.0.1:%1"_s.arg(port)), kApiKey);
        stream.setReconnectDelays(5ms, 20ms);
        int connecting = 0;
        QString reason;
        connect(&stream, &EventStream::connectionStateChanged, this, [&](EventStream::State state, const QString &why) {
            if (state == EventStream::State::Connecting)
                ++connecting;
            else if (state == EventStream::State::Disconnected)
                reason = why;
        });
        stream.start();
        QCOMPARE(stream.streamUrl().toString(), u"ws://127.0.0.1:%1/v1/events"_s.arg(port));
        QTRY_VERIFY(connecting >= 3);
        QVERIFY(!reason.isEmpty());
        stream.stop();
    }
};

QTEST_GUILESS_MAIN(TestEventStream)
#include "test_eventstream.moc"
