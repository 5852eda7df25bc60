// SPDX-License-Identifier: MIT
#include "downloadspanel.h"

#include <QAction>
#include <QApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QLoggingCategory>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include "models/downloadlistmodel.h"
#include "models/metatypes.h"
#include "ui/downloads/downloaddelegate.h"
#include "ui/messagebar.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDownloadsPanel, "banata.ui.downloads")

namespace banata {

namespace {

using State = DownloadItem::State;

QIcon themedIcon(const QString &name, QStyle::StandardPixmap fallback)
{
    QIcon icon = QIcon::fromTheme(name);
    return icon.isNull() ? QApplication::style()->standardIcon(fallback) : icon;
}

QAction *makeAction(const QIcon &icon, const QString &text, const char *objectName, QObject *parent)
{
    auto *action = new QAction(icon, text, parent);
    action->setObjectName(QString::fromLatin1(objectName));
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    return action;
}

} // namespace

DownloadsPanel::DownloadsPanel(DownloadListModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_view(new QListView(this))
    , m_conflictBar(new QFrame(this))
    , m_conflictText(new QLabel(m_conflictBar))
    , m_message(new MessageBar(this))
    , m_cancelAction(makeAction(themedIcon(u"process-stop"_s, QStyle::SP_DialogCancelButton), tr("&Cancel"),
                                "cancelDownloadAction", this))
    , m_retryAction(makeAction(themedIcon(u"view-refresh"_s, QStyle::SP_BrowserReload), tr("&Retry"),
                               "retryDownloadAction", this))
    , m_openAction(makeAction(themedIcon(u"document-open"_s, QStyle::SP_FileIcon), tr("&Open"),
                              "openDownloadAction", this))
    , m_openFolderAction(makeAction(themedIcon(u"folder-open"_s, QStyle::SP_DirOpenIcon), tr("Open &folder"),
                                    "openDownloadFolderAction", this))
    , m_clearAction(makeAction(themedIcon(u"edit-clear-history"_s, QStyle::SP_DialogResetButton),
                               tr("C&lear finished"), "clearDownloadsAction", this))
    , m_opener([](const QUrl &url) { return QDesktopServices::openUrl(url); })
{
    setObjectName(u"downloadsPanel"_s);
    m_message->setObjectName(u"downloadsMessage"_s);

    m_cancelAction->setShortcut(QKeySequence::Delete);
    m_cancelAction->setToolTip(tr("Stop the selected download and delete its partial file (Delete)"));
    m_retryAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_retryAction->setToolTip(tr("Start the selected download again, continuing where it stopped (Ctrl+R)"));
    m_openAction->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)});
    m_openAction->setToolTip(tr("Open the downloaded file with its application (Enter)"));
    m_openFolderAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_openFolderAction->setToolTip(tr("Open the folder the file was saved in (Ctrl+Enter)"));
    m_clearAction->setToolTip(tr("Remove finished downloads from the list (the files stay)"));
    connect(m_cancelAction, &QAction::triggered, this, &DownloadsPanel::cancelCurrent);
    connect(m_retryAction, &QAction::triggered, this, &DownloadsPanel::retryCurrent);
    connect(m_openAction, &QAction::triggered, this, &DownloadsPanel::openCurrent);
    connect(m_openFolderAction, &QAction::triggered, this, &DownloadsPanel::openCurrentFolder);
    connect(m_clearAction, &QAction::triggered, this, &DownloadsPanel::clearFinished);

    m_view->setObjectName(u"downloadsView"_s);
    m_view->setModel(m_model);
    m_view->setItemDelegate(new DownloadDelegate(m_view));
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setUniformItemSizes(true);
    m_view->setAlternatingRowColors(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addActions({m_openAction, m_openFolderAction, m_cancelAction, m_retryAction});
    auto *separator = new QAction(this);
    separator->setSeparator(true);
    m_view->addActions({separator, m_clearAction});
    connect(m_view, &QAbstractItemView::doubleClicked, this, &DownloadsPanel::openCurrent);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        updateActions();
        updateConflictBar();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first, int) {
        // A new download becomes current when nothing is, so its actions are one key away.
        if (!m_view->currentIndex().isValid())
            m_view->setCurrentIndex(m_model->index(first, 0));
    });
    auto refresh = [this] {
        updateActions();
        updateConflictBar();
    };
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_model, signal, this, refresh);
    connect(m_model, &QAbstractItemModel::modelReset, this, refresh);
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [refresh](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
                // Progress ticks change nothing here; a state change may.
                if (roles.isEmpty() || roles.contains(DownloadListModel::StateRole))
                    refresh();
            });

    // The question of the current conflicting download (or the oldest one).
    m_conflictBar->setObjectName(u"downloadConflictBar"_s);
    m_conflictBar->setFrameShape(QFrame::StyledPanel);
    m_conflictText->setObjectName(u"downloadConflictText"_s);
    m_conflictText->setWordWrap(true);
    m_conflictText->setTextFormat(Qt::PlainText);
    auto *conflictLayout = new QHBoxLayout(m_conflictBar);
    conflictLayout->setContentsMargins(8, 4, 4, 4);
    conflictLayout->addWidget(m_conflictText, 1);
    const std::tuple<const char *, QString, DownloadManager::ConflictChoice, QString> choices[] = {
        {"conflictReplace", tr("&Replace"), DownloadManager::ConflictChoice::Replace,
         tr("Overwrite the existing file")},
        {"conflictKeepBoth", tr("&Keep both"), DownloadManager::ConflictChoice::KeepBoth,
         tr("Save the download under a numbered name, like “report (1).pdf”")},
        {"conflictSkip", tr("&Skip"), DownloadManager::ConflictChoice::Skip,
         tr("Keep the existing file; do not download")},
    };
    for (const auto &[objectName, text, choice, tip] : choices) {
        auto *button = new QPushButton(text, m_conflictBar);
        button->setObjectName(QString::fromLatin1(objectName));
        button->setToolTip(tip);
        connect(button, &QPushButton::clicked, this, [this, c = choice] { resolveConflict(c); });
        conflictLayout->addWidget(button);
    }
    m_conflictBar->hide();

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(2);
    buttons->addWidget(addButton(m_openAction, u"openDownloadButton"_s));
    buttons->addWidget(addButton(m_openFolderAction, u"openDownloadFolderButton"_s));
    buttons->addWidget(addButton(m_cancelAction, u"cancelDownloadButton"_s));
    buttons->addWidget(addButton(m_retryAction, u"retryDownloadButton"_s));
    buttons->addStretch(1);
    buttons->addWidget(addButton(m_clearAction, u"clearDownloadsButton"_s));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_message);
    layout->addWidget(m_conflictBar);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);
    updateActions();
    updateConflictBar();
}

QToolButton *DownloadsPanel::addButton(QAction *action, const QString &objectName)
{
    auto *button = new QToolButton(this);
    button->setObjectName(objectName);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setAutoRaise(true);
    return button;
}

void DownloadsPanel::setUrlOpener(UrlOpener opener)
{
    m_opener = std::move(opener);
}

std::optional<DownloadItem> DownloadsPanel::currentItem() const
{
    const QModelIndex index = m_view->currentIndex();
    return index.isValid() ? m_model->itemAt(index.row()) : std::nullopt;
}

void DownloadsPanel::cancelCurrent()
{
    const auto item = currentItem();
    if (!item || item->isFinished())
        return;
    qCDebug(lcDownloadsPanel) << "cancel" << item->id;
    m_model->manager()->cancel(item->id);
}

void DownloadsPanel::retryCurrent()
{
    const auto item = currentItem();
    if (item && (item->state == State::Failed || item->state == State::Cancelled))
        m_model->manager()->retry(item->id);
}

void DownloadsPanel::openCurrent()
{
    const auto item = currentItem();
    if (item && item->state == State::Completed)
        open(QUrl::fromLocalFile(item->localPath()));
}

void DownloadsPanel::openCurrentFolder()
{
    if (const auto item = currentItem())
        open(QUrl::fromLocalFile(item->folder));
}

void DownloadsPanel::clearFinished()
{
    m_model->manager()->clearFinished();
}

void DownloadsPanel::resolveConflict(DownloadManager::ConflictChoice choice)
{
    if (m_conflictId == 0)
        return;
    qCDebug(lcDownloadsPanel) << "conflict of" << m_conflictId << "answered" << choice;
    m_model->manager()->resolveConflict(m_conflictId, choice);
}

void DownloadsPanel::open(const QUrl &url)
{
    if (!m_opener(url))
        m_message->showMessage(tr("Nothing could open %1.").arg(QDir::toNativeSeparators(url.toLocalFile())),
                               MessageBar::Warning, 8000);
}

void DownloadsPanel::updateActions()
{
    const auto item = currentItem();
    const State state = item ? item->state : State::Queued;
    m_cancelAction->setEnabled(item && !item->isFinished());
    m_retryAction->setEnabled(item && (state == State::Failed || state == State::Cancelled));
    m_openAction->setEnabled(item && state == State::Completed);
    m_openFolderAction->setEnabled(item.has_value());
    bool anyFinished = false;
    for (int row = 0; row < m_model->rowCount() && !anyFinished; ++row)
        anyFinished = m_model->itemAt(row).value_or(DownloadItem()).isFinished();
    m_clearAction->setEnabled(anyFinished);
}

void DownloadsPanel::updateConflictBar()
{
    std::optional<DownloadItem> asked = currentItem();
    if (!asked || asked->state != State::Conflict) {
        asked.reset();
        for (int row = 0; row < m_model->rowCount() && !asked; ++row) {
            const auto item = m_model->itemAt(row);
            if (item && item->state == State::Conflict)
                asked = item;
        }
    }
    m_conflictId = asked ? asked->id : 0;
    m_conflictBar->setVisible(asked.has_value());
    if (asked)
        m_conflictText->setText(tr("“%1” already exists in %2. Replace it, keep both, or skip this download?")
                                    .arg(asked->fileName, QDir::toNativeSeparators(asked->folder)));
}

} // namespace banata
