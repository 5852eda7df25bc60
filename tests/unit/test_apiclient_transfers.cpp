// SPDX-License-Identifier: MIT
// The API client's raw transfers against a fake network: downloads that resume with Range and
// If-Range, restart when the file changed or retry mid-body, streamed uploads, pre-authorised
// URLs sent without the API key, Repr-Digest, and the archive, checksum, artifact and document
// routes.
#include "core/client/apiclient.h"
#include "support/apiclienttest.h"
#include "support/fakenetwork.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

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

QByteArray sha256Of(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256);
}

// The header value as the server sends it: `sha-256=:<base64>:`.
QByteArray reprDigest(const QByteArray &data)
{
    return "sha-256=:"_ba + sha256Of(data).toBase64() + ':';
}

QString hexSha256(const QByteArray &data)
{
    return QString::fromLatin1(sha256Of(data).toHex());
}

Json parsedBody(const RecordedRequest &request)
{
    auto json = parseJson(request.body);
    return json ? *json : Json();
}

const QString kSha = u"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"_s;

Artifact sampleArtifact()
{
    return Artifact{u"job-42/report.pdf"_s, u"sb_1"_s, u"report.pdf"_s, u"application/pdf"_s, 2048, kSha,
                    1772078706000, u"/workspace/report.md"_s, u"document"_s};
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
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"v1\""_ba, 10, 5, 5, QString()}));
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
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"v2\""_ba, 12, 12, 0, QString()}));
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
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"v1\""_ba, 10, 10, 0, QString()}));
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

    // --- pre-authorised URLs and Repr-Digest ------------------------------------------------
    void downloadUrlGoesToTheUrlWithoutTheApiKey()
    {
        FakeNetworkAccessManager network;
        const QByteArray pdf = "%PDF-1.7 fake body"_ba;
        network.enqueue(FakeReplySpec::raw(200, pdf, "application/pdf"_ba)
                            .header("ETag"_ba, "\"a1\""_ba)
                            .header("Repr-Digest"_ba, reprDigest(pdf)));
        ApiClient client(&network, kBaseUrl, kApiKey);
        // Another host than the client's, and a token whose '+' and '&' must arrive encoded as issued.
        const QUrl url(u"http://files.test:9000/v1/artifacts/download?token=a%2Bb%26c"_s);
        QBuffer file;
        QVERIFY(file.open(QIODevice::ReadWrite));
        auto outcome = watch<DownloadInfo>(client.downloadUrl(url, &file));
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"a1\""_ba, pdf.size(), pdf.size(), 0, hexSha256(pdf)}));
        QCOMPARE(file.data(), pdf);
        const RecordedRequest sent = network.lastRequest();
        QCOMPARE(sent.verb, "GET"_ba);
        QCOMPARE(sent.url().toString(QUrl::FullyEncoded), url.toString(QUrl::FullyEncoded));
        QCOMPARE(sent.queryValue(u"token"_s), u"a+b&c"_s);
        QVERIFY(!sent.request.hasRawHeader("Authorization"_ba));
        QCOMPARE(network.requests().size(), 1);
    }

    void downloadUrlResumesLikeAFile()
    {
        FakeNetworkAccessManager network;
        const QByteArray whole = "0123456789"_ba;
        network.enqueue(FakeReplySpec::raw(206, "56789"_ba)
                            .header("ETag"_ba, "\"a1\""_ba)
                            .header("Content-Range"_ba, "bytes 5-9/10"_ba)
                            .header("Repr-Digest"_ba, reprDigest(whole)));
        ApiClient client(&network, kBaseUrl, kApiKey);
        QBuffer file;
        file.setData("01234"_ba);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(5));
        auto outcome = watch<DownloadInfo>(
            client.downloadUrl(QUrl(u"http://files.test:9000/v1/artifacts/download?token=t"_s), &file, {5, "\"a1\""_ba}));
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        // The digest names the whole file, not the 5 bytes of this response.
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"a1\""_ba, 10, 5, 5, hexSha256(whole)}));
        QCOMPARE(file.data(), whole);
        QCOMPARE(network.lastRequest().header("Range"_ba), "bytes=5-"_ba);
        QCOMPARE(network.lastRequest().header("If-Range"_ba), "\"a1\""_ba);
        QVERIFY(!network.lastRequest().request.hasRawHeader("Authorization"_ba));
    }

    void downloadUrlRejectsARelativeUrl()
    {
        FakeNetworkAccessManager network;
        ApiClient client(&network, kBaseUrl, kApiKey);
        QBuffer file;
        QVERIFY(file.open(QIODevice::ReadWrite));
        auto outcome = watch<DownloadInfo>(client.downloadUrl(QUrl(u"/v1/artifacts/download?token=t"_s), &file));
        QTRY_VERIFY(outcome->result);
        QVERIFY(outcome->result->error().kind == ApiError::Kind::Network);
        QCOMPARE(network.requests().size(), 0);
    }

    void reprDigestAmongOtherAlgorithms()
    {
        FakeNetworkAccessManager network;
        const QByteArray body = "hello"_ba;
        const QByteArray sha512 = QCryptographicHash::hash(body, QCryptographicHash::Sha512).toBase64();
        network.enqueue(FakeReplySpec::raw(200, body).header("Repr-Digest"_ba,
                                                             "sha-512=:"_ba + sha512 + ":, "_ba + reprDigest(body) + ";q=1"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey);
        QBuffer file;
        QVERIFY(file.open(QIODevice::ReadWrite));
        auto outcome = watch<DownloadInfo>(client.download(u"sb_1"_s, u"/workspace/hello.txt"_s, &file));
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value().sha256, u"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"_s);
    }

    void reprDigestParsing_data()
    {
        const QByteArray good = sha256Of("hello"_ba).toBase64();
        const QString hex = hexSha256("hello"_ba);
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QString>("sha256");
        QTest::newRow("plain") << "sha-256=:"_ba + good + ':' << hex;
        QTest::newRow("spaces and case") << "  SHA-256 = :"_ba + good + ": "_ba << hex;
        QTest::newRow("parameters") << "sha-256=:"_ba + good + ":;a=1;b"_ba << hex;
        QTest::newRow("after unknown") << "md5=:AAAA:, unixsum=:x:, sha-256=:"_ba + good + ':' << hex;
        QTest::newRow("malformed then good") << "sha-256=:!!!:, sha-256=:"_ba + good + ':' << hex;
        QTest::newRow("good then malformed") << "sha-256=:"_ba + good + ":, sha-256=garbage"_ba << hex;
        QTest::newRow("absent") << QByteArray() << QString();
        QTest::newRow("only other") << "sha-512=:AAAA:"_ba << QString();
        QTest::newRow("no colons") << "sha-256="_ba + good << QString();
        QTest::newRow("bad base64") << "sha-256=:not base64!:"_ba << QString();
        QTest::newRow("wrong length") << "sha-256=:"_ba + QByteArray(16, 'x').toBase64() + ':' << QString();
        QTest::newRow("no value") << "sha-256"_ba << QString();
        QTest::newRow("empty bytes") << "sha-256=::"_ba << QString();
    }
    void reprDigestParsing()
    {
        QFETCH(QByteArray, header);
        QFETCH(QString, sha256);
        QCOMPARE(sha256FromReprDigest(header), sha256);
    }

    void contentRangeParsing_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("last");
        QTest::addColumn<qint64>("total");
        QTest::newRow("range") << "bytes 100-199/1000"_ba << true << qint64(100) << qint64(199) << qint64(1000);
        QTest::newRow("unknown total") << "bytes 0-0/*"_ba << true << qint64(0) << qint64(0) << qint64(-1);
        QTest::newRow("largest") << "bytes 0-9223372036854775806/9223372036854775807"_ba << true << qint64(0)
                                 << qint64(9223372036854775806) << qint64(9223372036854775807);
        QTest::newRow("unsatisfied") << "bytes */1000"_ba << false << qint64(0) << qint64(0) << qint64(0);
        QTest::newRow("last before first") << "bytes 5-4/10"_ba << false << qint64(0) << qint64(0) << qint64(0);
        QTest::newRow("last past total") << "bytes 0-10/10"_ba << false << qint64(0) << qint64(0) << qint64(0);
        QTest::newRow("other unit") << "items 0-1/2"_ba << false << qint64(0) << qint64(0) << qint64(0);
        // Found while writing the fuzz oracle (tests/fuzz/regressions/download_headers): a number
        // past qint64 used to read as 0, so "resume at 2^64" was taken as "start at byte 0".
        QTest::newRow("first past qint64") << "bytes 18446744073709551616-5/10"_ba << false << qint64(0) << qint64(0)
                                           << qint64(0);
        QTest::newRow("total past qint64") << "bytes 0-5/99999999999999999999"_ba << false << qint64(0) << qint64(0)
                                           << qint64(0);
    }
    void contentRangeParsing()
    {
        QFETCH(QByteArray, header);
        QFETCH(bool, valid);
        const auto range = parseContentRange(header);
        QCOMPARE(range.has_value(), valid);
        if (!valid)
            return;
        QFETCH(qint64, first);
        QFETCH(qint64, last);
        QFETCH(qint64, total);
        QCOMPARE(range->first, first);
        QCOMPARE(range->last, last);
        QCOMPARE(range->total, total);
    }

    // --- archive, checksum, artifact and document routes ----------------------------------------
    void archiveRoute()
    {
        FakeNetworkAccessManager network;
        const QByteArray zip = "PK\x03\x04 fake zip"_ba;
        network.enqueue(FakeReplySpec::raw(200, zip, "application/zip"_ba)
                            .header("ETag"_ba, "\"z1\""_ba)
                            .header("Repr-Digest"_ba, reprDigest(zip)));
        ApiClient client(&network, kBaseUrl, kApiKey);
        QBuffer file;
        QVERIFY(file.open(QIODevice::ReadWrite));
        auto outcome = watch<DownloadInfo>(client.downloadArchive(u"sb_1"_s, u"/workspace/out dir"_s, &file));
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value().sha256, hexSha256(zip));
        QCOMPARE(file.data(), zip);
        const RecordedRequest sent = network.lastRequest();
        QCOMPARE(sent.verb, "GET"_ba);
        QCOMPARE(sent.url().host(), kBaseUrl.host());
        QCOMPARE(sent.url().path(), u"/v1/sandboxes/fs/archive"_s);
        QCOMPARE(sent.queryValue(u"id"_s), u"sb_1"_s);
        QCOMPARE(sent.queryValue(u"path"_s), u"/workspace/out dir"_s);
        QCOMPARE(sent.header("Authorization"_ba), "Bearer "_ba + kApiKey.toUtf8());
    }

    void checksumRoute()
    {
        FakeNetworkAccessManager network;
        const FileChecksum expected{u"/workspace/a+b.bin"_s, kSha, 4096, "\"c-1\""_ba};
        network.enqueue(FakeReplySpec::json(200, dumpJson(expected.toJson())));
        ApiClient client(&network, kBaseUrl, kApiKey);
        auto outcome = watch<FileChecksum>(client.checksum(u"sb_1"_s, u"/workspace/a+b.bin"_s));
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value(), expected);
        const RecordedRequest sent = network.lastRequest();
        QCOMPARE(sent.verb, "GET"_ba);
        QCOMPARE(sent.url().path(), u"/v1/sandboxes/fs/checksum"_s);
        QCOMPARE(sent.queryValue(u"id"_s), u"sb_1"_s);
        QCOMPARE(sent.queryValue(u"path"_s), u"/workspace/a+b.bin"_s);
    }

    void artifactRoutes()
    {
        FakeNetworkAccessManager network;
        const Artifact artifact = sampleArtifact();
        const ArtifactUrl url{artifact.key, u"http://127.0.0.1:8787/v1/artifacts/download?token=t1"_s, 1772078999000};
        network.enqueue(FakeReplySpec::json(200, dumpJson(artifactListToJson({artifact}))));
        network.enqueue(FakeReplySpec::json(201, dumpJson(artifact.toJson())));
        network.enqueue(FakeReplySpec::json(200, dumpJson(url.toJson())));
        network.enqueue(FakeReplySpec::json(200, dumpJson(url.toJson())));
        ApiClient client(&network, kBaseUrl, kApiKey);

        auto list = watch<QList<Artifact>>(client.artifacts(u"sb_1"_s));
        QTRY_VERIFY(list->result);
        QVERIFY2(list->result->ok(), qPrintable(errorText(*list->result)));
        QCOMPARE(list->result->value(), QList<Artifact>{artifact});
        QCOMPARE(network.lastRequest().verb, "GET"_ba);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/artifacts"_s);
        QCOMPARE(network.lastRequest().queryValue(u"id"_s), u"sb_1"_s);

        const PublishArtifactRequest publish{u"sb_1"_s, u"/workspace/report.pdf"_s, artifact.key};
        auto kept = watch<Artifact>(client.publishArtifact(publish));
        QTRY_VERIFY(kept->result);
        QVERIFY2(kept->result->ok(), qPrintable(errorText(*kept->result)));
        QCOMPARE(kept->result->value(), artifact);
        QCOMPARE(network.lastRequest().verb, "POST"_ba);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/artifacts"_s);
        QVERIFY(parsedBody(network.lastRequest()) == publish.toJson());

        auto withTtl = watch<ArtifactUrl>(client.artifactDownloadUrl(u"sb_1"_s, artifact.key, 60000));
        QTRY_VERIFY(withTtl->result);
        QVERIFY2(withTtl->result->ok(), qPrintable(errorText(*withTtl->result)));
        QCOMPARE(withTtl->result->value(), url);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/artifacts/download-url"_s);
        QCOMPARE(network.lastRequest().queryValue(u"id"_s), u"sb_1"_s);
        QCOMPARE(network.lastRequest().queryValue(u"key"_s), artifact.key);
        QCOMPARE(network.lastRequest().queryValue(u"ttlMs"_s), u"60000"_s);

        auto withoutTtl = watch<ArtifactUrl>(client.artifactDownloadUrl(u"sb_1"_s, artifact.key));
        QTRY_VERIFY(withoutTtl->result);
        QVERIFY(withoutTtl->result->ok());
        QVERIFY(!QUrlQuery(network.lastRequest().url()).hasQueryItem(u"ttlMs"_s));
    }

    void convertDocumentRoute()
    {
        FakeNetworkAccessManager network;
        const DocumentConversion conversion{u"conv_1"_s, u"sb_1"_s, u"/workspace/report.md"_s, u"/workspace/report.pdf"_s,
                                            u"pdf"_s, 2048, 3400, 1772078706000, sampleArtifact()};
        network.enqueue(FakeReplySpec::json(200, dumpJson(conversion.toJson())));
        network.enqueue(FakeReplySpec::json(422, R"({"error":"Cannot convert .png","code":"UNSUPPORTED"})"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey);
        ConvertDocumentRequest request;
        request.id = u"sb_1"_s;
        request.path = u"/workspace/report.md"_s;
        auto done = watch<DocumentConversion>(client.convertDocument(request));
        QTRY_VERIFY(done->result);
        QVERIFY2(done->result->ok(), qPrintable(errorText(*done->result)));
        QCOMPARE(done->result->value(), conversion);
        QCOMPARE(network.lastRequest().verb, "POST"_ba);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/documents/convert"_s);
        QVERIFY(parsedBody(network.lastRequest()) == (Json{{"id", "sb_1"}, {"path", "/workspace/report.md"}, {"format", "pdf"}}));

        request.path = u"/workspace/photo.png"_s;
        auto refused = watch<DocumentConversion>(client.convertDocument(request));
        QTRY_VERIFY(refused->result);
        QCOMPARE(refused->result->error().httpStatus, 422);
        QCOMPARE(refused->result->error().code, u"UNSUPPORTED"_s);
        QCOMPARE(network.requests().size(), 2); // a POST is never repeated
    }

    void convertDocumentOutwaitsTheDefaultTimeout()
    {
        // LibreOffice can take minutes on a cold start: the job must not give up with the rest.
        FakeNetworkAccessManager network;
        network.setHandler([](const QNetworkRequest &, const QByteArray &, const QByteArray &) { return FakeReplySpec::hang(); });
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry(0));
        client.setTimeout(std::chrono::milliseconds(100));
        QPointer<DocumentJob> convert = client.convertDocument(ConvertDocumentRequest{u"sb_1"_s, u"/workspace/a.md"_s, u"pdf"_s, std::nullopt});
        auto converted = watch<DocumentConversion>(convert.data());
        auto checked = watch<FileChecksum>(client.checksum(u"sb_1"_s, u"/workspace/a.md"_s));
        QTRY_VERIFY(checked->result);
        QVERIFY(checked->result->error().kind == ApiError::Kind::Timeout);
        QVERIFY(!converted->result);
        QVERIFY(convert);
        convert->abort();
        QVERIFY(converted->result);
        QVERIFY(converted->result->error().kind == ApiError::Kind::Aborted);
    }
};

QTEST_GUILESS_MAIN(TestApiClientTransfers)
#include "test_apiclient_transfers.moc"
