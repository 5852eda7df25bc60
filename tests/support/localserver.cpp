// SPDX-License-Identifier: MIT
#include "localserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QCoreApplication>
#include <QRegularExpression>

#include <csignal>

using namespace Qt::StringLiterals;

namespace banata::test {

LocalServer::LocalServer(QString dataDir)
{
    if (dataDir.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>();
        m_dataDir = m_tempDir->path() + u"/data"_s;
    } else {
        m_dataDir = std::move(dataDir);
    }
}

LocalServer::~LocalServer()
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        terminate();
    killSandboxProcesses();
}

bool LocalServer::start(const QStringList &extraArgs, int timeoutMs)
{
    return launch(0, extraArgs, timeoutMs);
}

bool LocalServer::restart(const QStringList &extraArgs, int timeoutMs)
{
    if (!m_url.isValid()) {
        m_error = u"restart() needs a server that was started"_s;
        return false;
    }
    return launch(m_url.port(), extraArgs, timeoutMs);
}

bool LocalServer::launch(int port, const QStringList &extraArgs, int timeoutMs)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_output.clear();
    QStringList arguments = QStringList{u"--port"_s, QString::number(port), u"--data-dir"_s, m_dataDir} + extraArgs;
    QString program = QStringLiteral(BANATA_LOCAL_BINARY);
    if (!m_wrapper.isEmpty()) {
        arguments = m_wrapper.mid(1) + QStringList{program} + arguments;
        program = m_wrapper.constFirst();
    }
    m_process->start(program, arguments);
    if (!m_process->waitForStarted(timeoutMs)) {
        m_error = u"banata-local did not start: "_s + m_process->errorString();
        return false;
    }
    // Waiting on the process's own output (no sleeps): it prints the URL once it listens.
    static const QRegularExpression kListening(u"Listening on (http://\\S+)"_s);
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (!m_process->waitForReadyRead(int(deadline.remainingTime()))) {
            if (m_process->state() == QProcess::NotRunning)
                break;
            continue;
        }
        m_output += m_process->readAll();
        const auto match = kListening.match(QString::fromUtf8(m_output));
        if (match.hasMatch()) {
            m_url = QUrl(match.captured(1));
            QFile keyFile(dataView() + u"/api-key"_s);
            if (!keyFile.open(QIODevice::ReadOnly)) {
                m_error = u"no api-key file in the data directory"_s;
                return false;
            }
            m_apiKey = QString::fromLatin1(keyFile.readAll().trimmed());
            return true;
        }
    }
    m_output += m_process->readAll();
    m_error = u"banata-local did not start listening; output:\n"_s + QString::fromUtf8(m_output);
    return false;
}

QString LocalServer::dataView() const
{
    if (m_wrapper.isEmpty() || pid() <= 0)
        return m_dataDir;
    return u"/proc/%1/root"_s.arg(pid()) + QDir(m_dataDir).absolutePath();
}

void LocalServer::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(10000);
    m_output += m_process->readAll();
}

bool LocalServer::terminate(int timeoutMs)
{
    if (!m_process)
        return true;
    m_process->terminate();
    const bool ok = m_process->waitForFinished(timeoutMs);
    m_output += m_process->readAll();
    if (!ok)
        kill();
    return ok;
}

void LocalServer::killSandboxProcesses() const
{
    // Sandboxes are detached from the server on purpose; a test must not leave them running.
    const QByteArray marker = QDir(m_dataDir).absolutePath().toUtf8();
    const QStringList pids = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        bool numeric = false;
        const int value = pid.toInt(&numeric);
        if (!numeric || value == int(QCoreApplication::applicationPid()))
            continue;
        QFile cmdline(u"/proc/"_s + pid + u"/cmdline"_s);
        if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(marker))
            ::kill(value, SIGKILL);
    }
}

} // namespace banata::test
