// SPDX-License-Identifier: MIT
#pragma once

#include <QFileSystemWatcher>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;

namespace banata {

/**
 * Finds the embedded banata-local for a data directory, or starts one.
 *
 * A running server is found through `<dataDir>/server.json` (url, pid) and confirmed by
 * `/v1/health` with the key in `<dataDir>/api-key`. Otherwise banata-local is started detached in
 * its own session (port 8787 when free, else any; output appended to `<dataDir>/banata-local.log`) so that sandboxes
 * and the server outlive the app, and the launcher waits for a fresh server.json. If another app
 * started one at the same moment, the loser's server exits on the data directory's lock and both
 * apps attach to the winner.
 *
 * Usage:
 *   LocalServerLauncher launcher(&network, dataDir);
 *   connect(&launcher, &LocalServerLauncher::ready, this, [](const QUrl &url, const QString &key) { … });
 *   connect(&launcher, &LocalServerLauncher::failed, this, [](const QString &why) { … });
 *   launcher.start();
 */
class LocalServerLauncher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalServerLauncher)

public:
    /// \a binary empty: next to the app, the build tree's server/, then PATH.
    LocalServerLauncher(QNetworkAccessManager *network, QString dataDir, QString binary = {},
                        QObject *parent = nullptr);
    ~LocalServerLauncher() override;

    /// The port to ask for when free (default 8787); 0: always any free port.
    void setPreferredPort(quint16 port) { m_preferredPort = port; }
    void start();
    QString dataDir() const { return m_dataDir; }
    /// What is happening, for people ("Starting banata-local…").
    QString statusText() const { return m_statusText; }
    /// True when this launcher started the server (false: attached to a running one).
    bool startedServer() const { return m_started; }
    /// The banata-local executable that would be started; empty when none was found.
    QString resolveBinary() const;

Q_SIGNALS:
    void statusChanged(const QString &text);
    void ready(const QUrl &url, const QString &apiKey);
    void failed(const QString &reason);

private:
    struct ServerInfo
    {
        QUrl url;
        qint64 pid = 0;
        QString apiKeyFile;
    };
    std::optional<ServerInfo> readServerInfo() const;
    void probe(bool startIfAbsent);
    void launch();
    void onServerInfoMaybeChanged();
    void setStatus(const QString &text);
    void fail(const QString &reason);

    QNetworkAccessManager *m_network;
    QString m_dataDir;
    QString m_binary;
    QString m_statusText;
    QFileSystemWatcher m_watcher;
    QTimer m_deadline;
    QTimer m_recheck;
    quint16 m_preferredPort = 8787;
    qint64 m_staleInfoPid = 0; // server.json's pid before we launched: not ours
    bool m_started = false;
    bool m_waiting = false;
    bool m_probing = false;
    bool m_done = false;
};

} // namespace banata
