// SPDX-License-Identifier: MIT
#pragma once

#include "models/sandboxkey.h"
#include "session/sandboxactions.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <array>
#include <memory>

class QDockWidget;
class QMessageBox;
class QSplitter;

namespace banata {

class AppSettings;
class BulkProgressWidget;
class ConnectionManager;
class ConnectionStatusArea;
class CreateSandboxDialog;
class DownloadListModel;
class DownloadManager;
class DownloadsPanel;
class HandoffInboxModel;
class InboxView;
class MessageBar;
class Notifier;
class OperatorJournal;
class SandboxActionSet;
class SandboxDetailWidget;
class SandboxListModel;
class SandboxListView;
class SecretStore;
class SettingsDialog;

/// What the main window works with; everything is owned by the caller and outlives the window.
struct MainWindowContext
{
    ConnectionManager *connections = nullptr;
    SandboxListModel *sandboxes = nullptr;
    HandoffInboxModel *inbox = nullptr;
    OperatorJournal *journal = nullptr;
    AppSettings *settings = nullptr;
    SecretStore *secrets = nullptr;
    /// The app's one download engine; when null (the window alone, in tests) the window keeps its own.
    DownloadManager *downloads = nullptr;
};

/**
 * The operator's window: the "Needs you" inbox above the sandbox list on the left, the selected
 * sandbox's detail on the right, lifecycle actions in the toolbar and menus, one status widget
 * per connection and bulk progress in the status bar, and an inline message bar for results and
 * errors. Restores its geometry, splitter and column layout from AppSettings.
 */
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    /// The window's own actions; the lifecycle ones are action(SandboxAction).
    enum class Action {
        NewSandbox, Refresh, FocusSearch, GoToInbox, GoToList, Settings, Quit, AcceptHandoff, HandBack,
        Downloads, ///< shows or hides the Downloads dock (Ctrl+Shift+J); its text counts the running ones
        Count
    };

    explicit MainWindow(const MainWindowContext &context, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Selects \a key in the list (clearing filters that hide it) and shows its detail. A sandbox
    /// not listed yet (just created) opens as soon as its row arrives.
    void openSandbox(const SandboxKey &key);
    /// Opens \a key on its Browser tab (from the inbox or a notification).
    void openHandoff(const SandboxKey &key);
    /// Ctrl+Shift+A: accepts the request of the inbox's current row (when the inbox has the
    /// focus) or of the sandbox shown, on its Browser tab.
    void acceptHandoff();
    /// Ctrl+Shift+H: hand back the browser this operator holds in the sandbox shown.
    void handBack();
    /// The sandbox the detail shows.
    SandboxKey currentSandbox() const;
    QList<SandboxKey> selectedSandboxes() const;

    void showCreateSandboxDialog();
    void showSettingsDialog();
    /// A connection could not start (e.g. its key is missing from the keychain): inline error.
    void showConnectionProblem(const QString &connectionName, const QString &error);
    /// The embedded server's start-up progress (status bar) or failure (message bar); empty clears.
    void showLocalServerStatus(const QString &text, bool failed);

    QAction *action(SandboxAction action) const;
    QAction *action(Action action) const { return m_actions[size_t(action)]; }
    SandboxListView *sandboxList() const { return m_list; }
    InboxView *inboxView() const { return m_inbox; }
    SandboxDetailWidget *detail() const { return m_detail; }
    MessageBar *messageBar() const { return m_messageBar; }
    Notifier *notifier() const { return m_notifier; }
    DownloadManager *downloads() const { return m_downloads; }
    QDockWidget *downloadsDock() const { return m_downloadsDock; }
    DownloadsPanel *downloadsPanel() const { return m_downloadsPanel; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenusAndToolBar();
    void createDownloadsDock();
    void updateDownloadsTitle();
    /// Closing stops running downloads: asks first (non-blocking); true when it may close now.
    bool confirmCloseWithDownloads();
    void connectSignals();
    void restoreLayout();
    void saveLayout();
    void currentChanged(const SandboxKey &key);
    void refreshAll();
    void goToInbox();
    void bulkFinished(BulkOperation *operation);
    void handoffTaken(const SandboxKey &key, const QString &controller);
    void updateTitle();
    void tryPendingOpen();
    QString sandboxLabel(const SandboxKey &key) const;

    MainWindowContext m_context;
    MessageBar *m_messageBar;
    SandboxListView *m_list;
    InboxView *m_inbox;
    SandboxDetailWidget *m_detail;
    QSplitter *m_mainSplitter;
    QSplitter *m_leftSplitter;
    SandboxActionSet *m_sandboxActions;
    BulkProgressWidget *m_bulkProgress;
    ConnectionStatusArea *m_connectionStatus;
    Notifier *m_notifier;
    std::unique_ptr<DownloadManager> m_ownDownloads;
    DownloadManager *m_downloads;
    DownloadListModel *m_downloadModel;
    DownloadsPanel *m_downloadsPanel;
    QDockWidget *m_downloadsDock;
    QPointer<QMessageBox> m_closeQuestion;
    bool m_closeConfirmed = false;
    std::array<QAction *, size_t(Action::Count)> m_actions{};
    QPointer<CreateSandboxDialog> m_createDialog;
    QPointer<SettingsDialog> m_settingsDialog;
    SandboxKey m_pendingOpen;
    SandboxKey m_pendingDetail; ///< the row the list moved to, shown after a short pause
    QTimer m_detailDelay;
    bool m_localStatusInBar = false;
};

} // namespace banata
