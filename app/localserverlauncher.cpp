// SPDX-License-Identifier: MIT
#include "app/localserverlauncher.h"

#include "core/client/apiclient.h"
#include "core/json.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>

#include <cerrno>
#include <csignal>
#include <sys/types.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcLauncher, "banata.app.launcher", QtInfoMsg)

namespace banata {

namespace {

constexpr auto kStartDeadline = 30s; // first start may create the database and recover sandboxes

bool processAlive(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

// The documented port when it is free (scripts and agents expect it), else any free one: the
// URL is in server.json either way.
quint16 choosePort(quint16 preferred)
{
    QTcpServer probe;
    return preferred != 0 && probe.listen(QHostAddress::LocalHost, preferred) ? preferred : 0;
}

} // namespace

LocalServerLauncher::LocalServerLauncher(QNetworkAccessManager *network, QString dataDir, QString binary,
                                         QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_dataDir(std::move(dataDir))
    , m_binary(std::move(binary))
{
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(kStartDeadline);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        fail(tr("banata-local did not start within %1 s; see %2")
                 .arg(std::chrono::seconds(kStartDeadline).count())
                 .arg(QDir(m_dataDir).filePath(u"banata-local.log"_s)));
    });
    // The watcher misses a file replaced before the watch was set; a slow recheck covers that.
    m_recheck.setInterval(250ms);
    connect(&m_recheck, &QTimer::timeout, this, &LocalServerLauncher::onServerInfoMaybeChanged);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &LocalServerLauncher::onServerInfoMaybeChanged);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &LocalServerLauncher::onServerInfoMaybeChanged);
}

LocalServerLauncher::~LocalServerLauncher() = default;

void LocalServerLauncher::start()
{
    m_done = false;
    setStatus(tr("Looking for banata-local…"));
    // Signals never come from inside start(): callers connect and start in any order.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (!QDir().mkpath(m_dataDir))
                return fail(tr("Cannot create the local server's folder %1").arg(m_dataDir));
            probe(/*startIfAbsent=*/true);
        },
        Qt::QueuedConnection);
}

QString LocalServerLauncher::resolveBinary() const
{
    if (!m_binary.isEmpty())
        return QFileInfo(m_binary).isExecutable() ? m_binary : QString();
    const QString appDir = QCoreApplication::applicationDirPath();
    // Installed side by side; or the build tree (build/app/banata-operator, build/server/banata-local).
    const QStringList candidates{appDir + u"/banata-local"_s, appDir + u"/../server/banata-local"_s};
    for (const QString &candidate : candidates) {
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    }
    return QStandardPaths::findExecutable(u"banata-local"_s);
}

std::optional<LocalServerLauncher::ServerInfo> LocalServerLauncher::readServerInfo() const
{
    QFile file(QDir(m_dataDir).filePath(u"server.json"_s));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const auto json = parseJson(file.read(64 * 1024));
    if (!json.ok() || !json.value().is_object())
        return std::nullopt;
    JsonReader reader(json.value(), u"server.json"_s);
    ServerInfo info;
    info.url = QUrl(reader.requiredString("url"));
    info.pid = reader.requiredInt("pid");
    info.apiKeyFile = reader.optionalString("apiKeyFile").value_or(QDir(m_dataDir).filePath(u"api-key"_s));
    if (!reader.ok() || !info.url.isValid() || info.url.scheme() != u"http"_s)
        return std::nullopt;
    return info;
}

void LocalServerLauncher::probe(bool startIfAbsent)
{
    const auto info = readServerInfo();
    if (!info || !processAlive(info->pid)) {
        if (startIfAbsent)
            launch();
        return;
    }
    QFile keyFile(info->apiKeyFile);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        return fail(tr("Cannot read the local server's API key %1: %2").arg(info->apiKeyFile, keyFile.errorString()));
    }
    const QString key = QString::fromUtf8(keyFile.readAll().trimmed());
    const ApiClient client(m_network, info->url, key, RetryPolicy{0, {}, {}});
    m_probing = true;
    HealthJob *job = client.health();
    const QUrl url = info->url;
    const qint64 pid = info->pid;
    connect(job, &HealthJob::finished, this, [this, url, key, pid, startIfAbsent](const ApiResult<Health> &result) {
        m_probing = false;
        if (m_done)
            return;
        if (result && result->server == u"banata-local"_s) {
            m_done = true;
            m_deadline.stop();
            m_recheck.stop();
            if (const QStringList watched = m_watcher.files() + m_watcher.directories(); !watched.isEmpty())
                m_watcher.removePaths(watched);
            qCInfo(lcLauncher).noquote() << (m_started ? "started" : "attached to") << "banata-local" << url.toString()
                                         << "pid" << pid;
            setStatus(tr("Connected to banata-local at %1").arg(url.toString()));
            Q_EMIT ready(url, key);
            return;
        }
        qCInfo(lcLauncher).noquote() << "server.json names" << url.toString() << "but it does not answer:"
                                     << (result ? u"not banata-local"_s : result.error().displayText());
        if (startIfAbsent)
            launch();
    });
}

void LocalServerLauncher::launch()
{
    if (m_waiting)
        return;
    const QString binary = resolveBinary();
    if (binary.isEmpty())
        return fail(tr("banata-local was not found next to the app or on the PATH"));
    const auto stale = readServerInfo();
    m_staleInfoPid = stale ? stale->pid : 0;

    QStringList arguments{binary, u"--data-dir"_s, m_dataDir, u"--port"_s, QString::number(choosePort(m_preferredPort))};
    QProcess process;
    process.setStandardOutputFile(QDir(m_dataDir).filePath(u"banata-local.log"_s), QIODevice::Append);
    process.setStandardErrorFile(QDir(m_dataDir).filePath(u"banata-local.log"_s), QIODevice::Append);
    process.setStandardInputFile(QProcess::nullDevice());
    // Its own session: closing the terminal or the app must not take the server (and sandboxes) along.
    const QString setsid = QStandardPaths::findExecutable(u"setsid"_s);
    if (!setsid.isEmpty()) {
        process.setProgram(setsid);
        process.setArguments(arguments);
    } else {
        process.setProgram(arguments.takeFirst());
        process.setArguments(arguments);
    }
    qint64 pid = 0;
    if (!process.startDetached(&pid))
        return fail(tr("Could not start %1: %2").arg(binary, process.errorString()));
    qCInfo(lcLauncher).noquote() << "started" << binary << "pid" << pid << "data" << m_dataDir;
    m_started = true;
    m_waiting = true;
    setStatus(tr("Starting banata-local…"));
    m_watcher.addPath(m_dataDir);
    m_deadline.start();
    m_recheck.start();
}

void LocalServerLauncher::onServerInfoMaybeChanged()
{
    if (m_done || m_probing)
        return;
    const auto info = readServerInfo();
    if (!info || info->pid == m_staleInfoPid || !processAlive(info->pid))
        return;
    const QString infoPath = QDir(m_dataDir).filePath(u"server.json"_s);
    if (!m_watcher.files().contains(infoPath))
        m_watcher.addPath(infoPath);
    probe(/*startIfAbsent=*/false);
}

void LocalServerLauncher::setStatus(const QString &text)
{
    if (m_statusText == text)
        return;
    m_statusText = text;
    Q_EMIT statusChanged(text);
}

void LocalServerLauncher::fail(const QString &reason)
{
    m_done = true;
    m_waiting = false;
    m_deadline.stop();
    m_recheck.stop();
    qCWarning(lcLauncher).noquote() << reason;
    setStatus(reason);
    Q_EMIT failed(reason);
}

} // namespace banata
