// SPDX-License-Identifier: MIT
// HttpServer request and response bodies: size limits, chunked and Expect: 100-continue
// requests, streamed uploads, streamed file, chunked and live responses, and Range headers.
#include "support/httptest.h"
#include "support/testdata.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestHttpBodies : public HttpServerTest
{
    Q_OBJECT

private slots:
    void oversizedBufferedBodyGets413()
    {
        std::unique_ptr<QNetworkReply> reply(waitReply(m_network->post(binaryRequest(u"/small"_s), randomBytes(2 << 20))));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 413);
        const QJsonObject error = QJsonDocument::fromJson(reply->readAll()).object();
        QCOMPARE(error.value(u"error"_s).toString(), u"Request body too large (limit 16 bytes)"_s);
        QCOMPARE(error.value(u"code"_s).toString(), u"PAYLOAD_TOO_LARGE"_s);

        // Chunked bodies have no declared length: the limit applies as they arrive.
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n");
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, 413);
        QCOMPARE(response->header("connection"), "close"_ba);
        QVERIFY(waitForDisconnect(*socket));
    }

    void chunkedRequestBody()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n");
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, "hello world"_ba);
        QCOMPARE(response->header("content-type"), "text/plain"_ba);
    }

    void expectContinue()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        QByteArray buffer;
        const auto interim = readResponse(*socket, buffer);
        QVERIFY(interim);
        QCOMPARE(interim->status, 100);
        socket->write("hello");
        const auto final = readResponse(*socket, buffer);
        QVERIFY(final);
        QCOMPARE(final->status, 200);
        QCOMPARE(final->body, "hello"_ba);

        auto refused = connectRaw();
        QVERIFY(refused);
        refused->write("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
        QByteArray refusedBuffer;
        const auto answer = readResponse(*refused, refusedBuffer);
        QVERIFY(answer);
        QCOMPARE(answer->status, 413);
        QCOMPARE(answer->header("connection"), "close"_ba);
        QVERIFY(waitForDisconnect(*refused));
    }

    void streamedUploadIsByteExact()
    {
        const QByteArray data = randomBytes(64 * 1024 * 1024);
        const QByteArray expected = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
        std::unique_ptr<QNetworkReply> reply(waitReply(m_network->post(binaryRequest(u"/upload"_s), data)));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        const QJsonObject result = QJsonDocument::fromJson(reply->readAll()).object();
        QCOMPARE(result.value(u"bytes"_s).toInteger(), data.size());
        QCOMPARE(result.value(u"sha256"_s).toString().toLatin1(), expected);
        QCOMPARE(m_upload->created, 1);
        QVERIFY(m_upload->finished);
        QVERIFY(!m_upload->aborted);
    }

    void streamedUploadAbortedOnDisconnect()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n");
        socket->write(randomBytes(1 << 20));
        QTRY_VERIFY_WITH_TIMEOUT(m_upload->received > 0, WaitMs);
        socket->abort();
        QTRY_VERIFY_WITH_TIMEOUT(m_upload->aborted, WaitMs);
        QVERIFY(!m_upload->finished);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void streamHandlerRefusalClosesWithoutReadingBody()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("PUT /conflict HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + QByteArray(1000, 'x'));
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, 409);
        QCOMPARE(response->header("connection"), "close"_ba);
        QVERIFY(waitForDisconnect(*socket));
    }

    void streamedFileResponse()
    {
        std::unique_ptr<QNetworkReply> get(waitReply(m_network->get(QNetworkRequest(url(u"/file"_s)))));
        QCOMPARE(get->error(), QNetworkReply::NoError);
        QCOMPARE(get->rawHeader("Content-Length").toLongLong(), m_fileData.size());
        QVERIFY(get->readAll() == m_fileData);

        std::unique_ptr<QNetworkReply> head(waitReply(m_network->head(QNetworkRequest(url(u"/file"_s)))));
        QCOMPARE(head->error(), QNetworkReply::NoError);
        QCOMPARE(head->rawHeader("Content-Length").toLongLong(), m_fileData.size());
        QVERIFY(head->readAll().isEmpty());

        QNetworkRequest ranged(url(u"/file"_s));
        ranged.setRawHeader("Range", "bytes=1000-");
        std::unique_ptr<QNetworkReply> partial(waitReply(m_network->get(ranged)));
        QCOMPARE(partial->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 206);
        QVERIFY(partial->readAll() == m_fileData.mid(1000));

        ranged.setRawHeader("Range", "bytes=999999999-");
        std::unique_ptr<QNetworkReply> unsatisfiable(waitReply(m_network->get(ranged)));
        QCOMPARE(unsatisfiable->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 416);
        QCOMPARE(unsatisfiable->rawHeader("Content-Range"), "bytes */" + QByteArray::number(m_fileData.size()));

        std::unique_ptr<QNetworkReply> chunked(waitReply(m_network->get(QNetworkRequest(url(u"/chunked"_s)))));
        QCOMPARE(chunked->error(), QNetworkReply::NoError);
        QVERIFY(chunked->rawHeader("Content-Length").isEmpty());
        QVERIFY(chunked->readAll() == m_fileData);
    }

    void rawStreamedResponseKeepsConnection()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        QByteArray buffer;
        socket->write("GET /chunked HTTP/1.1\r\nHost: x\r\n\r\nGET /file HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto chunked = readResponse(*socket, buffer);
        QVERIFY(chunked);
        QCOMPARE(chunked->header("transfer-encoding"), "chunked"_ba);
        QVERIFY(chunked->body == m_fileData);
        const auto file = readResponse(*socket, buffer);
        QVERIFY(file);
        QVERIFY(file->body == m_fileData);

        // HTTP/1.0 cannot take chunked: the body runs until the connection closes.
        auto old = connectRaw();
        QVERIFY(old);
        old->write("GET /chunked HTTP/1.0\r\n\r\n");
        QByteArray oldBuffer;
        const auto untilClose = readResponse(*old, oldBuffer);
        QVERIFY(untilClose);
        QVERIFY(untilClose->header("transfer-encoding").isEmpty());
        QVERIFY(untilClose->body == m_fileData);
    }

    void liveSequentialStream()
    {
        m_server->setTimeouts(300ms, 300ms);
        std::unique_ptr<QNetworkReply> reply(m_network->get(QNetworkRequest(url(u"/live"_s))));
        QSignalSpy progress(reply.get(), &QNetworkReply::readyRead);
        QVERIFY(progress.wait(WaitMs));
        QCOMPARE(reply->readAll(), "first "_ba); // delivered before the source finished
        waitReply(reply.get());
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->readAll(), "second"_ba);
    }

    void rangeHeader_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<int>("kind"); // 0 ignore, 1 range, 2 unsatisfiable
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("last");
        QTest::newRow("open end") << "bytes=10-"_ba << qint64(100) << 1 << qint64(10) << qint64(99);
        QTest::newRow("closed") << "bytes=0-0"_ba << qint64(100) << 1 << qint64(0) << qint64(0);
        QTest::newRow("clamped") << "bytes=90-1000"_ba << qint64(100) << 1 << qint64(90) << qint64(99);
        QTest::newRow("suffix") << "bytes=-10"_ba << qint64(100) << 1 << qint64(90) << qint64(99);
        QTest::newRow("suffix larger") << "bytes=-1000"_ba << qint64(100) << 1 << qint64(0) << qint64(99);
        QTest::newRow("spaces") << " bytes= 5 - 6 "_ba << qint64(100) << 1 << qint64(5) << qint64(6);
        QTest::newRow("start past end") << "bytes=100-"_ba << qint64(100) << 2 << qint64(0) << qint64(-1);
        QTest::newRow("empty file") << "bytes=0-"_ba << qint64(0) << 2 << qint64(0) << qint64(-1);
        QTest::newRow("zero suffix") << "bytes=-0"_ba << qint64(100) << 2 << qint64(0) << qint64(-1);
        QTest::newRow("absent") << ""_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("several") << "bytes=0-1,5-6"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("reversed") << "bytes=6-5"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("other unit") << "items=0-5"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("garbage") << "bytes=a-b"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("negative") << "bytes=--5"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("overflow") << "bytes=99999999999999999999-"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
    }

    void rangeHeader()
    {
        QFETCH(QByteArray, header);
        QFETCH(qint64, size);
        QFETCH(int, kind);
        QFETCH(qint64, first);
        QFETCH(qint64, last);
        const auto range = parseRangeHeader(header, size);
        QCOMPARE(range.has_value(), kind != 0);
        if (!range)
            return;
        QCOMPARE(range->satisfiable, kind == 1);
        if (kind == 1) {
            QCOMPARE(range->first, first);
            QCOMPARE(range->last, last);
            QCOMPARE(range->length(), last - first + 1);
        } else {
            QCOMPARE(range->contentRange(size), "bytes */" + QByteArray::number(size));
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpBodies)
#include "test_httpserver_bodies.moc"
