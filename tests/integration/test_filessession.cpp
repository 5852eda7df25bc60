// SPDX-License-Identifier: MIT
// The Files tab's session against a real banata-local: the tree of a prepared workspace, live
// refresh when files change (through the API and from a command in the sandbox), a preview of each
// kind with the size caps, uploads that arrive byte for byte, artifacts, downloads handed to the
// download engine, and "Convert to PDF" where the server has LibreOffice.
#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>

#include "core/downloads/downloadmanager.h"
#include "session/connection.h"
#include "session/filessession.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
constexpr int kWait = 20000;

QByteArray randomBytes(qsizetype size, bool withNul = true)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(42);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(generator.bounded(256));
    if (withNul && size > 0)
        bytes[0] = '\0';
    return bytes;
}

QByteArray pngBytes()
{
    QImage image(64, 48, QImage::Format_RGB32);
    image.fill(Qt::darkCyan);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QByteArray pdfBytes()
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setTitle(u"Preview test"_s);
        QPainter painter(&writer);
        painter.fillRect(QRect(100, 100, 2000, 1000), Qt::red);
    }
    return bytes;
}

QStringList childNames(const WorkspaceTreeModel &tree, const QModelIndex &parent = {})
{
    QStringList names;
    for (int row = 0; row < tree.rowCount(parent); ++row)
        names.append(tree.index(row, 0, parent).data().toString());
    return names;
}
} // namespace

class TestFilesSession : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> m_fixture;
    QNetworkAccessManager m_network;
    std::unique_ptr<Connection> m_connection;
    std::unique_ptr<FilesSession> m_session;
    std::unique_ptr<QAbstractItemModelTester> m_treeTester;
    std::unique_ptr<QAbstractItemModelTester> m_artifactsTester;
    QString m_id;
    bool m_documents = false;
    bool m_watch = false;
    QByteArray m_png;
    QByteArray m_pdf;
    QByteArray m_blob;

    void write(const QString &path, const QByteArray &bytes)
    {
        QBuffer source;
        source.setData(bytes);
        QVERIFY(source.open(QIODevice::ReadOnly));
        AWAIT_OK(written, m_fixture->client().upload(m_id, path, &source));
        QCOMPARE(written.size, bytes.size());
    }

    QByteArray read(const QString &path)
    {
        QBuffer sink;
        sink.open(QIODevice::WriteOnly);
        const auto result = awaitJob(m_fixture->client().download(m_id, path, &sink));
        if (!result || !result->ok())
            return "<missing>"_ba;
        return sink.data();
    }

    FilePreview previewOf(const QString &path, bool artifact = false)
    {
        if (artifact)
            m_session->previewArtifact(path);
        else
            m_session->preview(path);
        waitUntil([this] { return m_session->currentPreview().kind != FilePreview::Kind::Loading; }, kWait);
        return m_session->currentPreview();
    }

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        AWAIT_OK(health, m_fixture->client().health());
        m_documents = health.supports(u"documents"_s);
        m_watch = health.supports(u"fs.watch"_s);
        CreateSandboxRequest request;
        if (m_documents) {
            Capabilities capabilities;
            capabilities.documents = DocumentsCapability{true};
            request.capabilities = capabilities;
        }
        m_id = m_fixture->createReady(request);
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));

        m_png = pngBytes();
        m_pdf = pdfBytes();
        m_blob = randomBytes(100 * 1024);
        QVERIFY(m_pdf.startsWith("%PDF"));
        write(u"/workspace/notes.txt"_s, "first line\nsecond line\n"_ba);
        write(u"/workspace/data.json"_s, R"({"zeta":1,"alpha":[true,null,"x"],"nested":{"b":2,"a":1}})"_ba);
        write(u"/workspace/broken.json"_s, R"({"a": 1,})"_ba);
        write(u"/workspace/image.png"_s, m_png);
        write(u"/workspace/paper.pdf"_s, m_pdf);
        write(u"/workspace/blob.bin"_s, m_blob);
        write(u"/workspace/noext"_s, "plain words without an extension\n"_ba);
        write(u"/workspace/big.log"_s, QByteArray(FilePreview::kTextLimit + 1, 'x'));
        write(u"/workspace/huge.dat"_s, randomBytes(12 * 1024 * 1024));
        write(u"/workspace/sub/inner.txt"_s, "inside\n"_ba);
        write(u"/workspace/sub/deeper/leaf.txt"_s, "leaf\n"_ba);
        write(u"/workspace/report.md"_s, "# Quarterly report\n\nAll **good**.\n"_ba);

        m_connection =
            std::make_unique<Connection>(ConnectionConfig{u"local"_s, u"Local"_s, m_fixture->server().url(),
                                                          ConnectionConfig::Kind::Local},
                                         &m_network);
        m_connection->start(m_fixture->server().apiKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, kWait);
        QTRY_VERIFY_WITH_TIMEOUT(m_connection->sandbox(m_id).has_value(), kWait);

        m_session = std::make_unique<FilesSession>(m_connection.get(), m_id);
        m_treeTester = std::make_unique<QAbstractItemModelTester>(m_session->tree());
        m_artifactsTester = std::make_unique<QAbstractItemModelTester>(m_session->artifacts());
    }

    void cleanupTestCase()
    {
        m_treeTester.reset();
        m_artifactsTester.reset();
        m_session.reset();
        m_connection.reset();
        m_fixture.reset();
    }

    void nothingIsFetchedUntilShown()
    {
        QCOMPARE(m_session->tree()->rowCount(), 0);
        QVERIFY(m_session->tree()->rootPath().isEmpty());
    }

    void listsThePreparedWorkspace()
    {
        WorkspaceTreeModel *tree = m_session->tree();
        m_session->setActive(true);
        QCOMPARE(tree->rootPath(), u"/workspace"_s);
        QTRY_VERIFY_WITH_TIMEOUT(tree->entryCount(u"/workspace"_s).value_or(0) >= 11, kWait);
        const QStringList names = childNames(*tree);
        for (const QString &name : {u"notes.txt"_s, u"data.json"_s, u"image.png"_s, u"paper.pdf"_s, u"sub"_s})
            QVERIFY2(names.contains(name), qPrintable(names.join(u", "_s)));
        const QModelIndex png = tree->indexForPath(u"/workspace/image.png"_s);
        QCOMPARE(png.data(WorkspaceTreeModel::SizeRole).toLongLong(), m_png.size());
        QCOMPARE(png.data(WorkspaceTreeModel::MimeTypeRole).toString(), u"image/png"_s);
        QVERIFY(png.data(WorkspaceTreeModel::ModifiedRole).toLongLong() > 0);

        // Expanding a folder lists it; its own subfolder waits until expanded in turn.
        const QModelIndex sub = tree->indexForPath(u"/workspace/sub"_s);
        QVERIFY(tree->hasChildren(sub));
        if (tree->canFetchMore(sub))
            tree->fetchMore(sub);
        QTRY_COMPARE_WITH_TIMEOUT(childNames(*tree, tree->indexForPath(u"/workspace/sub"_s)),
                                  (QStringList{u"deeper"_s, u"inner.txt"_s}), kWait);
        QVERIFY(tree->loadedFolders().contains(u"/workspace/sub"_s));
    }

    void refreshesLiveAfterAnUploadThroughTheApi()
    {
        WorkspaceTreeModel *tree = m_session->tree();
        const QPersistentModelIndex notes(tree->indexForPath(u"/workspace/notes.txt"_s));
        write(u"/workspace/sub/arrived.txt"_s, "hello\n"_ba);
        QTRY_VERIFY_WITH_TIMEOUT(tree->indexForPath(u"/workspace/sub/arrived.txt"_s).isValid(), kWait);
        QVERIFY(notes.isValid()); // the rest of the tree stayed where it was
    }

    void refreshesLiveAfterACommandWritesAFile()
    {
        QVERIFY2(m_watch, "banata-local should watch workspaces (inotify)");
        ExecRequest request;
        request.id = m_id;
        request.command =
            u"echo from-a-command > /workspace/sub/fromcmd.txt && rm /workspace/sub/arrived.txt"_s;
        AWAIT_OK(done, m_fixture->client().exec(request));
        QCOMPARE(done.exitCode, 0);
        WorkspaceTreeModel *tree = m_session->tree();
        QTRY_VERIFY_WITH_TIMEOUT(tree->indexForPath(u"/workspace/sub/fromcmd.txt"_s).isValid(), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(!tree->indexForPath(u"/workspace/sub/arrived.txt"_s).isValid(), kWait);
    }

    void previewsText()
    {
        const FilePreview text = previewOf(u"/workspace/notes.txt"_s);
        QCOMPARE(text.kind, FilePreview::Kind::Text);
        QCOMPARE(text.text, u"first line\nsecond line\n"_s);
        QCOMPARE(text.mimeType, u"text/plain"_s);
        QCOMPARE(text.path, u"/workspace/notes.txt"_s);

        const FilePreview plain = previewOf(u"/workspace/noext"_s); // judged by its bytes
        QCOMPARE(plain.kind, FilePreview::Kind::Text);
        QCOMPARE(plain.text, u"plain words without an extension\n"_s);
    }

    void previewsJsonPrettyInItsOwnOrder()
    {
        const FilePreview json = previewOf(u"/workspace/data.json"_s);
        QCOMPARE(json.kind, FilePreview::Kind::Json);
        QVERIFY(json.error.isEmpty());
        QCOMPARE(json.text, uR"({
  "zeta": 1,
  "alpha": [
    true,
    null,
    "x"
  ],
  "nested": {
    "b": 2,
    "a": 1
  }
})"_s);
        const FilePreview broken = previewOf(u"/workspace/broken.json"_s);
        QCOMPARE(broken.kind, FilePreview::Kind::Text);
        QCOMPARE(broken.text, u"{\"a\": 1,}"_s);
        QVERIFY2(broken.error.contains(u"line 1"_s), qPrintable(broken.error));
    }

    void previewsImagesAndPdf()
    {
        const FilePreview image = previewOf(u"/workspace/image.png"_s);
        QCOMPARE(image.kind, FilePreview::Kind::Image);
        QCOMPARE(image.bytes, m_png);
        QCOMPARE(QImage::fromData(image.bytes).size(), QSize(64, 48));

        const FilePreview pdf = previewOf(u"/workspace/paper.pdf"_s);
        QCOMPARE(pdf.kind, FilePreview::Kind::Pdf);
        QCOMPARE(pdf.bytes, m_pdf);
        QCOMPARE(pdf.mimeType, u"application/pdf"_s);
    }

    void previewsBinaryAsItsHead()
    {
        const FilePreview blob = previewOf(u"/workspace/blob.bin"_s);
        QCOMPARE(blob.kind, FilePreview::Kind::Binary);
        QCOMPARE(blob.bytes, m_blob.left(FilePreview::kBinaryHead));
        QCOMPARE(blob.size, m_blob.size());

        // 12 MB of binary: the first 4 KiB are fetched, not the file.
        const FilePreview huge = previewOf(u"/workspace/huge.dat"_s);
        QCOMPARE(huge.kind, FilePreview::Kind::Binary);
        QCOMPARE(huge.bytes.size(), FilePreview::kBinaryHead);
        QCOMPARE(huge.size, 12 * 1024 * 1024);
    }

    void tooLargeIsSaidNotFetched()
    {
        const FilePreview big = previewOf(u"/workspace/big.log"_s);
        QCOMPARE(big.kind, FilePreview::Kind::TooLarge);
        QCOMPARE(big.limit, FilePreview::kTextLimit);
        QCOMPARE(big.size, FilePreview::kTextLimit + 1);
        QVERIFY(big.bytes.isEmpty());
    }

    void previewsFoldersAndMissingFiles()
    {
        const FilePreview folder = previewOf(u"/workspace/sub"_s);
        QCOMPARE(folder.kind, FilePreview::Kind::Folder);
        QVERIFY(folder.size >= 2);
        const FilePreview missing = previewOf(u"/workspace/not-there.txt"_s);
        QCOMPARE(missing.kind, FilePreview::Kind::Error);
        QVERIFY(!missing.error.isEmpty());
    }

    void uploadsArriveByteForByte()
    {
        QTemporaryDir local;
        QVERIFY(local.isValid());
        const QByteArray payload = randomBytes(3 * 1024 * 1024 + 17);
        QFile file(local.filePath(u"payload.bin"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(payload);
        file.close();
        QDir(local.path()).mkpath(u"folder/nested"_s);
        QFile a(local.filePath(u"folder/a.txt"_s));
        QVERIFY(a.open(QIODevice::WriteOnly));
        a.write("A\n");
        a.close();
        QFile b(local.filePath(u"folder/nested/b.txt"_s));
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write("B\n");
        b.close();

        QSignalSpy changes(m_session.get(), &FilesSession::uploadChanged);
        const QList<int> ids =
            m_session->upload({file.fileName(), local.filePath(u"folder"_s)}, u"/workspace/up"_s);
        QCOMPARE(ids.size(), 3);
        const auto allDone = [this, ids] {
            const QList<UploadItem> uploads = m_session->uploads();
            return std::all_of(uploads.cbegin(), uploads.cend(), [&ids](const UploadItem &u) {
                return !ids.contains(u.id) || u.state != UploadItem::State::Running;
            });
        };
        QVERIFY(waitUntil(allDone, kWait));
        for (const UploadItem &upload : m_session->uploads()) {
            if (!ids.contains(upload.id))
                continue;
            QCOMPARE(upload.state, UploadItem::State::Completed);
            QCOMPARE(upload.sent, upload.total);
        }
        QVERIFY(changes.count() >= 6); // each: queued, done (and progress between)
        QCOMPARE(read(u"/workspace/up/payload.bin"_s), payload);
        QCOMPARE(read(u"/workspace/up/folder/a.txt"_s), "A\n"_ba);
        QCOMPARE(read(u"/workspace/up/folder/nested/b.txt"_s), "B\n"_ba);
        QTRY_VERIFY_WITH_TIMEOUT(m_session->tree()->indexForPath(u"/workspace/up"_s).isValid(), kWait);
    }

    void aCancelledUploadLeavesNothing()
    {
        QTemporaryDir local;
        QFile file(local.filePath(u"cancelled.bin"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(randomBytes(8 * 1024 * 1024));
        file.close();
        const QList<int> ids = m_session->upload({file.fileName()}, u"/workspace"_s);
        QCOMPARE(ids.size(), 1);
        m_session->cancelUpload(ids.first());
        QCOMPARE(m_session->uploads().last().state, UploadItem::State::Cancelled);
        AWAIT_ERROR(m_fixture->client().listFiles(m_id, u"/workspace/cancelled.bin"_s), 404,
                    "FILE_NOT_FOUND");
    }

    void keepsAndPreviewsArtifacts()
    {
        QVERIFY(m_connection->supports(u"artifacts"_s));
        QSignalSpy messages(m_session.get(), &FilesSession::message);
        m_session->keepAsArtifact(u"/workspace/notes.txt"_s);
        QTRY_VERIFY_WITH_TIMEOUT(m_session->artifacts()->rowCount() >= 1, kWait);
        QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), kWait);
        QVERIFY2(!messages.last().at(1).toBool(), qPrintable(messages.last().at(0).toString()));
        const Artifact kept = *m_session->artifacts()->artifactAt(0);
        QCOMPARE(kept.name, u"notes.txt"_s);
        const FilePreview preview = previewOf(kept.key, true);
        QCOMPARE(preview.kind, FilePreview::Kind::Text);
        QCOMPARE(preview.text, u"first line\nsecond line\n"_s);
    }

    void downloadsGoToTheDownloadEngine()
    {
        QTemporaryDir folder;
        DownloadManager downloads;
        QSignalSpy messages(m_session.get(), &FilesSession::message);
        m_session->download({u"/workspace/image.png"_s}, folder.path());
        QCOMPARE(messages.count(), 1); // no engine yet: said, not dropped
        QVERIFY(messages.first().at(1).toBool());

        m_session->setDownloadManager(&downloads);
        m_session->download({u"/workspace/image.png"_s, u"/workspace/sub"_s}, folder.path());
        QCOMPARE(downloads.items().size(), 2);
        QCOMPARE(downloads.items().at(1).kind, DownloadRequest::Kind::Folder);
        QVERIFY(waitUntil([&downloads] { return downloads.activeCount() == 0; }, kWait));
        for (const DownloadItem &item : downloads.items())
            QVERIFY2(item.state == DownloadItem::State::Completed, qPrintable(item.error));
        QFile png(folder.filePath(u"image.png"_s));
        QVERIFY(png.open(QIODevice::ReadOnly));
        QCOMPARE(png.readAll(), m_png);
        QVERIFY(QFile::exists(folder.filePath(u"sub.zip"_s)));
    }

    void convertsToPdfWhereTheServerCan()
    {
        QString whyNot;
        QVERIFY2(m_documents, "LibreOffice missing: scripts/deps.sh installs it");
        QVERIFY2(m_session->canConvertDocuments(&whyNot), qPrintable(whyNot));
        QVERIFY(FilesSession::isConvertible(u"/workspace/report.md"_s));
        QVERIFY(!FilesSession::isConvertible(u"/workspace/image.png"_s));

        QSignalSpy started(m_session.get(), &FilesSession::conversionStarted);
        QSignalSpy finished(m_session.get(), &FilesSession::conversionFinished);
        QSignalSpy messages(m_session.get(), &FilesSession::message);
        m_session->convertToPdf(u"/workspace/report.md"_s);
        QCOMPARE(started.count(), 1);
        QVERIFY(finished.wait(180000));
        QVERIFY2(finished.first().at(2).toString().isEmpty(), qPrintable(finished.first().at(2).toString()));
        const auto conversion = finished.first().at(1).value<DocumentConversion>();
        QCOMPARE(conversion.outputPath, u"/workspace/report.pdf"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), kWait);
        QVERIFY(messages.last().at(0).toString().startsWith(u"report.md converted to PDF (report.pdf, "_s));

        QTRY_VERIFY_WITH_TIMEOUT(m_session->tree()->indexForPath(u"/workspace/report.pdf"_s).isValid(),
                                 kWait);
        QTRY_VERIFY_WITH_TIMEOUT(m_session->artifacts()->rowOf(conversion.artifact.key) >= 0, kWait);
        const FilePreview pdf = previewOf(u"/workspace/report.pdf"_s);
        QCOMPARE(pdf.kind, FilePreview::Kind::Pdf);
        QVERIFY(pdf.bytes.startsWith("%PDF"));
        const FilePreview artifact = previewOf(conversion.artifact.key, true);
        QCOMPARE(artifact.kind, FilePreview::Kind::Pdf);
        QCOMPARE(artifact.bytes, pdf.bytes);
    }

    void conversionNeedsTheSandboxCapability()
    {
        QVERIFY2(m_documents, "LibreOffice missing: scripts/deps.sh installs it");
        const QString plain = m_fixture->createReady();
        QVERIFY2(!plain.isEmpty(), qPrintable(m_fixture->errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(m_connection->sandbox(plain).has_value(), kWait);
        FilesSession other(m_connection.get(), plain);
        QString whyNot;
        QVERIFY(!other.canConvertDocuments(&whyNot));
        QVERIFY2(whyNot.contains(u"documents capability"_s), qPrintable(whyNot));
    }

    void listsAgainWhenTheServerComesBack()
    {
        WorkspaceTreeModel *tree = m_session->tree();
        m_fixture->server().kill(); // a crash: the sandbox lives on, nobody watches its files
        QTRY_VERIFY_WITH_TIMEOUT(m_connection->status() != Connection::Status::Online, kWait);
        QFile written(m_fixture->workspaceOf(m_id) + u"/while-away.txt"_s);
        QVERIFY(written.open(QIODevice::WriteOnly));
        written.write("written while the server was away\n");
        written.close();
        QVERIFY2(m_fixture->server().restart(), qPrintable(m_fixture->server().errorString()));
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(tree->indexForPath(u"/workspace/while-away.txt"_s).isValid(), kWait);
    }
};

QTEST_MAIN(TestFilesSession)
#include "test_filessession.moc"
