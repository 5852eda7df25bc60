// SPDX-License-Identifier: MIT
// HttpServer routing and request handling against real loopback clients: JSON round trips,
// keep-alive, 404/405, malformed input, pipelining, and responders answering later or never.
#include "support/httptest.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTest>

using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestHttpRouting : public HttpServerTest
{
    Q_OBJECT

private slots:
    void jsonRoundTrip()
    {
        std::unique_ptr<QNetworkReply> get(waitReply(m_network->get(QNetworkRequest(url(u"/json"_s)))));
        QCOMPARE(get->error(), QNetworkReply::NoError);
        QCOMPARE(get->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(get->rawHeader("Content-Type"), "application/json"_ba);
        QCOMPARE(get->readAll(), R"({"hello":"world"})"_ba);

        QNetworkRequest post(url(u"/echo"_s));
        post.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
        std::unique_ptr<QNetworkReply> echo(waitReply(m_network->post(post, R"({"a":[1,2,3]})"_ba)));
        QCOMPARE(echo->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(echo->readAll(), R"({"a":[1,2,3]})"_ba);

        std::unique_ptr<QNetworkReply> query(waitReply(m_network->get(QNetworkRequest(url(u"/query?name=a%20b%2Bc%26%C3%BC"_s)))));
        const QJsonObject object = QJsonDocument::fromJson(query->readAll()).object();
        QCOMPARE(object.value(u"name"_s).toString(), u"a b+c&ü"_s);
        QCOMPARE(object.value(u"path"_s).toString(), u"/query"_s);
    }

    void keepAliveServesSeveralRequests()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        QByteArray buffer;
        for (int i = 0; i < 3; ++i) {
            socket->write("GET /query?name=" + QByteArray::number(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            const auto response = readResponse(*socket, buffer);
            QVERIFY(response);
            QCOMPARE(response->status, 200);
            QCOMPARE(response->json().value(u"name"_s).toString(), QString::number(i));
            QVERIFY(response->header("connection").isEmpty());
        }
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
        QCOMPARE(m_server->connectionCount(), 1);
        socket->write("GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        const auto last = readResponse(*socket, buffer);
        QVERIFY(last);
        QCOMPARE(last->header("connection"), "close"_ba);
        QVERIFY(waitForDisconnect(*socket));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void notFoundAndMethodNotAllowed()
    {
        std::unique_ptr<QNetworkReply> missing(waitReply(m_network->get(QNetworkRequest(url(u"/nope"_s)))));
        QCOMPARE(missing->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
        const QJsonObject error = QJsonDocument::fromJson(missing->readAll()).object();
        QCOMPARE(error.value(u"error"_s).toString(), u"Not found"_s);
        QCOMPARE(error.value(u"code"_s).toString(), u"NOT_FOUND"_s);

        std::unique_ptr<QNetworkReply> wrong(waitReply(m_network->deleteResource(QNetworkRequest(url(u"/json"_s)))));
        QCOMPARE(wrong->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 405);
        QCOMPARE(wrong->rawHeader("Allow"), "GET, HEAD"_ba);
        QCOMPARE(QJsonDocument::fromJson(wrong->readAll()).object().value(u"code"_s).toString(), u"METHOD_NOT_ALLOWED"_s);
    }

    void malformedRequestsGet400AndClose_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::newRow("garbage") << "GARBAGE\r\n\r\n"_ba << 400;
        QTest::newRow("nul in header") << QByteArray("GET /json HTTP/1.1\r\nHost: a\0b\r\n\r\n", 33) << 400;
        QTest::newRow("nul in url") << QByteArray("GET /js\0on HTTP/1.1\r\n\r\n", 23) << 400;
        QTest::newRow("bad percent") << "GET /js%zzon HTTP/1.1\r\n\r\n"_ba << 400;
        QTest::newRow("encoded nul") << "GET /query?name=%00 HTTP/1.1\r\n\r\n"_ba << 400;
        QTest::newRow("bad utf8") << "GET /query?name=%C3%28 HTTP/1.1\r\n\r\n"_ba << 400;
        QTest::newRow("bad version") << "GET /json HTTP/9.9x\r\n\r\n"_ba << 400;
        QTest::newRow("length and chunked") << "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"_ba << 400;
        QTest::newRow("bad chunk size") << "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"_ba << 400;
        QTest::newRow("long url") << "GET /" + QByteArray(17 * 1024, 'a') + " HTTP/1.1\r\n\r\n" << 414;
        QTest::newRow("big headers") << "GET /json HTTP/1.1\r\nX-Big: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n" << 431;
        QByteArray many = "GET /json HTTP/1.1\r\n"_ba;
        for (int i = 0; i < 300; ++i)
            many += "X-H" + QByteArray::number(i) + ": 1\r\n";
        QTest::newRow("many headers") << many + "\r\n" << 431;
    }

    void malformedRequestsGet400AndClose()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write(request);
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, status);
        QCOMPARE(response->header("connection"), "close"_ba);
        QVERIFY(!response->json().value(u"code"_s).toString().isEmpty());
        QVERIFY(waitForDisconnect(*socket));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void pipelinedRequestsAnsweredInOrder()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        // The first one answers asynchronously, the second synchronously: order must still hold.
        socket->write("GET /async?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /query?name=2 HTTP/1.1\r\nHost: x\r\n\r\n"
                      "HEAD /json HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray buffer;
        const auto first = readResponse(*socket, buffer);
        QVERIFY(first);
        QCOMPARE(first->json().value(u"n"_s).toString(), u"1"_s);
        const auto second = readResponse(*socket, buffer);
        QVERIFY(second);
        QCOMPARE(second->json().value(u"name"_s).toString(), u"2"_s);
        const auto third = readResponse(*socket, buffer, true);
        QVERIFY(third);
        QCOMPARE(third->status, 200);
        QCOMPARE(third->header("content-length"), "17"_ba);
        QVERIFY(buffer.isEmpty());
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
    }

    void asyncResponder()
    {
        std::unique_ptr<QNetworkReply> reply(waitReply(m_network->get(QNetworkRequest(url(u"/async?n=7"_s)))));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->readAll(), R"({"n":"7"})"_ba);
    }

    void responderOutlivesClient()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(m_held.has_value(), WaitMs);
        QVERIFY(m_held->isConnected());
        socket->abort();
        QTRY_VERIFY_WITH_TIMEOUT(!m_held->isConnected(), WaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
        m_held->respond(HttpResponse::json(200, "{}"_ba)); // no-op, no crash
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"second response"_s));
        m_held->respond(HttpResponse::json(200, "{}"_ba));
        // Even with the whole server gone.
        m_server.reset();
        QVERIFY(!m_held->isConnected());
    }
};

QTEST_GUILESS_MAIN(TestHttpRouting)
#include "test_httpserver_routing.moc"
