// SPDX-License-Identifier: MIT
// HttpServer connections: WebSocket upgrades, the guard on every route kind, header and idle
// timeouts, random garbage, clients vanishing mid-request, and the connection limit.
#include "support/httptest.h"
#include "support/testdata.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <memory>
#include <vector>

using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestHttpConnections : public HttpServerTest
{
    Q_OBJECT

private slots:
    void webSocketAccepted()
    {
        QWebSocket client;
        client.setProxy(QNetworkProxy::NoProxy);
        QSignalSpy connected(&client, &QWebSocket::connected);
        QSignalSpy messages(&client, &QWebSocket::textMessageReceived);
        client.open(QUrl(u"ws://127.0.0.1:%1/ws?id=42"_s.arg(m_server->port())));
        QVERIFY(connected.wait(WaitMs));
        client.sendTextMessage(u"hi"_s);
        QVERIFY(messages.wait(WaitMs));
        QCOMPARE(messages.first().first().toString(), u"echo: hi"_s);
        QCOMPARE(m_lastWebSocketRequest.path, u"/ws"_s);
        QCOMPARE(m_lastWebSocketRequest.queryValue(u"id"_s), u"42"_s);
        QCOMPARE(m_lastWebSocketRequest.header("upgrade").toLower(), "websocket"_ba);
        QCOMPARE(m_server->connectionCount(), 0); // handed over, no longer an HTTP connection
        client.close();
    }

    void webSocketRefusedByCheck()
    {
        QWebSocket client;
        client.setProxy(QNetworkProxy::NoProxy);
        QSignalSpy connected(&client, &QWebSocket::connected);
        QSignalSpy errors(&client, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
        client.open(QUrl(u"ws://127.0.0.1:%1/ws-refused"_s.arg(m_server->port())));
        QVERIFY(errors.wait(WaitMs));
        QCOMPARE(connected.size(), 0);
        QVERIFY(m_serverSockets.isEmpty());

        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("GET /ws-refused HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, 403);
        QCOMPARE(response->json().value(u"code"_s).toString(), u"FORBIDDEN"_s);

        // Plain GET on a WebSocket-only path.
        socket->write("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto plain = readResponse(*socket, buffer);
        QVERIFY(plain);
        QCOMPARE(plain->status, 426);
    }

    void guardAppliesToEveryRouteKind()
    {
        m_server->setGuard([](const HttpRequest &request) -> std::optional<HttpResponse> {
            if (request.header("authorization") == "Bearer good")
                return std::nullopt;
            return HttpResponse::error(401, u"Missing or invalid API key"_s, u"UNAUTHORIZED"_s);
        });
        const auto status = [](QNetworkReply *reply) {
            return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        };
        std::unique_ptr<QNetworkReply> buffered(waitReply(m_network->get(QNetworkRequest(url(u"/json"_s)))));
        QCOMPARE(status(buffered.get()), 401);
        QCOMPARE(QJsonDocument::fromJson(buffered->readAll()).object().value(u"code"_s).toString(), u"UNAUTHORIZED"_s);
        std::unique_ptr<QNetworkReply> unknown(waitReply(m_network->get(QNetworkRequest(url(u"/nope"_s)))));
        QCOMPARE(status(unknown.get()), 401);
        std::unique_ptr<QNetworkReply> streamed(waitReply(m_network->post(binaryRequest(u"/upload"_s), randomBytes(1 << 20))));
        QCOMPARE(status(streamed.get()), 401);
        QCOMPARE(m_upload->created, 0);

        QWebSocket client;
        client.setProxy(QNetworkProxy::NoProxy);
        QSignalSpy errors(&client, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
        QSignalSpy connected(&client, &QWebSocket::connected);
        client.open(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(m_server->port())));
        QVERIFY(errors.wait(WaitMs));
        QCOMPARE(connected.size(), 0);

        QNetworkRequest authorized(url(u"/json"_s));
        authorized.setRawHeader("Authorization", "Bearer good");
        std::unique_ptr<QNetworkReply> ok(waitReply(m_network->get(authorized)));
        QCOMPARE(status(ok.get()), 200);
    }

    void headerTimeoutClosesSlowClients()
    {
        m_server->setTimeouts(300ms, 300ms);
        auto silent = connectRaw();
        QVERIFY(silent);
        auto partial = connectRaw();
        QVERIFY(partial);
        partial->write("GET /json HTTP/1.1\r\nHost: x\r\n");
        QByteArray buffer;
        const auto timeout = readResponse(*partial, buffer);
        QVERIFY(timeout);
        QCOMPARE(timeout->status, 408);
        QVERIFY(waitForDisconnect(*partial));
        QVERIFY(waitForDisconnect(*silent));

        // Keep-alive connections are closed after the idle timeout.
        auto idle = connectRaw();
        QVERIFY(idle);
        idle->write("GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(readResponse(*idle, buffer));
        QVERIFY(waitForDisconnect(*idle));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void randomGarbageNeverHurts()
    {
        m_server->setTimeouts(500ms, 500ms);
        const QList<QByteArray> seeds{
            "GET /json HTTP/1.1\r\nHost: x\r\n\r\n"_ba,
            "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"_ba,
            "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"_ba,
            "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"_ba,
            "GET /file HTTP/1.0\r\nConnection: keep-alive\r\nRange: bytes=-5\r\n\r\n"_ba,
        };
        QRandomGenerator random(7);
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < 150; ++i) {
            QByteArray data = seeds[random.bounded(int(seeds.size()))];
            for (int edits = random.bounded(1, 5); edits > 0; --edits) {
                const qsizetype at = random.bounded(int(data.size()));
                switch (random.bounded(4)) {
                case 0: data[at] = char(random.bounded(256)); break;
                case 1: data.insert(at, char(random.bounded(256))); break;
                case 2: data.remove(at, 1); break;
                default: data.insert(at, "\r\n%\0:"_ba.mid(random.bounded(5), 2)); break;
                }
            }
            auto socket = connectRaw();
            QVERIFY(socket);
            socket->write(data);
            if (i % 3 == 0)
                socket->abort();
            else
                sockets.push_back(std::move(socket));
        }
        // Every connection ends: answered and closed, timed out, or kept alive until idle.
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
        std::unique_ptr<QNetworkReply> ok(waitReply(m_network->get(QNetworkRequest(url(u"/json"_s)))));
        QCOMPARE(ok->error(), QNetworkReply::NoError);
    }

    void abruptClientsLeaveNothingBehind()
    {
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < 20; ++i) {
            auto socket = connectRaw();
            QVERIFY(socket);
            if (i % 4 == 0)
                socket->write("GET /json HTTP/1.1\r\nHost: x\r\n");
            else if (i % 4 == 1)
                socket->write("GET /file HTTP/1.1\r\nHost: x\r\n\r\n");
            else if (i % 4 == 2)
                socket->write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc");
            else
                socket->write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            sockets.push_back(std::move(socket));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 20, WaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(m_upload->received > 0, WaitMs);
        for (auto &socket : sockets)
            socket->abort();
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void connectionLimit()
    {
        m_server->setMaxConnections(2);
        auto a = connectRaw();
        auto b = connectRaw();
        QVERIFY(a && b);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 2, WaitMs);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"connection limit 2 reached"_s));
        auto c = connectRaw();
        QVERIFY(c);
        QByteArray buffer;
        const auto refused = readResponse(*c, buffer);
        QVERIFY(refused);
        QCOMPARE(refused->status, 503);
    }
};

QTEST_GUILESS_MAIN(TestHttpConnections)
#include "test_httpserver_connections.moc"
