// SPDX-License-Identifier: MIT
// Document conversion end to end against a real banata-local with LibreOffice: Markdown (with
// non-ASCII text), HTML, ODT, DOCX and plain text become PDFs whose text holds the source's words,
// written into the workspace and kept as artifacts, with their events; the refusals (capability
// missing, unsupported type, no LibreOffice on the server).
#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QPdfDocument>
#include <QPdfSelection>
#include <QTemporaryFile>

#include "core/document.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
ExecRequest shell(const QString &id, const QString &command)
{
    ExecRequest request;
    request.id = id;
    request.command = command;
    return request;
}

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(BANATA_TEST_DATA_DIR) + u"/documents/"_s + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Every page's text, as a reader copying it out of the PDF would get it.
QString pdfText(const QByteArray &pdf)
{
    QTemporaryFile file;
    if (!file.open() || file.write(pdf) != pdf.size() || !file.flush())
        return {};
    QPdfDocument document;
    if (document.load(file.fileName()) != QPdfDocument::Error::None)
        return {};
    QString text;
    for (int page = 0; page < document.pageCount(); ++page)
        text += document.getAllText(page).text() + u'\n';
    return text;
}

ConvertDocumentRequest conversion(const QString &id, const QString &path)
{
    ConvertDocumentRequest request;
    request.id = id;
    request.path = path;
    return request;
}

bool sawEventWith(const ServerFixture &fixture, const QString &sandboxId, const QString &type,
                  const char *field, const QString &value)
{
    const QList<Event> &events = fixture.received();
    return std::any_of(events.cbegin(), events.cend(), [&](const Event &e) {
        return e.sandboxId == sandboxId && e.type == type && e.data.contains(field) &&
               e.data[field] == toStd(value);
    });
}
} // namespace

class TestServerDocuments : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        AWAIT_OK(health, m_fixture->client().health());
        QVERIFY(health.supports(u"artifacts"_s));
        if (!health.supports(u"documents"_s))
            QSKIP("LibreOffice (soffice) is not installed on this host: install libreoffice-writer-nogui");
        CreateSandboxRequest create;
        create.capabilities = Capabilities{};
        create.capabilities->documents = DocumentsCapability{};
        create.capabilities->storage = StorageCapability{u"reports/2026"_s};
        m_id = m_fixture->createReady(create);
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void convertsToPdf_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QStringList>("words");
        QTest::addColumn<QStringList>("absent");
        QTest::newRow("markdown") << u"report.md"_s << fixture(u"report.md"_s)
                                  << QStringList{u"Quarterly"_s,   u"Grüße"_s,      u"Köln"_s,
                                                 u"observatory"_s, u"αστρονομία"_s, u"обсерватория"_s,
                                                 u"café"_s,        u"telescope"_s}
                                  << QStringList{u"<script"_s, u"**"_s, u"# "_s};
        QTest::newRow("html") << u"page.html"_s << fixture(u"page.html"_s)
                              << QStringList{u"Field"_s, u"glacier"_s, u"Søren"_s, u"Tromsø"_s}
                              << QStringList{u"<p>"_s};
        QTest::newRow("odt") << u"letter.odt"_s << fixture(u"letter.odt"_s)
                             << QStringList{u"harvest"_s, u"ledger"_s, u"Zürich"_s, u"cooperative"_s}
                             << QStringList{};
        QTest::newRow("docx") << u"memo.docx"_s << fixture(u"memo.docx"_s)
                              << QStringList{u"Procurement"_s, u"lighthouse"_s, u"Ångström"_s}
                              << QStringList{};
        QTest::newRow("txt") << u"notes.txt"_s << "Plain notes: naïve façade, 3 × 4 = 12\n"_ba
                             << QStringList{u"naïve"_s, u"façade"_s} << QStringList{};
    }

    void convertsToPdf()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, content);
        QFETCH(QStringList, words);
        QFETCH(QStringList, absent);
        QVERIFY2(!content.isEmpty(), "fixture missing");
        const QString source = u"/workspace/docs/"_s + fileName;
        writeFile(source, content);
        const QString base = fileName.section(u'.', 0, 0);
        const QString output = u"/workspace/docs/"_s + base + u".pdf"_s;

        AWAIT_OK(converted, m_fixture->client().convertDocument(conversion(m_id, u"docs/"_s + fileName)));
        QCOMPARE(converted.sandboxId, m_id);
        QCOMPARE(converted.sourcePath, source);
        QCOMPARE(converted.outputPath, output);
        QCOMPARE(converted.format, u"pdf"_s);
        QVERIFY(converted.durationMs > 0);
        QVERIFY(!converted.id.isEmpty());

        // The PDF is in the workspace…
        AWAIT_OK(pdf, m_fixture->client().readFile(m_id, output));
        QVERIFY2(pdf.bytes.startsWith("%PDF-"), pdf.bytes.left(16).constData());
        QCOMPARE(converted.sizeBytes, pdf.bytes.size());
        const QString text = pdfText(pdf.bytes);
        for (const QString &word : std::as_const(words))
            QVERIFY2(text.contains(word),
                     qPrintable(u"'%1' missing from the PDF text:\n%2"_s.arg(word, text)));
        for (const QString &word : std::as_const(absent))
            QVERIFY2(!text.contains(word),
                     qPrintable(u"'%1' should not be in the PDF text:\n%2"_s.arg(word, text)));

        // …and kept as an artifact with the same bytes.
        QCOMPARE(converted.artifact.key, u"reports/2026/"_s + base + u".pdf"_s);
        QCOMPARE(converted.artifact.origin, u"document"_s);
        QCOMPARE(converted.artifact.contentType, u"application/pdf"_s);
        QCOMPARE(converted.artifact.sourcePath, std::optional<QString>(output));
        QCOMPARE(
            converted.artifact.sha256,
            QString::fromLatin1(QCryptographicHash::hash(pdf.bytes, QCryptographicHash::Sha256).toHex()));
        AWAIT_OK(artifacts, m_fixture->client().artifacts(m_id));
        QCOMPARE(artifacts.value(0), converted.artifact);
        AWAIT_OK(link, m_fixture->client().artifactDownloadUrl(m_id, converted.artifact.key));
        QBuffer downloaded;
        downloaded.open(QIODevice::WriteOnly);
        AWAIT_OK(done, m_fixture->client().downloadUrl(QUrl(link.url), &downloaded));
        QCOMPARE(downloaded.data(), pdf.bytes);

        QTRY_VERIFY_WITH_TIMEOUT(
            sawEventWith(*m_fixture, m_id, u"sandbox.document.converted"_s, "id", converted.id), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.artifacts.updated"_s), 5000);
        const auto changed =
            std::any_of(m_fixture->received().cbegin(), m_fixture->received().cend(), [&](const Event &e) {
                return e.sandboxId == m_id && e.type == u"sandbox.files.changed" &&
                       e.data["paths"].is_array() &&
                       std::find(e.data["paths"].begin(), e.data["paths"].end(), toStd(output)) !=
                           e.data["paths"].end();
            });
        QVERIFY(changed);

        // Nothing but the source and the PDF in the folder, and no leftovers in the sandbox's /tmp.
        AWAIT_OK(listing, m_fixture->client().listFiles(m_id, u"/workspace/docs"_s));
        QStringList names;
        for (const FileEntry &entry : listing.entries)
            names.append(entry.name);
        QVERIFY2(names.contains(fileName) && names.contains(base + u".pdf"_s),
                 qPrintable(names.join(u", "_s)));
        QVERIFY(
            std::none_of(names.cbegin(), names.cend(), [](const QString &n) { return n.startsWith(u'.'); }));
        AWAIT_OK(tmp, m_fixture->client().exec(shell(m_id, u"ls -A /tmp"_s)));
        QVERIFY2(!tmp.stdoutText.contains(u"banata-convert"_s), qPrintable(tmp.stdoutText));
    }

    void writesToTheOutputPathGiven()
    {
        writeFile(u"/workspace/in/plan.md"_s, "# Plan\n\nLaunch on **Tuesday**.\n"_ba);
        ConvertDocumentRequest request = conversion(m_id, u"in/plan.md"_s);
        request.outputPath = u"/workspace/out/final plan.pdf"_s;
        AWAIT_OK(converted, m_fixture->client().convertDocument(request));
        QCOMPARE(converted.outputPath, u"/workspace/out/final plan.pdf"_s);
        QCOMPARE(converted.artifact.name, u"final plan.pdf"_s);
        AWAIT_OK(pdf, m_fixture->client().readFile(m_id, u"/workspace/out/final plan.pdf"_s));
        QVERIFY(pdfText(pdf.bytes).contains(u"Tuesday"_s));
    }

    void conversionsOfOneSandboxQueue()
    {
        writeFile(u"/workspace/q/a.md"_s, "# Alpha\n"_ba);
        writeFile(u"/workspace/q/b.html"_s, "<html><body><p>Bravo</p></body></html>"_ba);
        writeFile(u"/workspace/q/c.txt"_s, "Charlie\n"_ba);
        DocumentJob *first = m_fixture->client().convertDocument(conversion(m_id, u"q/a.md"_s));
        DocumentJob *second = m_fixture->client().convertDocument(conversion(m_id, u"q/b.html"_s));
        DocumentJob *third = m_fixture->client().convertDocument(conversion(m_id, u"q/c.txt"_s));
        const auto a = awaitJob(first, 180000);
        const auto b = awaitJob(second, 180000);
        const auto c = awaitJob(third, 180000);
        QVERIFY(a && a->ok() && b && b->ok() && c && c->ok());
        const QList<std::pair<QString, QString>> outputs = {{a->value().outputPath, u"Alpha"_s},
                                                            {b->value().outputPath, u"Bravo"_s},
                                                            {c->value().outputPath, u"Charlie"_s}};
        for (const auto &[output, word] : outputs) {
            AWAIT_OK(pdf, m_fixture->client().readFile(m_id, output));
            QVERIFY2(pdfText(pdf.bytes).contains(word), qPrintable(word));
        }
    }

    void refusals()
    {
        ApiClient &client = m_fixture->client();
        writeFile(u"/workspace/pic.png"_s, "\x89PNG\r\n"_ba);
        AWAIT_ERROR(client.convertDocument(conversion(m_id, u"pic.png"_s)), 415, "UNSUPPORTED_DOCUMENT");
        AWAIT_ERROR(client.convertDocument(conversion(m_id, u"missing.md"_s)), 404, "FILE_NOT_FOUND");
        AWAIT_ERROR(client.convertDocument(conversion(m_id, u"/etc/hosts.txt"_s)), 403,
                    "PATH_OUTSIDE_WORKSPACE");
        ConvertDocumentRequest toWord = conversion(m_id, u"docs/report.md"_s);
        toWord.format = u"docx"_s;
        AWAIT_ERROR(client.convertDocument(toWord), 400, "INVALID_REQUEST");

        // A sandbox created without the capability.
        const QString plain = m_fixture->createReady();
        QVERIFY(!plain.isEmpty());
        writeFile(u"/workspace/notes.md"_s, "# Notes\n"_ba, plain);
        auto refused = awaitJob(client.convertDocument(conversion(plain, u"notes.md"_s)));
        QVERIFY(refused && !refused->ok());
        QCOMPARE(refused->error().httpStatus, 409);
        QCOMPARE(refused->error().code, u"CAPABILITY_REQUIRED"_s);
        QVERIFY2(refused->error().message.contains(u"capabilities.documents.libreofficeHeadless"_s),
                 qPrintable(refused->error().message));
    }

    void withoutLibreOfficeDocumentsAreUnavailable()
    {
        // Another server whose LibreOffice points nowhere.
        qputenv("BANATA_SOFFICE", "/nonexistent/soffice");
        ServerFixture bare;
        const bool started = bare.start();
        qunsetenv("BANATA_SOFFICE");
        QVERIFY2(started, qPrintable(bare.errorString()));
        AWAIT_OK(health, bare.client().health());
        QVERIFY(!health.supports(u"documents"_s));
        QVERIFY(health.supports(u"artifacts"_s));

        CreateSandboxRequest create;
        create.capabilities = Capabilities{};
        create.capabilities->documents = DocumentsCapability{};
        auto refused = awaitJob(bare.client().createSandbox(create));
        QVERIFY(refused && !refused->ok());
        QCOMPARE(refused->error().httpStatus, 400);
        QCOMPARE(refused->error().code, u"CAPABILITY_UNAVAILABLE"_s);
        QVERIFY2(refused->error().message.contains(u"libreoffice-writer-nogui"_s),
                 qPrintable(refused->error().message));

        AWAIT_OK(plain, bare.client().createSandbox(CreateSandboxRequest{}));
        AWAIT_ERROR(bare.client().convertDocument(conversion(plain.id, u"notes.md"_s)), 501,
                    "DOCUMENTS_UNAVAILABLE");
    }

private:
    void writeFile(const QString &path, const QByteArray &bytes, const QString &sandboxId = {})
    {
        FileWriteRequest write;
        write.id = sandboxId.isEmpty() ? m_id : sandboxId;
        write.path = path;
        write.bytes = bytes;
        auto written = awaitJob(m_fixture->client().writeFile(write));
        QVERIFY(written && written->ok());
    }

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
};

QTEST_MAIN(TestServerDocuments)
#include "test_server_documents.moc"
