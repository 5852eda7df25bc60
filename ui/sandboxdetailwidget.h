// SPDX-License-Identifier: MIT
#pragma once

#include "models/sandboxkey.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QStackedWidget;
class QTabWidget;

namespace banata {

class AppSettings;
class BrowserPanel;
class CheckpointsPanel;
class ConnectionManager;
class ConsolePanel;
class DownloadManager;
class FilesPanel;
class OperatorJournal;
class SandboxHeader;
class SandboxListModel;
class SandboxSession;
class TasksPanel;
class TimelinePanel;
struct Sandbox;

/**
 * The right side of the window: one sandbox's header and its Browser, Files, Tasks, Checkpoints,
 * Console and Timeline tabs. Opening a sandbox creates its SandboxSession (shared by the tabs);
 * switching deletes it. Each tab's widgets are created the first time the tab is shown — the
 * Browser tab's web view (Qt WebEngine) included, so the app never loads it unless the operator
 * looks at a browser; the Browser and Files tabs fetch only while shown. The tab opens on Tasks;
 * the header follows the list model, so state changes show at once.
 */
class SandboxDetailWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxDetailWidget)

public:
    enum Tab { BrowserTab, FilesTab, TasksTab, CheckpointsTab, ConsoleTab, TimelineTab };
    Q_ENUM(Tab)

    SandboxDetailWidget(ConnectionManager *connections, SandboxListModel *sandboxes, OperatorJournal *journal,
                        AppSettings *settings, QWidget *parent = nullptr);
    ~SandboxDetailWidget() override;

    /// Shows \a key (an invalid key shows the placeholder); the same key again changes nothing.
    void showSandbox(const SandboxKey &key);
    SandboxKey key() const { return m_key; }
    SandboxSession *session() const;
    QTabWidget *tabs() const { return m_tabs; }
    /// Where each session's Files tab hands its downloads: the app's engine, which must outlive
    /// this widget (null: downloads report that they cannot start).
    void setDownloadManager(DownloadManager *downloads);
    DownloadManager *downloadManager() const { return m_downloads; }
    /// Reloads tasks and history, and the Files tab's listings while it is shown (F5).
    void refresh();
    /// Moves the keyboard focus into the current tab (Enter on a list row).
    void focusContent();
    /// Shows \a tab (creating its widgets).
    void showTab(Tab tab);
    /// The Browser tab's panel; nullptr until that tab was shown.
    BrowserPanel *browserPanel() const { return m_browser; }
    /// The Files tab's panel; nullptr until that tab was shown.
    FilesPanel *filesPanel() const { return m_files; }

private:
    void ensureTab(int index);
    void tabChanged(int index);
    void scheduleUpdate();
    void updateFromModel();
    void bindPanels();

    ConnectionManager *m_connections;
    SandboxListModel *m_sandboxes;
    OperatorJournal *m_journal;
    AppSettings *m_settings;
    QStackedWidget *m_stack;
    SandboxHeader *m_header;
    QTabWidget *m_tabs;
    BrowserPanel *m_browser = nullptr;
    FilesPanel *m_files = nullptr;
    TasksPanel *m_tasks = nullptr;
    CheckpointsPanel *m_checkpoints = nullptr;
    ConsolePanel *m_console = nullptr;
    TimelinePanel *m_timeline = nullptr;
    SandboxKey m_key;
    QPointer<SandboxSession> m_session;
    DownloadManager *m_downloads = nullptr; // the app's; outlives this widget
    QTimer m_update;
};

} // namespace banata
