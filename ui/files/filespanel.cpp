// SPDX-License-Identifier: MIT
#include "filespanel.h"

#include <QAction>
#include <QApplication>
#include <QHeaderView>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QSplitter>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/workspacesortproxy.h"
#include "models/workspacetreemodel.h"
#include "session/appsettings.h"
#include "session/filessession.h"
#include "session/sandboxsession.h"
#include "ui/files/artifactssection.h"
#include "ui/files/filepreviewpane.h"
#include "ui/files/uploadsstrip.h"
#include "ui/files/workspacetreeview.h"
#include "ui/icons.h"
#include "ui/messagebar.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFilesPanel, "banata.ui.files")

namespace banata {

namespace {
constexpr int kPreviewDelayMs = 200; // selection moving with the arrow keys previews once it rests
constexpr int kFilterDelayMs = 150;
constexpr int kLayoutSaveDelayMs = 500;

QIcon themed(const QString &name, QStyle::StandardPixmap fallback)
{
    return QIcon::fromTheme(name, QApplication::style()->standardIcon(fallback));
}
} // namespace

FilesPanel::FilesPanel(AppSettings *settings, QWidget *parent)
    : QWidget(parent)
    , m_settings(settings)
    , m_messages(new MessageBar(this))
    , m_filter(new QLineEdit(this))
    , m_toolBar(new QToolBar(this))
    , m_proxy(new WorkspaceSortProxy(this))
    , m_tree(new WorkspaceTreeView(this))
    , m_uploads(new UploadsStrip(this))
    , m_artifacts(new ArtifactsSection(this))
    , m_preview(new FilePreviewPane(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
{
    setObjectName(u"filesPanel"_s);
    m_messages->setObjectName(u"filesMessages"_s);
    m_filter->setObjectName(u"filesFilter"_s);
    m_filter->setPlaceholderText(tr("Filter by name"));
    m_filter->setClearButtonEnabled(true);
    m_filter->addAction(Icons::icon(Icons::Id::Search), QLineEdit::LeadingPosition);
    m_toolBar->setObjectName(u"filesToolBar"_s);
    m_toolBar->setIconSize(QSize(16, 16));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_tree->setModel(m_proxy);
    buildActions();

    // Left: the tree with its uploads over the artifacts; right: the preview.
    auto *treeArea = new QWidget(this);
    auto *treeLayout = new QVBoxLayout(treeArea);
    treeLayout->setContentsMargins(0, 0, 0, 0);
    treeLayout->setSpacing(2);
    treeLayout->addWidget(m_filter);
    treeLayout->addWidget(m_tree, 1);
    treeLayout->addWidget(m_uploads);
    auto *left = new QSplitter(Qt::Vertical, this);
    left->setObjectName(u"filesTreeSplitter"_s);
    left->setChildrenCollapsible(false);
    left->addWidget(treeArea);
    left->addWidget(m_artifacts);
    left->setStretchFactor(0, 4);
    left->setStretchFactor(1, 1);
    m_splitter->setObjectName(u"filesSplitter"_s);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(left);
    m_splitter->addWidget(m_preview);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_messages);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_splitter, 1);

    m_previewTimer.setSingleShot(true);
    m_previewTimer.setInterval(kPreviewDelayMs);
    connect(&m_previewTimer, &QTimer::timeout, this, [this] { previewCurrent(false); });
    m_filterTimer.setSingleShot(true);
    m_filterTimer.setInterval(kFilterDelayMs);
    connect(&m_filterTimer, &QTimer::timeout, this,
            [this] { m_proxy->setNameFilter(m_filter->text().trimmed()); });
    connect(m_filter, &QLineEdit::textChanged, this, [this] { m_filterTimer.start(); });
    m_layoutTimer.setSingleShot(true);
    m_layoutTimer.setInterval(kLayoutSaveDelayMs);
    connect(&m_layoutTimer, &QTimer::timeout, this, &FilesPanel::saveLayout);

    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &FilesPanel::updateActions);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this] { m_previewTimer.start(); });
    connect(m_tree, &QTreeView::activated, this, [this] { previewCurrent(true); });
    connect(m_tree, &QWidget::customContextMenuRequested, this, &FilesPanel::showContextMenu);
    connect(m_tree, &WorkspaceTreeView::filesDropped, this, &FilesPanel::uploadDropped);
    connect(m_uploads, &UploadsStrip::cancelRequested, this, [this](int id) {
        if (m_files)
            m_files->cancelUpload(id);
    });
    connect(m_artifacts, &ArtifactsSection::previewRequested, this, &FilesPanel::previewArtifact);
    connect(m_artifacts, &ArtifactsSection::downloadRequested, this, &FilesPanel::downloadArtifact);
    connect(m_preview, &FilePreviewPane::downloadRequested, this, &FilesPanel::downloadPreviewed);
    QHeaderView *header = m_tree->header();
    connect(header, &QHeaderView::sectionResized, this, &FilesPanel::scheduleLayoutSave);
    connect(header, &QHeaderView::sectionMoved, this, &FilesPanel::scheduleLayoutSave);
    connect(header, &QHeaderView::sortIndicatorChanged, this, &FilesPanel::scheduleLayoutSave);
    connect(m_splitter, &QSplitter::splitterMoved, this, &FilesPanel::scheduleLayoutSave);

    if (!m_splitter->restoreState(m_settings->layout(AppSettings::Key::FilesSplitterState)))
        m_splitter->setSizes({420, 380});
    updateActions();
}

FilesPanel::~FilesPanel()
{
    if (m_layoutTimer.isActive())
        saveLayout();
}

void FilesPanel::buildActions()
{
    struct Spec
    {
        QAction **action;
        const char *actionName;
        const char *buttonName;
        QString text;
        QIcon icon;
    };
    const QList<Spec> specs = {
        {&m_downloadAction, "downloadFilesAction", "downloadFilesButton", tr("&Download"),
         themed(u"document-save"_s, QStyle::SP_DialogSaveButton)},
        {&m_downloadToAction, "downloadToAction", "downloadToButton", tr("Download &to…"),
         themed(u"document-save-as"_s, QStyle::SP_DirOpenIcon)},
        {&m_uploadAction, "uploadAction", "uploadButton", tr("&Upload…"),
         themed(u"document-open"_s, QStyle::SP_ArrowUp)},
        {&m_convertAction, "convertAction", "convertButton", tr("Convert to &PDF"),
         themed(u"application-pdf"_s, QStyle::SP_FileDialogDetailedView)},
        {&m_keepAction, "keepArtifactAction", "keepArtifactButton", tr("&Keep as artifact"),
         themed(u"bookmark-new"_s, QStyle::SP_DialogApplyButton)},
        {&m_refreshAction, "refreshFilesAction", "refreshFilesButton", tr("&Refresh"),
         Icons::icon(Icons::Id::Refresh)},
    };
    for (const Spec &spec : specs) {
        auto *action = new QAction(spec.icon, spec.text, this);
        action->setObjectName(QLatin1StringView(spec.actionName));
        m_toolBar->addAction(action);
        if (QWidget *button = m_toolBar->widgetForAction(action))
            button->setObjectName(QLatin1StringView(spec.buttonName));
        *spec.action = action;
    }
    // Within the tab only: the window's own shortcuts keep working elsewhere.
    m_downloadAction->setShortcut(QKeySequence::Save);
    m_downloadAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_downloadAction);
    m_refreshAction->setToolTip(tr("List the workspace and the artifacts again (F5)"));
    // The tab is often narrow: the actions with a context-menu twin show only their icon.
    for (QAction *action : {m_keepAction, m_refreshAction}) {
        if (auto *button = qobject_cast<QToolButton *>(m_toolBar->widgetForAction(action)))
            button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }
    m_previewAction = new QAction(tr("Pre&view"), this);
    m_previewAction->setObjectName(u"previewFileAction"_s);

    connect(m_previewAction, &QAction::triggered, this, [this] { previewCurrent(true); });
    connect(m_downloadAction, &QAction::triggered, this, [this] { downloadSelected(false); });
    connect(m_downloadToAction, &QAction::triggered, this, [this] { downloadSelected(true); });
    connect(m_uploadAction, &QAction::triggered, this,
            [this] { uploadFiles(m_tree->folderFor(m_tree->currentIndex())); });
    connect(m_convertAction, &QAction::triggered, this, &FilesPanel::convertSelected);
    connect(m_keepAction, &QAction::triggered, this, &FilesPanel::keepSelected);
    connect(m_refreshAction, &QAction::triggered, this, &FilesPanel::refresh);
}

void FilesPanel::setSession(SandboxSession *session)
{
    FilesSession *files = session ? session->files() : nullptr;
    if (m_session == session && m_files == files)
        return;
    if (m_files) {
        disconnect(m_files, nullptr, this, nullptr);
        disconnect(m_files, nullptr, m_uploads, nullptr);
        disconnect(m_files->tree(), nullptr, this, nullptr);
        m_files->setActive(false);
    }
    // The header loses its sections with the model: keep what the operator arranged.
    saveLayout();
    m_session = session;
    m_files = files;
    qCDebug(lcFilesPanel) << "showing" << (session ? session->sandboxId() : QString());
    m_previewTimer.stop();
    m_previewPath.clear();
    m_previewArtifactKey.clear();
    m_pendingSelect.clear();
    m_sandboxEnded = false;
    m_messages->dismiss();
    m_preview->clear();
    bindSession();
    updateActions();
}

void FilesPanel::bindSession()
{
    FilesSession *files = m_files;
    m_proxy->setSourceModel(files ? files->tree() : nullptr);
    m_artifacts->setModel(files ? files->artifacts() : nullptr);
    m_uploads->reset(files ? files->uploads() : QList<UploadItem>());
    if (!files)
        return;
    restoreLayout();
    WorkspaceTreeModel *tree = files->tree();
    connect(files, &FilesSession::previewChanged, this,
            [this](const FilePreview &preview) { m_preview->showPreview(preview); });
    connect(files, &FilesSession::uploadChanged, m_uploads, &UploadsStrip::updateUpload);
    connect(files, &FilesSession::message, this, &FilesPanel::showSessionMessage);
    connect(files, &FilesSession::conversionStarted, this, &FilesPanel::conversionStarted);
    connect(files, &FilesSession::conversionFinished, this, &FilesPanel::conversionFinished);
    connect(tree, &WorkspaceTreeModel::folderLoaded, this, [this] {
        trySelectPending();
        updateActions();
    });
    connect(tree, &QAbstractItemModel::rowsInserted, this, &FilesPanel::trySelectPending);
    connect(tree, &QAbstractItemModel::dataChanged, this, &FilesPanel::sourceDataChanged);
    files->setActive(m_active);
}

void FilesPanel::setSandbox(const Sandbox &sandbox)
{
    m_sandboxEnded = isTerminal(sandbox.status) || sandbox.status == SandboxStatus::Ending;
    updateActions();
}

void FilesPanel::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    if (m_files)
        m_files->setActive(active);
    updateActions();
}

void FilesPanel::refresh()
{
    if (m_files)
        m_files->refresh();
}

QStringList FilesPanel::selectedPaths() const
{
    // One index per selected row; Loading and Error rows cannot be selected but are skipped anyway.
    const QModelIndexList rows = m_tree->selectionModel()->selectedRows(WorkspaceTreeModel::NameColumn);
    QStringList paths;
    paths.reserve(rows.size());
    for (const QModelIndex &row : rows) {
        if (WorkspaceTreeModel::RowKind(row.data(WorkspaceTreeModel::RowKindRole).toInt()) ==
            WorkspaceTreeModel::RowKind::Entry)
            paths << row.data(WorkspaceTreeModel::PathRole).toString();
    }
    return paths;
}

bool FilesPanel::selectPath(const QString &path)
{
    if (!m_files)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_files->tree()->indexForPath(path));
    if (!index.isValid())
        return false;
    for (QModelIndex parent = index.parent(); parent.isValid(); parent = parent.parent())
        m_tree->expand(parent);
    m_tree->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
    m_tree->scrollTo(index);
    return true;
}

void FilesPanel::restoreLayout()
{
    QHeaderView *header = m_tree->header();
    if (header->count() != WorkspaceTreeModel::ColumnCount)
        return;
    const QByteArray state = m_settings->layout(AppSettings::Key::FilesTreeHeader);
    if (state.isEmpty() || !header->restoreState(state)) {
        header->setSectionResizeMode(WorkspaceTreeModel::NameColumn, QHeaderView::Stretch);
        header->resizeSection(WorkspaceTreeModel::SizeColumn, 70);
        header->resizeSection(WorkspaceTreeModel::ModifiedColumn, 125);
        header->resizeSection(WorkspaceTreeModel::TypeColumn, 90);
        header->setSortIndicator(WorkspaceTreeModel::NameColumn, Qt::AscendingOrder);
    }
    m_tree->setSortingEnabled(true);
    m_headerRestored = true;
}

void FilesPanel::scheduleLayoutSave()
{
    m_layoutTimer.start();
}

void FilesPanel::saveLayout()
{
    m_layoutTimer.stop();
    m_settings->setLayout(AppSettings::Key::FilesSplitterState, m_splitter->saveState());
    // Only a header with its columns: an empty one (no sandbox) would overwrite the widths.
    if (m_headerRestored && m_tree->header()->count() == WorkspaceTreeModel::ColumnCount)
        m_settings->setLayout(AppSettings::Key::FilesTreeHeader, m_tree->header()->saveState());
}

void FilesPanel::updateActions()
{
    const bool has = !m_files.isNull();
    // Counted from the selection itself: selecting 100,000 rows must not look each one up again.
    const QModelIndexList rows = m_tree->selectionModel()->selectedRows(WorkspaceTreeModel::NameColumn);
    QStringList paths;
    qsizetype folders = 0;
    for (const QModelIndex &row : rows) {
        if (WorkspaceTreeModel::RowKind(row.data(WorkspaceTreeModel::RowKindRole).toInt()) !=
            WorkspaceTreeModel::RowKind::Entry)
            continue;
        if (row.data(WorkspaceTreeModel::IsDirectoryRole).toBool())
            ++folders;
        if (paths.size() < 2) // the convert action needs to know about one
            paths << row.data(WorkspaceTreeModel::PathRole).toString();
    }
    const qsizetype selected = rows.size();
    m_previewAction->setEnabled(has && m_tree->currentIndex().isValid());
    m_downloadAction->setEnabled(has && selected > 0);
    m_downloadAction->setToolTip(
        selected == 0 ? tr("Select files or folders to download (Ctrl+S)")
                      : tr("Download the selection to %1 (Ctrl+S)").arg(m_settings->downloadFolder()));
    m_downloadToAction->setEnabled(has && selected > 0);
    m_downloadToAction->setToolTip(tr("Download the selection to a folder you choose"));
    m_uploadAction->setEnabled(has && !m_sandboxEnded);
    m_uploadAction->setToolTip(
        m_sandboxEnded ? tr("The sandbox has ended: nothing can be uploaded")
                       : tr("Upload local files into the selected folder (or drop them on the tree)"));
    m_keepAction->setEnabled(has && selected > 0 && folders == 0);
    m_keepAction->setToolTip(
        tr("Keep the selected files as artifacts: they outlive restores and the sandbox"));
    m_refreshAction->setEnabled(has);

    QString whyNot;
    if (!has) {
        whyNot = tr("No sandbox selected.");
    } else if (!m_files->canConvertDocuments(&whyNot)) {
        if (whyNot.isEmpty())
            whyNot = tr("This sandbox cannot convert documents.");
    } else if (selected != 1 || folders != 0 || paths.size() != 1) {
        whyNot = tr("Select one document (Markdown, HTML, ODT, DOCX…) to convert it to PDF.");
    } else if (!FilesSession::isConvertible(paths.constFirst())) {
        whyNot = tr("This kind of file cannot be converted to PDF.");
    }
    m_convertAction->setEnabled(whyNot.isEmpty());
    m_convertAction->setToolTip(
        whyNot.isEmpty()
            ? tr("Convert %1 to PDF (kept as an artifact too)").arg(paths.constFirst().section(u'/', -1))
            : whyNot);
}

} // namespace banata
