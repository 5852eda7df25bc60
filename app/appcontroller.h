// SPDX-License-Identifier: MIT
#pragma once

#include <QNetworkAccessManager>
#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

namespace banata {

class AppSettings;
class ConnectionManager;
class DownloadManager;
class HandoffInboxModel;
class LocalServerLauncher;
class MainWindow;
class OperatorJournal;
class SandboxListModel;
class SecretStore;

/// How the app was asked to start (the command line, or a test).
struct AppOptions
{
    /// --connect: use only this endpoint (no saved connections, no local server).
    std::optional<QUrl> connectUrl;
    QString apiKey;            ///< with connectUrl: from BANATA_API_KEY or --api-key-file
    QString settingsFile;      ///< empty: the user's settings
    QString journalFile;       ///< empty: <AppDataLocation>/journal.jsonl
    QString localServerBinary; ///< empty: next to the app, then PATH
    QString localDataDir;      ///< empty: from settings
    bool useKeychain = true;   ///< false: keys in memory only (tests)
};

/**
 * The composition root: builds settings, the secret store, connections, the models and the main
 * window, and binds each Connection's signals to the models. Owns everything it builds.
 *
 * Usage (main.cpp and GUI tests):
 *   AppController app(options);
 *   app.start();          // attaches to / starts banata-local unless --connect, connects all
 *   app.window()->show();
 */
class AppController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppController)

public:
    explicit AppController(AppOptions options, QObject *parent = nullptr);
    ~AppController() override;

    void start();

    MainWindow *window() const { return m_window.get(); }
    ConnectionManager *connections() const { return m_connections.get(); }
    SandboxListModel *sandboxes() const { return m_sandboxes.get(); }
    HandoffInboxModel *inbox() const { return m_inbox.get(); }
    OperatorJournal *journal() const { return m_journal.get(); }
    AppSettings *settings() const { return m_settings.get(); }
    SecretStore *secrets() const { return m_secrets.get(); }
    LocalServerLauncher *localServer() const { return m_launcher.get(); }
    /// The app's one download engine (the Files tabs hand it their downloads; the window shows them).
    DownloadManager *downloads() const { return m_downloads.get(); }

private:
    void startLocal();
    void syncRemoteConnections();
    void startConnection(const QString &id, const QString &apiKey);

    AppOptions m_options;
    QNetworkAccessManager m_network;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<OperatorJournal> m_journal;
    std::unique_ptr<ConnectionManager> m_connections;
    std::unique_ptr<SandboxListModel> m_sandboxes;
    std::unique_ptr<HandoffInboxModel> m_inbox;
    std::unique_ptr<LocalServerLauncher> m_launcher;
    std::unique_ptr<DownloadManager> m_downloads; // before the window: its views show the downloads
    std::unique_ptr<MainWindow> m_window;
};

} // namespace banata
