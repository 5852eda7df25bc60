// SPDX-License-Identifier: MIT
#include "sandboxdetailwidget.h"

#include "models/sandboxlistmodel.h"
#include "session/appsettings.h"
#include "session/connectionmanager.h"
#include "session/connection.h"
#include "session/filessession.h"
#include "session/sandboxsession.h"
#include "ui/browserpanel.h"
#include "ui/checkpointspanel.h"
#include "ui/consolepanel.h"
#include "ui/files/filespanel.h"
#include "ui/sandboxheader.h"
#include "ui/taskspanel.h"
#include "ui/timelinepanel.h"

#include <QLabel>
#include <QLoggingCategory>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDetail, "banata.ui.detail")

namespace banata {

SandboxDetailWidget::SandboxDetailWidget(ConnectionManager *connections, SandboxListModel *sandboxes,
                                         OperatorJournal *journal, AppSettings *settings, QWidget *parent)
    : QWidget(parent)
    , m_connections(connections)
    , m_sandboxes(sandboxes)
    , m_journal(journal)
    , m_settings(settings)
    , m_stack(new QStackedWidget(this))
    , m_header(new SandboxHeader(this))
    , m_tabs(new QTabWidget(this))
{
    setObjectName(u"detailPane"_s);
    auto *placeholder = new QLabel(
        tr("Select a sandbox to see its browser, files, tasks, checkpoints, console and timeline."), this);
    placeholder->setObjectName(u"detailPlaceholder"_s);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setWordWrap(true);
    placeholder->setEnabled(false);

    m_header->setObjectName(u"detailHeader"_s);
    m_tabs->setObjectName(u"detailTabs"_s);
    m_tabs->setDocumentMode(true);
    // In Tab order; Alt+F stays the File menu's.
    const QStringList titles = {tr("&Browser"),     tr("Fi&les"),   tr("&Tasks"),
                                tr("Chec&kpoints"), tr("C&onsole"), tr("Ti&meline")};
    for (const QString &title : titles) {
        auto *page = new QWidget(m_tabs);
        auto *pageLayout = new QVBoxLayout(page);
        pageLayout->setContentsMargins(0, 0, 0, 0);
        m_tabs->addTab(page, title);
    }
    // Tasks first: the browser (and WebEngine) only when the operator asks for it.
    m_tabs->setCurrentIndex(TasksTab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &SandboxDetailWidget::tabChanged);

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->setSpacing(4);
    contentLayout->addWidget(m_header);
    contentLayout->addWidget(m_tabs, 1);
    m_stack->addWidget(placeholder);
    m_stack->addWidget(content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    m_update.setSingleShot(true);
    m_update.setInterval(0);
    connect(&m_update, &QTimer::timeout, this, &SandboxDetailWidget::updateFromModel);
    connect(m_sandboxes, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                const int row = m_sandboxes->rowOf(m_key);
                if (row >= topLeft.row() && row <= bottomRight.row())
                    scheduleUpdate();
            });
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_sandboxes, signal, this, &SandboxDetailWidget::scheduleUpdate);
    connect(m_sandboxes, &QAbstractItemModel::modelReset, this, &SandboxDetailWidget::scheduleUpdate);
}

SandboxDetailWidget::~SandboxDetailWidget()
{
    // The panels hold the session's models: unbind them before the session goes.
    m_key = {};
    bindPanels();
    delete m_session;
}

void SandboxDetailWidget::showSandbox(const SandboxKey &key)
{
    // The same key again is a no-op, unless its connection was missing the first time.
    if (key == m_key && (m_session || !key.isValid()))
        return;
    SandboxSession *old = m_session;
    m_key = key;
    m_session = nullptr;
    if (key.isValid()) {
        Connection *connection = m_connections->connection(key.connectionId);
        if (connection) {
            m_session = new SandboxSession(connection, key.sandboxId, m_journal, m_settings->operatorName(), this);
            m_session->files()->setDownloadManager(m_downloads);
            qCDebug(lcDetail) << "opened" << key.connectionId << key.sandboxId;
        } else {
            qCWarning(lcDetail) << "no connection" << key.connectionId << "for" << key.sandboxId;
        }
    }
    bindPanels();
    delete old;
    m_stack->setCurrentIndex(key.isValid() ? 1 : 0);
    ensureTab(m_tabs->currentIndex());
    updateFromModel();
}

SandboxSession *SandboxDetailWidget::session() const
{
    return m_session;
}

void SandboxDetailWidget::setDownloadManager(DownloadManager *downloads)
{
    m_downloads = downloads;
    if (m_session)
        m_session->files()->setDownloadManager(downloads);
}

void SandboxDetailWidget::refresh()
{
    if (!m_session)
        return;
    m_session->refresh();
    if (m_files && m_tabs->currentIndex() == FilesTab)
        m_files->refresh();
}

void SandboxDetailWidget::focusContent()
{
    if (!m_key.isValid())
        return;
    ensureTab(m_tabs->currentIndex());
    QWidget *page = m_tabs->currentWidget();
    if (QWidget *next = page ? page->nextInFocusChain() : nullptr; next && page->isAncestorOf(next))
        next->setFocus(Qt::OtherFocusReason);
    else
        m_tabs->setFocus(Qt::OtherFocusReason);
}

void SandboxDetailWidget::showTab(Tab tab)
{
    if (m_tabs->currentIndex() == tab)
        ensureTab(tab);
    else
        m_tabs->setCurrentIndex(tab);
}

void SandboxDetailWidget::tabChanged(int index)
{
    ensureTab(index);
    if (m_browser)
        m_browser->setActive(index == BrowserTab && m_key.isValid());
    if (m_files)
        m_files->setActive(index == FilesTab && m_key.isValid());
}

void SandboxDetailWidget::ensureTab(int index)
{
    if (index < 0 || !m_key.isValid())
        return;
    QWidget *page = m_tabs->widget(index);
    // Only the new panel is bound: rebinding the others would clear what they show.
    if (index == BrowserTab && !m_browser) {
        m_browser = new BrowserPanel(m_settings, page);
        page->layout()->addWidget(m_browser);
        m_browser->setSession(m_session);
        m_browser->setActive(m_tabs->currentIndex() == BrowserTab);
    } else if (index == FilesTab && !m_files) {
        m_files = new FilesPanel(m_settings, page);
        page->layout()->addWidget(m_files);
        m_files->setSession(m_session);
        m_files->setActive(m_tabs->currentIndex() == FilesTab);
    } else if (index == TasksTab && !m_tasks) {
        m_tasks = new TasksPanel(page);
        page->layout()->addWidget(m_tasks);
        m_tasks->setSession(m_session);
    } else if (index == CheckpointsTab && !m_checkpoints) {
        m_checkpoints = new CheckpointsPanel(m_session, m_settings, page);
        page->layout()->addWidget(m_checkpoints);
    } else if (index == ConsoleTab && !m_console) {
        m_console = new ConsolePanel(page);
        page->layout()->addWidget(m_console);
        m_console->setSession(m_session);
    } else if (index == TimelineTab && !m_timeline) {
        m_timeline = new TimelinePanel(page);
        page->layout()->addWidget(m_timeline);
        m_timeline->setSession(m_session);
    } else {
        return;
    }
    updateFromModel();
}

void SandboxDetailWidget::scheduleUpdate()
{
    if (m_key.isValid() && !m_update.isActive())
        m_update.start();
}

void SandboxDetailWidget::updateFromModel()
{
    if (!m_key.isValid())
        return;
    const int row = m_sandboxes->rowOf(m_key);
    const Sandbox *sandbox = row >= 0 ? m_sandboxes->sandboxAt(row) : nullptr;
    m_header->setGone(!sandbox);
    if (!sandbox)
        return;
    const Connection *connection = m_connections->connection(m_key.connectionId);
    m_header->setSandbox(*sandbox, connection ? connection->name() : m_key.connectionId);
    if (m_browser)
        m_browser->setSandbox(*sandbox);
    if (m_files)
        m_files->setSandbox(*sandbox);
    if (m_tasks)
        m_tasks->setSandbox(*sandbox);
    if (m_console)
        m_console->setSandbox(*sandbox);
}

void SandboxDetailWidget::bindPanels()
{
    SandboxSession *session = m_session;
    if (m_browser) {
        m_browser->setSession(session);
        m_browser->setActive(session && m_tabs->currentIndex() == BrowserTab);
    }
    if (m_files) {
        m_files->setSession(session);
        m_files->setActive(session && m_tabs->currentIndex() == FilesTab);
    }
    if (m_tasks)
        m_tasks->setSession(session);
    if (m_checkpoints)
        m_checkpoints->setSession(session);
    if (m_console)
        m_console->setSession(session);
    if (m_timeline)
        m_timeline->setSession(session);
}

} // namespace banata
