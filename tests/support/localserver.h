// SPDX-License-Identifier: MIT
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace banata::test {

/// A real banata-local on a random loopback port, its data in a temporary directory (or one the
/// test gives, to restart a server on the same data). Usage:
///   LocalServer server;
///   QVERIFY2(server.start(), qPrintable(server.errorString()));
///   ApiClient client(&nam, server.url(), server.apiKey());
/// The destructor stops the server and kills every sandbox process it left behind.
class LocalServer final
{
public:
    explicit LocalServer(QString dataDir = {});
    ~LocalServer();
    Q_DISABLE_COPY_MOVE(LocalServer)

    /// Starts and waits until it listens (or fails); \a extraArgs go to banata-local.
    bool start(const QStringList &extraArgs = {}, int timeoutMs = 20000);
    /// After kill() or terminate(): starts again on the same data directory and the same port,
    /// so clients that keep the old URL (a download resuming) find the server back.
    bool restart(const QStringList &extraArgs = {}, int timeoutMs = 20000);
    /// SIGKILL, as a crash would; sandboxes survive it.
    void kill();
    /// SIGTERM and wait for a clean exit.
    bool terminate(int timeoutMs = 10000);
    /// Kills every process whose command line names this server's data directory.
    void killSandboxProcesses() const;
    /// Launches as `<wrapper...> banata-local <args>` from the next start() on, e.g.
    /// {small-disk.sh, dataDir(), "64m"}. A wrapper may give the server its own mount namespace.
    void setWrapper(QStringList wrapper) { m_wrapper = std::move(wrapper); }
    /// The data directory as this process reaches it: dataDir(), or through /proc/<pid>/root
    /// while a wrapped server runs (its mounts may be invisible from here).
    QString dataView() const;

    QUrl url() const { return m_url; }
    QString apiKey() const { return m_apiKey; }
    QString dataDir() const { return m_dataDir; }
    QString errorString() const { return m_error; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    QByteArray output() const { return m_output; }

private:
    bool launch(int port, const QStringList &extraArgs, int timeoutMs);

    std::unique_ptr<QTemporaryDir> m_tempDir;
    QString m_dataDir;
    QStringList m_wrapper;
    std::unique_ptr<QProcess> m_process;
    QUrl m_url;
    QString m_apiKey;
    QString m_error;
    QByteArray m_output;
};

} // namespace banata::test
