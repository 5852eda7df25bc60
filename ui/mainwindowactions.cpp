// SPDX-License-Identifier: MIT
// MainWindow's reactions: selection, bulk results, handoffs taken elsewhere, dialogs, messages.
#include "mainwindow.h"

#include "models/handoffinboxmodel.h"
#include "models/sandboxlistmodel.h"
#include "session/appsettings.h"
#include "session/connectionmanager.h"
#include "ui/browserpanel.h"
#include "ui/bulkstatus.h"
#include "ui/handoffbar.h"
#include "ui/createsandboxdialog.h"
#include "ui/inboxview.h"
#include "ui/messagebar.h"
#include "ui/notifier.h"
#include "ui/sandboxactionset.h"
#include "ui/sandboxdetailwidget.h"
#include "ui/sandboxlistview.h"
#include "ui/settingsdialog.h"

#include <QApplication>
#include <QLoggingCategory>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QHeaderView>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMainWindowActions, "banata.ui.mainwindow.actions")

namespace banata {

namespace {
constexpr int kStatusMessageMs = 4000;
constexpr int kInboxVisibleRows = 4;
} // namespace

void MainWindow::connectSignals()
{
    SandboxListModel *sandboxes = m_context.sandboxes;
    connect(m_list, &SandboxListView::selectionChanged, this,
            [this] { m_sandboxActions->setSelection(m_list->selectedKeys()); });
    connect(m_list, &SandboxListView::currentChanged, this, &MainWindow::currentChanged);
    connect(m_list, &SandboxListView::activated, this, [this](const SandboxKey &key) {
        m_detailDelay.stop();
        m_detail->showSandbox(key);
        m_detail->focusContent();
    });
    // Availability depends on states and connections: re-evaluate when either moves.
    connect(sandboxes, &QAbstractItemModel::dataChanged, m_sandboxActions, &SandboxActionSet::scheduleUpdate);
    connect(sandboxes, &SandboxListModel::countsChanged, m_sandboxActions, &SandboxActionSet::scheduleUpdate);
    connect(sandboxes, &QAbstractItemModel::rowsInserted, this, &MainWindow::tryPendingOpen);
    auto watchConnection = [this](Connection *connection) {
        connect(connection, &Connection::statusChanged, m_sandboxActions, &SandboxActionSet::scheduleUpdate);
    };
    for (Connection *connection : m_context.connections->connections())
        watchConnection(connection);
    connect(m_context.connections, &ConnectionManager::connectionAdded, this, watchConnection);

    connect(m_sandboxActions, &SandboxActionSet::operationStarted, m_bulkProgress, &BulkProgressWidget::track);
    connect(m_sandboxActions, &SandboxActionSet::operationFinished, this, &MainWindow::bulkFinished);

    connect(m_inbox, &InboxView::openRequested, this, &MainWindow::openHandoff);
    connect(m_notifier, &Notifier::openRequested, this, &MainWindow::openHandoff);
    connect(m_inbox, &InboxView::emptyChanged, this, [this](bool empty) {
        if (empty)
            return;
        // Give the inbox room for a few rows without taking the list's space.
        const QTableView *table = m_inbox->table();
        const int wanted = table->horizontalHeader()->height() + kInboxVisibleRows * table->verticalHeader()->defaultSectionSize()
                           + m_inbox->sizeHint().height() - table->sizeHint().height() + 8;
        const int total = m_leftSplitter->height();
        if (total > wanted * 2)
            m_leftSplitter->setSizes({wanted, total - wanted});
    });
    connect(m_context.inbox, &HandoffInboxModel::handoffTaken, this,
            [this](const SandboxKey &key, const Handoff &handoff) { handoffTaken(key, handoff.controller.value_or(QString())); });
    connect(m_context.inbox, &HandoffInboxModel::pendingCountChanged, this, &MainWindow::updateTitle);
}

void MainWindow::openHandoff(const SandboxKey &key)
{
    openSandbox(key);
    m_detail->showTab(SandboxDetailWidget::BrowserTab);
}

void MainWindow::acceptHandoff()
{
    SandboxKey key = m_detail->key();
    const QTableView *table = m_inbox->table();
    if (table->hasFocus() && table->currentIndex().isValid())
        key = table->currentIndex().data(HandoffInboxModel::KeyRole).value<SandboxKey>();
    if (!key.isValid()) {
        statusBar()->showMessage(tr("Select a request in the inbox first."), kStatusMessageMs);
        return;
    }
    openHandoff(key);
    // The session of a just-opened sandbox knows its handoff at once (from the connection).
    BrowserPanel *panel = m_detail->key() == key ? m_detail->browserPanel() : nullptr;
    if (!panel || !panel->handoffBar()->acceptRequest())
        statusBar()->showMessage(tr("%1 has no request waiting for you.").arg(sandboxLabel(key)), kStatusMessageMs);
}

void MainWindow::handBack()
{
    if (m_detail->key().isValid())
        m_detail->showTab(SandboxDetailWidget::BrowserTab);
    BrowserPanel *panel = m_detail->browserPanel();
    if (!panel || !panel->handoffBar()->handBack())
        statusBar()->showMessage(tr("You do not hold this sandbox's browser."), kStatusMessageMs);
}

void MainWindow::currentChanged(const SandboxKey &key)
{
    // A row hidden by a filter is no reason to close what the operator is reading.
    if (!key.isValid() || key == m_detail->key())
        return;
    m_pendingDetail = key;
    m_detailDelay.start();
}

void MainWindow::refreshAll()
{
    for (Connection *connection : m_context.connections->connections())
        connection->refresh();
    m_detail->refresh();
    statusBar()->showMessage(tr("Refreshing…"), kStatusMessageMs);
}

void MainWindow::goToInbox()
{
    if (!m_inbox->focusTable())
        statusBar()->showMessage(tr("Nobody needs you right now."), kStatusMessageMs);
}

void MainWindow::bulkFinished(BulkOperation *operation)
{
    const BulkSummary summary = summarizeBulk(operation->action(), operation->results());
    qCDebug(lcMainWindowActions) << "bulk finished:" << summary.text;
    m_localStatusInBar = false;
    m_messageBar->showMessage(summary.text, summary.type, summary.autoHideMs);
    m_messageBar->setDetails(summary.details);
}

void MainWindow::handoffTaken(const SandboxKey &key, const QString &controller)
{
    // Our own accept needs no announcement.
    if (controller.isEmpty() || controller == m_context.settings->operatorName())
        return;
    m_localStatusInBar = false;
    //: a handoff this operator was shown was accepted by someone else
    m_messageBar->showMessage(tr("%1: taken by %2").arg(sandboxLabel(key), controller), MessageBar::Info, 10000);
}

void MainWindow::updateTitle()
{
    const int pending = m_context.inbox->rowCount();
    const QString app = QApplication::applicationDisplayName().isEmpty() ? tr("Banata Operator")
                                                                          : QApplication::applicationDisplayName();
    if (pending == 0)
        setWindowTitle(app);
    else if (pending == 1)
        setWindowTitle(tr("%1 — 1 needs you").arg(app));
    else
        setWindowTitle(tr("%1 — %n need you", nullptr, pending).arg(app));
}

void MainWindow::tryPendingOpen()
{
    if (m_pendingOpen.isValid() && m_context.sandboxes->rowOf(m_pendingOpen) >= 0)
        openSandbox(m_pendingOpen);
}

QString MainWindow::sandboxLabel(const SandboxKey &key) const
{
    const int row = m_context.sandboxes->rowOf(key);
    const Sandbox *sandbox = row >= 0 ? m_context.sandboxes->sandboxAt(row) : nullptr;
    if (sandbox && sandbox->name && !sandbox->name->isEmpty())
        return *sandbox->name;
    return key.sandboxId;
}

void MainWindow::showCreateSandboxDialog()
{
    if (m_createDialog) {
        m_createDialog->raise();
        m_createDialog->activateWindow();
        return;
    }
    if (m_context.connections->connections().isEmpty()) {
        m_messageBar->showMessage(tr("There is no connection yet: add one in Settings, or turn on the local server."),
                                  MessageBar::Warning);
        return;
    }
    m_createDialog = new CreateSandboxDialog(m_context.connections, m_context.journal,
                                             m_context.settings->operatorName(), this);
    m_createDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_createDialog, &CreateSandboxDialog::created, this, [this](const SandboxKey &key) {
        statusBar()->showMessage(tr("Created %1").arg(key.sandboxId), kStatusMessageMs);
        openSandbox(key);
    });
    m_createDialog->open();
}

void MainWindow::showSettingsDialog()
{
    if (m_settingsDialog) {
        m_settingsDialog->raise();
        m_settingsDialog->activateWindow();
        return;
    }
    m_settingsDialog = new SettingsDialog(m_context.settings, m_context.secrets, m_context.connections, this);
    m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
    m_settingsDialog->open();
}

void MainWindow::showConnectionProblem(const QString &connectionName, const QString &error)
{
    m_localStatusInBar = false;
    m_messageBar->showMessage(tr("%1: %2").arg(connectionName, error), MessageBar::Error);
}

void MainWindow::showLocalServerStatus(const QString &text, bool failed)
{
    if (failed) {
        m_localStatusInBar = true;
        m_messageBar->showMessage(tr("Local server: %1").arg(text), MessageBar::Error);
        return;
    }
    if (m_localStatusInBar) {
        m_localStatusInBar = false;
        m_messageBar->dismiss();
    }
    if (text.isEmpty())
        statusBar()->clearMessage();
    else
        statusBar()->showMessage(text);
}

} // namespace banata
