// SPDX-License-Identifier: MIT
// Wire types of artifacts, document conversions and file checksums: each survives a round trip
// through its own JSON, and bad input fails with a message naming the field to fix (the server
// answers request bodies with these messages).
#include <QTest>

#include "core/artifact.h"
#include "core/document.h"
#include "core/files.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
const QString kSha = u"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"_s;

Artifact sampleArtifact()
{
    return Artifact{u"customer-a/job-42/report.pdf"_s,
                    u"sb_1"_s,
                    u"report.pdf"_s,
                    u"application/pdf"_s,
                    20480,
                    kSha,
                    1772078706000,
                    u"/workspace/report.md"_s,
                    u"document"_s};
}

template <typename T> QString errorOf(const Parsed<T> &parsed)
{
    return parsed.ok() ? QString() : parsed.error();
}

Json mustParse(const QByteArray &text)
{
    auto json = parseJson(text);
    return json ? *json : Json();
}
} // namespace

class TestWireArtifacts : public QObject
{
    Q_OBJECT

private slots:
    void artifactRoundTrip()
    {
        const Artifact withSource = sampleArtifact();
        Artifact published = withSource;
        published.key = u"ünïcode name.bin"_s;
        published.sourcePath.reset();
        published.origin = u"api"_s;
        published.sizeBytes = 0;
        for (const Artifact &a : {withSource, published}) {
            auto parsed = Artifact::fromJson(a.toJson());
            QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
            QCOMPARE(*parsed, a);
        }
        QVERIFY(published.toJson().at("sourcePath").is_null());

        auto list = artifactListFromJson(artifactListToJson({withSource, published}));
        QVERIFY2(list.ok(), qPrintable(errorOf(list)));
        QCOMPARE(*list, (QList<Artifact>{withSource, published}));
        auto empty = artifactListFromJson(artifactListToJson({}));
        QVERIFY(empty.ok() && empty->isEmpty());
    }

    void artifactOptionalFieldsDefault()
    {
        Json json = sampleArtifact().toJson();
        json.erase("contentType");
        json.erase("origin");
        json.erase("sourcePath");
        auto parsed = Artifact::fromJson(json);
        QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
        QCOMPARE(parsed->contentType, u"application/octet-stream"_s);
        QCOMPARE(parsed->origin, u"api"_s);
        QVERIFY(!parsed->sourcePath);
    }

    void artifactRejectsBadInput_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QByteArray>("value"); // JSON; empty: remove the field
        QTest::addColumn<QString>("error");
        QTest::newRow("key missing") << u"key"_s << QByteArray() << u"artifact.key: missing"_s;
        QTest::newRow("key empty") << u"key"_s << "\"\""_ba << u"artifact.key: must not be empty"_s;
        QTest::newRow("key too long") << u"key"_s << '"' + QByteArray(1025, 'k') + '"'
                                      << u"artifact.key: longer than 1024 characters"_s;
        QTest::newRow("key with NUL")
            << u"key"_s << "\"a\\u0000b\""_ba << u"artifact.key: must not contain NUL"_s;
        QTest::newRow("name empty") << u"name"_s << "\"\""_ba << u"artifact.name: must not be empty"_s;
        QTest::newRow("sha uppercase") << u"sha256"_s << '"' + kSha.toUpper().toLatin1() + '"'
                                       << u"artifact.sha256: expected 64 lowercase hex digits"_s;
        QTest::newRow("sha short") << u"sha256"_s << "\"abc\""_ba
                                   << u"artifact.sha256: expected 64 lowercase hex digits"_s;
        QTest::newRow("size negative")
            << u"sizeBytes"_s << "-1"_ba << u"artifact.sizeBytes: must not be negative, got -1"_s;
        QTest::newRow("size string") << u"sizeBytes"_s << "\"12\""_ba
                                     << u"artifact.sizeBytes: expected an integer, got string"_s;
        QTest::newRow("createdAt missing")
            << u"createdAt"_s << QByteArray() << u"artifact.createdAt: missing"_s;
        QTest::newRow("sourcePath number")
            << u"sourcePath"_s << "3"_ba << u"artifact.sourcePath: expected a string, got number"_s;
    }
    void artifactRejectsBadInput()
    {
        QFETCH(QString, field);
        QFETCH(QByteArray, value);
        QFETCH(QString, error);
        Json json = sampleArtifact().toJson();
        if (value.isEmpty())
            json.erase(toStd(field));
        else
            json[toStd(field)] = mustParse(value);
        auto parsed = Artifact::fromJson(json);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error(), error);
    }

    void artifactListNamesTheBadItem()
    {
        Json list =
            artifactListToJson({sampleArtifact(), sampleArtifact(), sampleArtifact(), sampleArtifact()});
        list["data"][3]["sha256"] = "nope";
        auto parsed = artifactListFromJson(list);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error(), u"artifacts.data[3]: artifact.sha256: expected 64 lowercase hex digits"_s);
        QCOMPARE(errorOf(artifactListFromJson(Json::object())), u"artifacts.data: missing"_s);
        QCOMPARE(errorOf(artifactListFromJson(mustParse(R"({"data":{}})"))),
                 u"artifacts.data: expected an array, got object"_s);
        QCOMPARE(errorOf(artifactListFromJson(mustParse("[]"))),
                 u"artifacts: expected an object, got array"_s);
    }

    void artifactKeyRule()
    {
        QCOMPARE(artifactKeyProblem(QString(1024, u'k')), QString());
        QCOMPARE(artifactKeyProblem(u"a/b/c.pdf"_s), QString());
        QVERIFY(!artifactKeyProblem(QString(1025, u'k')).isEmpty());
        QVERIFY(!artifactKeyProblem(u""_s).isEmpty());
        QVERIFY(!artifactKeyProblem(QStringView(u"a\0b", 3)).isEmpty());
    }

    void artifactUrlRoundTripAndValidation()
    {
        const ArtifactUrl url{
            u"report.pdf"_s, u"http://127.0.0.1:8787/v1/artifacts/download?token=abc%2Bdef"_s, 1772078999000};
        auto parsed = ArtifactUrl::fromJson(url.toJson());
        QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
        QCOMPARE(*parsed, url);

        Json relative = url.toJson();
        relative["url"] = "/v1/artifacts/download?token=abc";
        QCOMPARE(errorOf(ArtifactUrl::fromJson(relative)),
                 u"artifactUrl.url: expected an absolute http(s) URL"_s);
        Json otherScheme = url.toJson();
        otherScheme["url"] = "file:///etc/passwd";
        QCOMPARE(errorOf(ArtifactUrl::fromJson(otherScheme)),
                 u"artifactUrl.url: expected an absolute http(s) URL"_s);
        Json noExpiry = url.toJson();
        noExpiry.erase("expiresAt");
        QCOMPARE(errorOf(ArtifactUrl::fromJson(noExpiry)), u"artifactUrl.expiresAt: missing"_s);
    }

    void publishRequest()
    {
        const PublishArtifactRequest withKey{u"sb_1"_s, u"/workspace/out/report.pdf"_s,
                                             u"job-42/report.pdf"_s};
        const PublishArtifactRequest withoutKey{u"sb_1"_s, u"/workspace/out/report.pdf"_s, std::nullopt};
        for (const PublishArtifactRequest &req : {withKey, withoutKey}) {
            auto parsed = PublishArtifactRequest::fromJson(req.toJson());
            QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
            QCOMPARE(parsed->id, req.id);
            QCOMPARE(parsed->path, req.path);
            QCOMPARE(parsed->key, req.key);
        }
        QVERIFY(!withoutKey.toJson().contains("key"));
        QVERIFY(PublishArtifactRequest::fromJson(mustParse(R"({"id":"sb_1","path":"/a","key":null})")).ok());

        QCOMPARE(errorOf(PublishArtifactRequest::fromJson(mustParse(R"({"id":"sb_1"})"))),
                 u"body.path: missing"_s);
        QCOMPARE(errorOf(PublishArtifactRequest::fromJson(mustParse(R"({"id":"","path":"/a"})"))),
                 u"body.id: must not be empty"_s);
        QCOMPARE(
            errorOf(PublishArtifactRequest::fromJson(mustParse(R"({"id":"sb_1","path":"/a","key":""})"))),
            u"body.key: must not be empty"_s);
        QCOMPARE(errorOf(PublishArtifactRequest::fromJson(mustParse(R"({"id":"sb_1","path":"/a","key":7})"))),
                 u"body.key: expected a string, got number"_s);
        QCOMPARE(errorOf(PublishArtifactRequest::fromJson(mustParse("\"x\""))),
                 u"body: expected an object, got string"_s);
    }

    void convertRequest()
    {
        auto defaults =
            ConvertDocumentRequest::fromJson(mustParse(R"({"id":"sb_1","path":"/workspace/notes.md"})"));
        QVERIFY2(defaults.ok(), qPrintable(errorOf(defaults)));
        QCOMPARE(defaults->format, u"pdf"_s);
        QVERIFY(!defaults->outputPath);

        const ConvertDocumentRequest full{u"sb_1"_s, u"/workspace/notes.docx"_s, u"pdf"_s,
                                          u"/workspace/out/notes.pdf"_s};
        auto parsed = ConvertDocumentRequest::fromJson(full.toJson());
        QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
        QCOMPARE(parsed->id, full.id);
        QCOMPARE(parsed->path, full.path);
        QCOMPARE(parsed->format, full.format);
        QCOMPARE(parsed->outputPath, full.outputPath);
    }

    void convertRequestErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");
        QTest::newRow("format") << QByteArray(R"({"id":"sb_1","path":"/a.md","format":"docx"})")
                                << uR"(body.format: unsupported format 'docx' (only "pdf"))"_s;
        QTest::newRow("format type") << QByteArray(R"({"id":"sb_1","path":"/a.md","format":1})")
                                     << u"body.format: expected a string, got number"_s;
        QTest::newRow("path missing") << QByteArray(R"({"id":"sb_1"})") << u"body.path: missing"_s;
        QTest::newRow("path empty") << QByteArray(R"({"id":"sb_1","path":""})")
                                    << u"body.path: must not be empty"_s;
        QTest::newRow("id type") << QByteArray(R"({"id":5,"path":"/a.md"})")
                                 << u"body.id: expected a string, got number"_s;
        QTest::newRow("outputPath empty") << QByteArray(R"({"id":"sb_1","path":"/a.md","outputPath":""})")
                                          << u"body.outputPath: must not be empty"_s;
        QTest::newRow("not an object") << QByteArray("[]") << u"body: expected an object, got array"_s;
    }
    void convertRequestErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        auto parsed = ConvertDocumentRequest::fromJson(mustParse(body));
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error(), error);
    }

    void documentConversion()
    {
        const DocumentConversion conversion{u"conv_1"_s,
                                            u"sb_1"_s,
                                            u"/workspace/report.md"_s,
                                            u"/workspace/report.pdf"_s,
                                            u"pdf"_s,
                                            20480,
                                            3400,
                                            1772078706000,
                                            sampleArtifact()};
        auto parsed = DocumentConversion::fromJson(conversion.toJson());
        QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
        QCOMPARE(*parsed, conversion);

        Json badArtifact = conversion.toJson();
        badArtifact["artifact"].erase("key");
        QCOMPARE(errorOf(DocumentConversion::fromJson(badArtifact)),
                 u"conversion.artifact: artifact.key: missing"_s);
        Json noArtifact = conversion.toJson();
        noArtifact.erase("artifact");
        QCOMPARE(errorOf(DocumentConversion::fromJson(noArtifact)), u"conversion.artifact: missing"_s);
        Json negative = conversion.toJson();
        negative["sizeBytes"] = -5;
        QCOMPARE(errorOf(DocumentConversion::fromJson(negative)),
                 u"conversion.sizeBytes: must not be negative, got -5"_s);
    }

    void fileChecksum()
    {
        const FileChecksum checksum{u"/workspace/out/data.bin"_s, kSha, 1048576, "\"1a2b-100000\""_ba};
        auto parsed = FileChecksum::fromJson(checksum.toJson());
        QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
        QCOMPARE(*parsed, checksum);
        QCOMPARE(checksum.toJson().at("etag").get<std::string>(), std::string("\"1a2b-100000\""));

        Json badSha = checksum.toJson();
        badSha["sha256"] = toStd(kSha.left(63) + u'g');
        QCOMPARE(errorOf(FileChecksum::fromJson(badSha)),
                 u"checksum.sha256: expected 64 lowercase hex digits"_s);
        Json negative = checksum.toJson();
        negative["size"] = -1;
        QCOMPARE(errorOf(FileChecksum::fromJson(negative)), u"checksum.size: must not be negative, got -1"_s);
        Json badEtag = checksum.toJson();
        badEtag["etag"] = "\"é\"";
        QCOMPARE(errorOf(FileChecksum::fromJson(badEtag)), u"checksum.etag: expected printable ASCII"_s);
        Json noEtag = checksum.toJson();
        noEtag.erase("etag");
        QCOMPARE(errorOf(FileChecksum::fromJson(noEtag)), u"checksum.etag: missing"_s);
    }

    void sha256HexRule()
    {
        QVERIFY(isSha256Hex(kSha));
        QVERIFY(!isSha256Hex(kSha.toUpper()));
        QVERIFY(!isSha256Hex(kSha.left(63)));
        QVERIFY(!isSha256Hex(QString(kSha + u'0')));
        QVERIFY(!isSha256Hex(QString()));
    }
};

QTEST_GUILESS_MAIN(TestWireArtifacts)
#include "test_wire_artifacts.moc"
