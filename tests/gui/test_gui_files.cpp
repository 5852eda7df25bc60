// SPDX-License-Identifier: MIT
// The Files tab against a real banata-local: the workspace tree (folders first, expanding, the
// name filter), a preview of each kind (text with line numbers, JSON pretty-printed, PNG, PDF,
// binary, too large), a file written by a command showing up by itself, local files dropped on a
// folder uploaded byte for byte, Download saving a file into the download folder, and Convert to
// PDF on a Markdown report in a sandbox with the documents capability.
#include <QBuffer>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPainter>
#include <QPdfWriter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>

#include "guitest.h"
#include "models/workspacesortproxy.h"
#include "models/workspacetreemodel.h"
#include "session/appsettings.h"
#include "session/filessession.h"
#include "support/awaitjob.h"
#include "ui/files/codeview.h"
#include "ui/files/filepreviewpane.h"
#include "ui/files/filespanel.h"
#include "ui/files/imageview.h"
#include "ui/files/workspacetreeview.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/sandboxdetailwidget.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray pngBytes(QSize size)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(QColor(0x2e, 0x8b, 0x57));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QByteArray pdfBytes(int pages)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setTitle(u"Quarterly report"_s);
    QPainter painter(&writer);
    for (int page = 1; page <= pages; ++page) {
        if (page > 1)
            writer.newPage();
        painter.drawText(QPointF(200, 400), u"Page %1"_s.arg(page));
    }
    painter.end();
    return bytes;
}

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(6); // the same bytes every run
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(generator.bounded(256));
    return bytes;
}

QByteArray readLocal(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestGuiFiles : public QObject
{
    Q_OBJECT

private:
    bool write(const QString &sandboxId, const QString &path, const QByteArray &bytes)
    {
        FileWriteRequest request;
        request.id = sandboxId;
        request.path = path;
        request.bytes = bytes;
        const auto result = awaitJob(m_fixture.client().writeFile(request));
        return result && result->ok();
    }

    /// Opens \a sandboxId from the list and shows its Files tab (Alt+L, "Fi&les").
    FilesPanel *openFiles(const QString &sandboxId)
    {
        if (!m_fixture.selectInList({sandboxId}))
            return nullptr;
        QTest::keyClick(m_fixture.listView(), Qt::Key_Return);
        SandboxDetailWidget *detail = m_fixture.window()->detail();
        if (!QTest::qWaitFor([&] { return detail->key().sandboxId == sandboxId; }))
            return nullptr;
        QTest::keyClick(detail->tabs(), Qt::Key_L, Qt::AltModifier);
        if (detail->tabs()->currentIndex() != SandboxDetailWidget::FilesTab)
            return nullptr;
        return detail->filesPanel();
    }

    /// The tree's row of \a path, as the view shows it (invalid when it does not).
    QModelIndex rowOf(const QString &path) const
    {
        if (!m_panel || !m_panel->filesSession())
            return {};
        return m_panel->proxy()->mapFromSource(m_panel->filesSession()->tree()->indexForPath(path));
    }

    QString nameAt(int row, const QModelIndex &parent = {}) const
    {
        return m_panel->proxy()->index(row, WorkspaceTreeModel::NameColumn, parent).data().toString();
    }

    /// Clicks \a path's row, as the operator would, and waits until its preview has arrived.
    bool preview(const QString &path)
    {
        WorkspaceTreeView *tree = m_panel->tree();
        if (!QTest::qWaitFor([&] { return rowOf(path).isValid(); }, 10000))
            return false;
        const QModelIndex index = rowOf(path);
        tree->scrollTo(index);
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualRect(index).center());
        FilePreviewPane *pane = m_panel->previewPane();
        return QTest::qWaitFor(
            [&] {
                return pane->hasPreview() && pane->preview().path == path &&
                       pane->preview().kind != FilePreview::Kind::Loading;
            },
            20000);
    }

    bool serverSupports(const QString &extension)
    {
        const auto health = awaitJob(m_fixture.client().health());
        return health && health->ok() && health->value().supports(extension);
    }

    void dragAndDrop(QWidget *target, const QPoint &pos, const QMimeData *mime)
    {
        QDragEnterEvent enter(pos, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &enter);
        QVERIFY(enter.isAccepted());
        QDragMoveEvent move(pos, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &move);
        QVERIFY(move.isAccepted());
        // The folder that will receive the files is outlined while the drag is over it.
        QCOMPARE(m_panel->tree()->dropTarget(), u"/workspace/docs"_s);
        QDropEvent drop(QPointF(pos), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &drop);
        QVERIFY(drop.isAccepted());
        QVERIFY(m_panel->tree()->dropTarget().isEmpty());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_sandbox = m_fixture.createSandbox(u"files"_s);
        QVERIFY(!m_sandbox.id.isEmpty());
        QStringList notes;
        for (int line = 1; line <= 40; ++line)
            notes << u"line %1 of the notes"_s.arg(line);
        m_notes = notes.join(u'\n').toUtf8() + '\n';
        QByteArray elf = QByteArray::fromHex("7f454c46020101000000000000000000") + randomBytes(2000);
        QByteArray big(5 * 1024 * 1024, 'a');
        for (qsizetype i = 79; i < big.size(); i += 80)
            big[i] = '\n';
        QVERIFY(write(m_sandbox.id, u"/workspace/a-notes.txt"_s, m_notes));
        QVERIFY(write(m_sandbox.id, u"/workspace/docs/readme.md"_s, "# Read me\n\nThe docs.\n"));
        QVERIFY(write(m_sandbox.id, u"/workspace/docs/guide.txt"_s, "A guide.\n"));
        QVERIFY(write(m_sandbox.id, u"/workspace/src/main.cpp"_s, "int main() { return 0; }\n"));
        QVERIFY(
            write(m_sandbox.id, u"/workspace/data.json"_s, R"({"name":"report","pages":[1,2,3],"ok":true})"));
        QVERIFY(write(m_sandbox.id, u"/workspace/pic.png"_s, pngBytes(QSize(64, 32))));
        QVERIFY(write(m_sandbox.id, u"/workspace/doc.pdf"_s, pdfBytes(2)));
        QVERIFY(write(m_sandbox.id, u"/workspace/tool.bin"_s, elf));
        QVERIFY(write(m_sandbox.id, u"/workspace/big.txt"_s, big));

        m_panel = openFiles(m_sandbox.id);
        QVERIFY(m_panel);
        QTRY_VERIFY(m_panel->isVisible()); // a new panel is shown by the next event loop pass
        QCOMPARE(m_panel->objectName(), u"filesPanel"_s);
    }

    void treeShowsTheWorkspaceFoldersFirst()
    {
        QAbstractItemModel *proxy = m_panel->proxy();
        QTRY_COMPARE_WITH_TIMEOUT(proxy->rowCount(), 8, 10000);
        // "a-notes.txt" sorts before "docs" by name, but folders come first.
        QCOMPARE(nameAt(0), u"docs"_s);
        QCOMPARE(nameAt(1), u"src"_s);
        QCOMPARE(nameAt(2), u"a-notes.txt"_s);
        QVERIFY(proxy->index(0, 0).data(WorkspaceTreeModel::IsDirectoryRole).toBool());
        QVERIFY(!proxy->index(2, 0).data(WorkspaceTreeModel::IsDirectoryRole).toBool());
    }

    void expandingAFolderListsIt()
    {
        WorkspaceTreeView *tree = m_panel->tree();
        const QModelIndex docs = rowOf(u"/workspace/docs"_s);
        QVERIFY(docs.isValid());
        tree->setFocus();
        tree->setCurrentIndex(docs);
        QTest::keyClick(tree, Qt::Key_Right); // expands, as the operator would
        QTRY_VERIFY(tree->isExpanded(docs));
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->proxy()->rowCount(docs), 2, 10000);
        QCOMPARE(nameAt(0, docs), u"guide.txt"_s);
        QCOMPARE(nameAt(1, docs), u"readme.md"_s);
    }

    void filterNarrowsByName()
    {
        auto *filter = m_fixture.find<QLineEdit>(u"filesFilter"_s);
        QVERIFY(filter);
        QAbstractItemModel *proxy = m_panel->proxy();
        QTest::keyClicks(filter, u"NOTES"_s);
        QTRY_VERIFY(!rowOf(u"/workspace/data.json"_s).isValid());
        QVERIFY(rowOf(u"/workspace/a-notes.txt"_s).isValid());
        for (int row = 0; row < proxy->rowCount(); ++row) {
            const QModelIndex index = proxy->index(row, 0);
            QVERIFY2(index.data(WorkspaceTreeModel::IsDirectoryRole).toBool() ||
                         index.data().toString().contains(u"notes"_s),
                     qPrintable(index.data().toString()));
        }
        filter->clear();
        QTRY_COMPARE(proxy->rowCount(), 8);
    }

    void previewsTextWithLineNumbers()
    {
        QVERIFY(preview(u"/workspace/a-notes.txt"_s));
        FilePreviewPane *pane = m_panel->previewPane();
        QCOMPARE(pane->preview().kind, FilePreview::Kind::Text);
        CodeView *text = pane->textView();
        QCOMPARE(pane->currentPage(), text);
        QCOMPARE(text->objectName(), u"previewText"_s);
        QVERIFY(text->isVisible());
        QCOMPARE(text->toPlainText().toUtf8() + '\n', m_notes);
        QCOMPARE(text->blockCount(), 40);
        QVERIFY(text->gutterWidth() > 0);
        auto *gutter = text->findChild<QWidget *>(u"lineNumberGutter"_s);
        QVERIFY(gutter && gutter->isVisible() && gutter->width() == text->gutterWidth());
        QCOMPARE(text->lineWrapMode(), QPlainTextEdit::NoWrap);
        QVERIFY(text->isReadOnly());
        QVERIFY(m_fixture.find<QLabel>(u"previewHeader"_s)->text().startsWith(u"a-notes.txt"_s));
    }

    void previewsJsonPrettyPrinted()
    {
        QVERIFY(preview(u"/workspace/data.json"_s));
        FilePreviewPane *pane = m_panel->previewPane();
        QCOMPARE(pane->preview().kind, FilePreview::Kind::Json);
        QCOMPARE(pane->currentPage(), pane->textView());
        const QString text = pane->textView()->toPlainText();
        QVERIFY2(pane->textView()->blockCount() > 3, qPrintable(text));
        QVERIFY2(text.contains(u"\"name\": \"report\""_s), qPrintable(text));
    }

    void previewsAnImage()
    {
        QVERIFY(preview(u"/workspace/pic.png"_s));
        FilePreviewPane *pane = m_panel->previewPane();
        QCOMPARE(pane->preview().kind, FilePreview::Kind::Image);
        QCOMPARE(pane->currentPage(), pane->imageView());
        QCOMPARE(pane->imageView()->objectName(), u"previewImage"_s);
        QCOMPARE(pane->imageView()->imageSize(), QSize(64, 32));
        QVERIFY(!pane->imageView()->shownSize().isEmpty());
    }

    void previewsAPdf()
    {
        QVERIFY(preview(u"/workspace/doc.pdf"_s));
        FilePreviewPane *pane = m_panel->previewPane();
        QCOMPARE(pane->preview().kind, FilePreview::Kind::Pdf);
        QCOMPARE(pane->currentPage()->objectName(), u"previewPdf"_s);
        QTRY_COMPARE(pane->pdfPageCount(), 2);
        QTRY_COMPARE(m_fixture.find<QLabel>(u"previewPageCount"_s)->text(), u"2 pages"_s);
    }

    void previewsBinaryAsHex()
    {
        QVERIFY(preview(u"/workspace/tool.bin"_s));
        FilePreviewPane *pane = m_panel->previewPane();
        QCOMPARE(pane->preview().kind, FilePreview::Kind::Binary);
        QCOMPARE(pane->currentPage()->objectName(), u"previewBinary"_s);
        const QString info = m_fixture.find<QLabel>(u"previewBinaryInfo"_s)->text();
        QVERIFY2(info.startsWith(u"Binary file · "_s), qPrintable(info));
        const QString dump = m_fixture.find<QPlainTextEdit>(u"previewHexDump"_s)->toPlainText();
        QVERIFY2(dump.startsWith(u"00000000  7f 45 4c 46"_s), qPrintable(dump.left(80)));
        QVERIFY(dump.contains(u".ELF"_s));
    }

    void tooLargeOffersADownload()
    {
        QVERIFY(preview(u"/workspace/big.txt"_s));
        FilePreviewPane *pane = m_panel->previewPane();
        QCOMPARE(pane->preview().kind, FilePreview::Kind::TooLarge);
        QCOMPARE(pane->currentPage()->objectName(), u"previewTooLarge"_s);
        const QString text = m_fixture.find<QLabel>(u"previewTooLargeText"_s)->text();
        QVERIFY2(text.startsWith(u"Too large to preview"_s) && text.contains(u"download it instead"_s),
                 qPrintable(text));
        auto *download = m_fixture.find<QPushButton>(u"previewDownloadButton"_s);
        QVERIFY(download && download->isVisible() && download->isEnabled());
    }

    void convertIsRefusedWithTheReason()
    {
        // This sandbox was created without the documents capability (or the server has none).
        QVERIFY(preview(u"/workspace/docs/readme.md"_s));
        auto *convert = m_fixture.find<QToolButton>(u"convertButton"_s);
        QVERIFY(convert);
        QTRY_VERIFY(!convert->isEnabled());
        QVERIFY2(convert->toolTip().contains(u"documents"_s), qPrintable(convert->toolTip()));
    }

    void fileWrittenByACommandAppears()
    {
        QVERIFY2(serverSupports(u"fs.watch"_s), "banata-local should watch workspaces (inotify)");
        ExecRequest request;
        request.id = m_sandbox.id;
        request.command = u"echo made by a command > /workspace/live.txt"_s;
        AWAIT_OK(ran, m_fixture.client().exec(request));
        QCOMPARE(ran.exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(u"/workspace/live.txt"_s).isValid(), 10000);
    }

    void droppedFilesUploadIntoTheFolder()
    {
        const QString first = m_fixture.tempPath(u"dropped-notes.txt"_s);
        const QString second = m_fixture.tempPath(u"dropped-data.bin"_s);
        const QByteArray firstBytes = "dropped from the desktop\n";
        const QByteArray secondBytes = randomBytes(300 * 1024);
        for (const auto &[path, bytes] : {std::pair{first, firstBytes}, std::pair{second, secondBytes}}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(bytes), bytes.size());
        }
        // What the operator has open must survive the folder being listed again.
        QVERIFY(preview(u"/workspace/docs/guide.txt"_s));
        WorkspaceTreeView *tree = m_panel->tree();
        const QPersistentModelIndex docs = rowOf(u"/workspace/docs"_s);
        QVERIFY(docs.isValid() && tree->isExpanded(docs));
        tree->scrollTo(docs);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(first), QUrl::fromLocalFile(second)});
        dragAndDrop(tree->viewport(), tree->visualRect(docs).center(), &mime);
        if (QTest::currentTestFailed())
            return;

        QTRY_VERIFY_WITH_TIMEOUT(rowOf(u"/workspace/docs/dropped-notes.txt"_s).isValid(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(u"/workspace/docs/dropped-data.bin"_s).isValid(), 15000);
        QVERIFY(tree->isExpanded(docs));
        QCOMPARE(m_panel->selectedPaths(), QStringList{u"/workspace/docs/guide.txt"_s});
        AWAIT_OK(readFirst,
                 m_fixture.client().readFile(m_sandbox.id, u"/workspace/docs/dropped-notes.txt"_s));
        QCOMPARE(readFirst.bytes, firstBytes);
        AWAIT_OK(readSecond,
                 m_fixture.client().readFile(m_sandbox.id, u"/workspace/docs/dropped-data.bin"_s));
        QCOMPARE(readSecond.bytes, secondBytes);
        QCOMPARE(rowOf(u"/workspace/docs/dropped-data.bin"_s)
                     .siblingAtColumn(0)
                     .data(WorkspaceTreeModel::SizeRole)
                     .toLongLong(),
                 secondBytes.size());
    }

    void downloadSavesIntoTheDownloadFolder()
    {
        QVERIFY(m_fixture.window()->detail()->downloadManager());
        const QString folder = m_fixture.tempPath(u"downloads"_s);
        QVERIFY(QDir().mkpath(folder));
        m_fixture.app()->settings()->setDownloadFolder(folder);
        QVERIFY(preview(u"/workspace/a-notes.txt"_s));
        auto *download = m_fixture.find<QToolButton>(u"downloadFilesButton"_s);
        QVERIFY(download);
        QTRY_VERIFY(download->isEnabled());
        QTest::mouseClick(download, Qt::LeftButton);
        const QString saved = QDir(folder).filePath(u"a-notes.txt"_s);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(saved), 20000);
        QCOMPARE(readLocal(saved), m_notes);
        QVERIFY(!QFile::exists(saved + u".part"_s));

        // Ctrl+S in the tab does the same.
        QVERIFY(preview(u"/workspace/data.json"_s));
        m_panel->tree()->setFocus();
        QTest::keyClick(m_panel->tree(), Qt::Key_S, Qt::ControlModifier);
        const QString json = QDir(folder).filePath(u"data.json"_s);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(json), 20000);
        QCOMPARE(readLocal(json), R"({"name":"report","pages":[1,2,3],"ok":true})");
    }

    void convertsAMarkdownReportToPdf()
    {
        QVERIFY2(serverSupports(u"documents"_s), "LibreOffice missing: scripts/deps.sh installs it");
        CreateSandboxRequest create;
        create.runtime = u"base"_s;
        create.name = u"documents"_s;
        Capabilities capabilities;
        capabilities.documents = DocumentsCapability{};
        create.capabilities = capabilities;
        AWAIT_OK(sandbox, m_fixture.client().createSandbox(create));
        QVERIFY(m_fixture.waitForStatus(sandbox.id, SandboxStatus::Ready));
        QVERIFY(write(sandbox.id, u"/workspace/report.md"_s,
                      "# Quarterly report\n\nRevenue went **up**.\n\n- one\n- two\n"));

        m_panel = openFiles(sandbox.id);
        QVERIFY(m_panel);
        QVERIFY(preview(u"/workspace/report.md"_s));
        auto *convert = m_fixture.find<QToolButton>(u"convertButton"_s);
        QTRY_VERIFY2(convert->isEnabled(), qPrintable(convert->toolTip()));
        QTest::mouseClick(convert, Qt::LeftButton);

        FilePreviewPane *pane = m_panel->previewPane();
        QTRY_VERIFY_WITH_TIMEOUT(pane->preview().path == u"/workspace/report.pdf"_s &&
                                     pane->preview().kind == FilePreview::Kind::Pdf,
                                 90000);
        QTRY_VERIFY(pane->pdfPageCount() >= 1);
        auto *messages = m_fixture.find<MessageBar>(u"filesMessages"_s);
        QVERIFY(messages->isVisible());
        QVERIFY2(messages->text().contains(u"converted to PDF"_s), qPrintable(messages->text()));
        // The new PDF is selected in the tree and kept as an artifact.
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->selectedPaths(), QStringList{u"/workspace/report.pdf"_s}, 10000);
        auto *artifacts = m_fixture.find<QTreeView>(u"artifactsView"_s);
        QTRY_VERIFY(artifacts->model() && artifacts->model()->rowCount() >= 1);
    }

    void treeLayoutIsKept()
    {
        AppSettings *settings = m_fixture.app()->settings();
        QHeaderView *header = m_panel->tree()->header();
        header->resizeSection(WorkspaceTreeModel::SizeColumn, 151);
        // Another sandbox: the panel gets a new tree, arranged as the operator left it.
        const Sandbox other = m_fixture.createSandbox(u"other"_s);
        QVERIFY(!other.id.isEmpty());
        m_panel = openFiles(other.id);
        QVERIFY(m_panel);
        QTRY_COMPARE(m_panel->tree()->header()->count(), int(WorkspaceTreeModel::ColumnCount));
        QCOMPARE(m_panel->tree()->header()->sectionSize(WorkspaceTreeModel::SizeColumn), 151);
        QVERIFY(!settings->layout(AppSettings::Key::FilesTreeHeader).isEmpty());
        QVERIFY(!settings->layout(AppSettings::Key::FilesSplitterState).isEmpty());
    }

private:
    GuiFixture m_fixture;
    Sandbox m_sandbox;
    FilesPanel *m_panel = nullptr;
    QByteArray m_notes;
};

QTEST_MAIN(TestGuiFiles)
#include "test_gui_files.moc"
