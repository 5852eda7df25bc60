// SPDX-License-Identifier: MIT
// The API client's raw transfers against a fake network: downloads that resume with Range and
// If-Range, restart when the file changed or retry mid-body, and streamed uploads.
#include "core/client/apiclient.h"
#include "support/apiclienttest.h"
#include "support/fakenetwork.h"

#include <QBuffer>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

template <typename T>
QString errorText(const ApiResult<T> &result)
{
    return result.ok() ? QString() : result.error().displayText();
}

} // namespace

class TestApiClientTransfers : public QObject
{
    Q_OBJECT

private slots:
    void downloadResumesWithRange()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::raw(206, "56789"_ba)
                            .header("ETag"_ba, "\"v1\""_ba)
                            .header("Accept-Ranges"_ba, "bytes"_ba)
                            .header("Content-Range"_ba, "bytes 5-9/10"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey);
        QBuffer file;
        file.setData("01234"_ba);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(5));
        DownloadJob *job = client.download(u"sb_1"_s, u"/workspace/out.bin"_s, &file, {5, "\"v1\""_ba});
        QSignalSpy progress(job, &DownloadJob::progress);
        QSignalSpy restarted(job, &DownloadJob::restarted);
        auto outcome = watch<DownloadInfo>(job);
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"v1\""_ba, 10, 5, 5}));
        QCOMPARE(file.data(), "0123456789"_ba);
        QCOMPARE(restarted.size(), 0);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), 10);
        QCOMPARE(progress.last().at(1).toLongLong(), 10);
        const RecordedRequest sent = network.lastRequest();
        QCOMPARE(sent.verb, "GET"_ba);
        QCOMPARE(sent.url().path(), u"/v1/sandboxes/fs/download"_s);
        QCOMPARE(sent.queryValue(u"path"_s), u"/workspace/out.bin"_s);
        QCOMPARE(sent.header("Range"_ba), "bytes=5-"_ba);
        QCOMPARE(sent.header("If-Range"_ba), "\"v1\""_ba);
        QCOMPARE(sent.header("Authorization"_ba), "Bearer "_ba + kApiKey.toUtf8());
    }

    void downloadRestartsWhenFileChanged()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::raw(200, "ABCDEFGHIJKL"_ba).header("ETag"_ba, "\"v2\""_ba));
        ApiClient client(&network, kBaseUrl, kApiKey);
        QBuffer file;
        file.setData("01234"_ba);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(5));
        QPointer<DownloadJob> job = client.download(u"sb_1"_s, u"/workspace/out.bin"_s, &file, {5, "\"v1\""_ba});
        QObject receiver;
        connect(job.data(), &DownloadJob::restarted, &receiver, [&file] { file.buffer().clear(); });
        auto outcome = watch<DownloadInfo>(job.data());
        QTRY_VERIFY(outcome->result);
        QVERIFY(outcome->result->ok());
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"v2\""_ba, 12, 12, 0}));
        QCOMPARE(file.data(), "ABCDEFGHIJKL"_ba);
        QCOMPARE(network.lastRequest().header("Range"_ba), "bytes=5-"_ba);
    }

    void downloadRetryContinuesWhereTheBodyStopped()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::closeMidBody(200, "01234"_ba, 10).header("ETag"_ba, "\"v1\""_ba));
        network.enqueue(FakeReplySpec::raw(206, "56789"_ba).header("ETag"_ba, "\"v1\""_ba).header("Content-Range"_ba, "bytes 5-9/10"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        QBuffer file;
        QVERIFY(file.open(QIODevice::ReadWrite));
        auto outcome = watch<DownloadInfo>(client.download(u"sb_1"_s, u"/workspace/out.bin"_s, &file));
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"v1\""_ba, 10, 10, 0}));
        QCOMPARE(file.data(), "0123456789"_ba);
        QCOMPARE(network.requests().size(), 2);
        QVERIFY(network.requests().at(0).header("Range"_ba).isEmpty());
        QCOMPARE(network.requests().at(1).header("Range"_ba), "bytes=5-"_ba);
        QCOMPARE(network.requests().at(1).header("If-Range"_ba), "\"v1\""_ba);
    }

    void downloadErrorsLeaveTheDeviceAlone()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(404, R"({"error":"No such file","code":"NOT_FOUND"})"_ba));
        network.enqueue(FakeReplySpec::raw(416, QByteArray()).header("Content-Range"_ba, "bytes */10"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        QBuffer file;
        QVERIFY(file.open(QIODevice::ReadWrite));
        auto missing = watch<DownloadInfo>(client.download(u"sb_1"_s, u"/nope"_s, &file));
        QTRY_VERIFY(missing->result);
        QCOMPARE(missing->result->error().httpStatus, 404);
        QCOMPARE(missing->result->error().code, u"NOT_FOUND"_s);
        QVERIFY(file.data().isEmpty());

        auto beyond = watch<DownloadInfo>(client.download(u"sb_1"_s, u"/x"_s, &file, {10, "\"v1\""_ba}));
        QTRY_VERIFY(beyond->result);
        QCOMPARE(beyond->result->error().httpStatus, 416);

        QBuffer closed;
        auto unwritable = watch<DownloadInfo>(client.download(u"sb_1"_s, u"/x"_s, &closed));
        QTRY_VERIFY(unwritable->result);
        QVERIFY(unwritable->result->error().kind == ApiError::Kind::Aborted);
        QCOMPARE(network.requests().size(), 2);
    }

    void uploadStreamsTheDevice()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(503, R"({"error":"busy"})"_ba));
        network.enqueue(FakeReplySpec::json(201, R"({"ok":true,"path":"/workspace/in/data.bin","size":200000})"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        QByteArray data(200000, '\0');
        for (int i = 0; i < data.size(); ++i)
            data[i] = char(i % 251);
        QBuffer source(&data);
        QVERIFY(source.open(QIODevice::ReadOnly));
        UploadJob *job = client.upload(u"sb_1"_s, u"/workspace/in/data.bin"_s, &source);
        QSignalSpy progress(job, &UploadJob::uploadProgress);
        auto outcome = watch<WriteResult>(job);
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value(), (WriteResult{u"/workspace/in/data.bin"_s, 200000}));
        QCOMPARE(network.requests().size(), 2); // PUT of a rewindable device is retried
        for (const RecordedRequest &sent : network.requests()) {
            QCOMPARE(sent.verb, "PUT"_ba);
            QCOMPARE(sent.url().path(), u"/v1/sandboxes/fs/upload"_s);
            QCOMPARE(sent.queryValue(u"path"_s), u"/workspace/in/data.bin"_s);
            QCOMPARE(sent.request.header(QNetworkRequest::ContentLengthHeader).toLongLong(), 200000);
            QCOMPARE(sent.body, data);
        }
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), 200000);
    }
};

QTEST_GUILESS_MAIN(TestApiClientTransfers)
#include "test_apiclient_transfers.moc"
