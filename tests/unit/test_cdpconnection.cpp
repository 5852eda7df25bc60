// SPDX-License-Identifier: MIT
// The server's CDP client reads Chromium as untrusted input: an agent inside the sandbox can put
// anything on the DevTools port. Wrongly typed members must arrive as empty objects, never as
// exceptions thrown into the server's slots.
#include <memory>

#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include "server/browser/cdpconnection.h"
#include "server/browser/cdpjson.h"

using namespace banata;
using namespace banata::server;
using namespace Qt::StringLiterals;

class TestCdpConnection : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void accessorsNeverThrow();
    void wronglyTypedRepliesArriveAsObjects();
    void wronglyTypedEventsArriveAsObjectsOrNotAtAll();

private:
    /// The next text message the "browser" received from the connection.
    QString nextCommand();

    std::unique_ptr<QWebSocketServer> m_browser;
    QWebSocket *m_peer = nullptr;
    std::unique_ptr<CdpConnection> m_cdp;
    QStringList m_received;
};

void TestCdpConnection::init()
{
    m_received.clear();
    m_browser = std::make_unique<QWebSocketServer>(u"fake chromium"_s, QWebSocketServer::NonSecureMode);
    QVERIFY(m_browser->listen(QHostAddress::LocalHost));
    m_cdp = std::make_unique<CdpConnection>();
    QSignalSpy opened(m_cdp.get(), &CdpConnection::opened);
    QSignalSpy connected(m_browser.get(), &QWebSocketServer::newConnection);
    m_cdp->open(QUrl(u"ws://127.0.0.1:%1/devtools/browser/x"_s.arg(m_browser->serverPort())));
    QVERIFY(connected.wait(5000));
    m_peer = m_browser->nextPendingConnection();
    connect(m_peer, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { m_received.append(text); });
    QTRY_COMPARE(opened.size(), 1);
}

void TestCdpConnection::cleanup()
{
    m_cdp.reset();
    m_browser.reset();
}

QString TestCdpConnection::nextCommand()
{
    if (!QTest::qWaitFor([this] { return !m_received.isEmpty(); }, 5000))
        return {};
    return m_received.takeFirst();
}

void TestCdpConnection::accessorsNeverThrow()
{
    const Json weird = Json::parse(R"({"s": 5, "o": "text", "i": "12", "big": 9223372036854775807,
                                       "neg": -9223372036854775807, "huge": 18446744073709551615, "ok": 7})");
    QCOMPARE(cdpString(weird, "s"), std::string());
    QVERIFY(cdpObject(weird, "o").is_object() && cdpObject(weird, "o").empty());
    QCOMPARE(cdpInt(weird, "i", -1), -1);
    QCOMPARE(cdpInt(weird, "big", -1), -1);
    QCOMPARE(cdpInt(weird, "neg", -1), -1);
    QCOMPARE(cdpInt(weird, "huge", -1), -1);
    QCOMPARE(cdpInt(weird, "ok", -1), 7);
    QCOMPARE(cdpInt(weird, "missing", -1), -1);
    for (const Json &notAnObject : {Json(5), Json("x"), Json::array({1, 2}), Json()}) {
        QCOMPARE(cdpString(notAnObject, "s"), std::string());
        QVERIFY(cdpObject(notAnObject, "o").empty());
        QCOMPARE(cdpInt(notAnObject, "ok"), 0);
    }
}

void TestCdpConnection::wronglyTypedRepliesArriveAsObjects()
{
    QList<std::pair<bool, Json>> replies;
    const auto record = [&replies](bool ok, const Json &body) {
        replies.append(std::make_pair(ok, body));
    };
    m_cdp->send(u"Target.getTargets"_s, Json::object(), record);
    m_cdp->send(u"Target.attachToTarget"_s, Json::object(), record);
    m_cdp->send(u"Browser.getWindowForTarget"_s, Json::object(), record);
    for (int i = 0; i < 3; ++i)
        QVERIFY(!nextCommand().isEmpty());
    m_peer->sendTextMessage(uR"({"id":1,"result":"not an object"})"_s);
    m_peer->sendTextMessage(uR"({"id":2,"error":7})"_s);
    m_peer->sendTextMessage(uR"({"id":3,"result":{"windowId":"one","bounds":[1,2]}})"_s);
    QTRY_COMPARE(replies.size(), 3);
    QVERIFY(replies.at(0).first && replies.at(0).second.is_object() && replies.at(0).second.empty());
    QVERIFY(!replies.at(1).first && replies.at(1).second.is_object());
    QVERIFY(replies.at(2).first);
    QCOMPARE(cdpInt(replies.at(2).second, "windowId"), 0);
    QVERIFY(cdpObject(replies.at(2).second, "bounds").empty());
}

void TestCdpConnection::wronglyTypedEventsArriveAsObjectsOrNotAtAll()
{
    QSignalSpy events(m_cdp.get(), &CdpConnection::event);
    m_peer->sendTextMessage(uR"({"method":5,"params":{}})"_s); // no method: dropped
    m_peer->sendTextMessage(uR"([1,2,3])"_s);                  // not an object: dropped
    m_peer->sendTextMessage(uR"({"method":"Target.targetCreated","params":5,"sessionId":9})"_s);
    m_peer->sendTextMessage(uR"({"method":"Page.loadEventFired","params":{"timestamp":1}})"_s);
    QTRY_COMPARE(events.size(), 2);
    QCOMPARE(events.at(0).at(0).toString(), u"Target.targetCreated"_s);
    QVERIFY(events.at(0).at(1).value<Json>().is_object());
    QCOMPARE(events.at(0).at(2).toString(), QString());
    QCOMPARE(events.at(1).at(0).toString(), u"Page.loadEventFired"_s);
}

QTEST_GUILESS_MAIN(TestCdpConnection)
#include "test_cdpconnection.moc"
