// SPDX-License-Identifier: MIT
#include "test_fault_kill_common.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFault, "banata.test.fault", QtInfoMsg)

namespace banata::test {

namespace {
constexpr int kLiveTimeoutMs = 30000;

RetryPolicy noRetries()
{
    // The tests decide what to repeat: a request cut by the kill must show up as failed.
    RetryPolicy policy;
    policy.maxRetries = 0;
    return policy;
}

QByteArray commandLineOf(const QString &pid)
{
    QFile file(u"/proc/"_s + pid + u"/cmdline"_s);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString parentOf(const QString &pid)
{
    QFile file(u"/proc/"_s + pid + u"/status"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith("PPid:"))
            return QString::fromLatin1(line.mid(5).trimmed());
    }
    return {};
}
} // namespace

KillFixture::KillFixture() = default;

KillFixture::~KillFixture()
{
    // Before the server goes: their jobs and sockets point at it.
    m_connection.reset();
    m_events.reset();
}

bool KillFixture::fail(const QString &error)
{
    m_error = error;
    return false;
}

bool KillFixture::start()
{
    if (!m_server.start())
        return fail(m_server.errorString());
    m_client = std::make_unique<ApiClient>(&m_network, m_server.url(), m_server.apiKey(), noRetries());

    m_events.reset(m_client->createEventStream(nullptr));
    m_events->setReconnectDelays(std::chrono::milliseconds(20), std::chrono::milliseconds(200));
    QObject::connect(m_events.get(), &EventStream::eventReceived, m_events.get(),
                     [this](const Event &event) { m_received.append(event); });
    m_events->start(-1);
    if (!waitUntil([this] { return m_events->state() == EventStream::State::Connected; }, 10000))
        return fail(u"the event stream did not connect"_s);

    // The app's own object, with the app's own timings: nothing here is tuned for the test.
    m_connection = std::make_unique<Connection>(
        ConnectionConfig{u"local"_s, u"Local"_s, m_server.url(), ConnectionConfig::Kind::Local}, &m_network);
    QObject::connect(m_connection.get(), &Connection::statusChanged, m_connection.get(),
                     [this](Connection::Status status, const QString &) {
                         if (status == Connection::Status::Online && m_sinceRestart.isValid() &&
                             m_recovery.liveMs < 0)
                             m_recovery.liveMs = m_sinceRestart.elapsed();
                     });
    m_connection->start(m_server.apiKey());
    if (!waitUntil([this] { return m_connection->status() == Connection::Status::Online; }, kLiveTimeoutMs))
        return fail(u"the app's connection did not go online: "_s + m_connection->statusText());
    return true;
}

bool KillFixture::crash()
{
    m_ackedBeforeCrash = m_received; // the server sends an event only once it is committed
    m_server.kill();
    if (const QString integrity = checkDatabase(); integrity != u"ok"_s)
        return fail(u"database after the crash: "_s + integrity);
    // What a user sees: the app says the server is away (reconnecting, or down with a countdown).
    if (!waitUntil([this] { return m_connection->status() != Connection::Status::Online; }, 10000))
        return fail(u"the app did not notice the server died"_s);
    return true;
}

bool KillFixture::restart()
{
    m_recovery = {};
    m_sinceRestart.start();
    if (!m_server.restart())
        return fail(m_server.errorString());
    m_recovery.listeningMs = m_sinceRestart.elapsed();
    for (;;) {
        const auto health = awaitJob(m_client->health(), 2000);
        if (health && health->ok())
            break;
        if (m_sinceRestart.elapsed() > 20000)
            return fail(u"the restarted server does not answer /v1/health"_s);
    }
    m_recovery.healthMs = m_sinceRestart.elapsed();
    if (!waitUntil([this] { return m_connection->status() == Connection::Status::Online; }, kLiveTimeoutMs))
        return fail(u"the app did not come back live by itself: "_s + m_connection->statusText());
    if (!appMatchesServer())
        return fail(u"the app's list differs from the server's after the restart"_s);
    // Temporary entries of operations the crash cut short (".banata-<kind>-…": uploads, copies)
    // are cleared in the background once the server is up; nothing else is running now.
    QStringList leftovers;
    if (!waitUntil(
            [&] {
                leftovers = entriesNamed(m_server.dataDir(), u".banata-"_s);
                return leftovers.isEmpty();
            },
            10000))
        return fail(u"left behind by the crash: "_s + leftovers.join(u", "_s));
    return eventsKept();
}

bool KillFixture::stop()
{
    m_connection.reset();
    m_events.reset();
    if (!m_server.terminate())
        return fail(u"banata-local did not stop on SIGTERM"_s);
    if (const QString integrity = checkDatabase(); integrity != u"ok"_s)
        return fail(u"database after a clean stop: "_s + integrity);
    return true;
}

bool KillFixture::eventsKept()
{
    // Replays the whole log: every event a client received before the crash must be there, with
    // the same number.
    qint64 wanted = 0;
    for (const Event &event : std::as_const(m_ackedBeforeCrash))
        wanted = std::max(wanted, event.seq);
    std::unique_ptr<EventStream> replay(m_client->createEventStream(nullptr));
    QHash<qint64, Event> logged;
    QObject::connect(replay.get(), &EventStream::eventReceived, replay.get(),
                     [&logged](const Event &event) { logged.insert(event.seq, event); });
    replay->start(0);
    if (!waitUntil([&] { return replay->lastSeq() >= wanted; }, 15000))
        return fail(
            u"the event log ends at %1, before %2 that was sent before the crash"_s.arg(replay->lastSeq())
                .arg(wanted));
    for (const Event &event : std::as_const(m_ackedBeforeCrash)) {
        const Event stored = logged.value(event.seq);
        if (stored.type != event.type || stored.sandboxId != event.sandboxId)
            return fail(u"event %1 (%2) was lost or changed by the crash"_s.arg(event.seq).arg(event.type));
    }
    return true;
}

QString KillFixture::checkDatabase()
{
    // A copy, as the crash left the files: the live database is the server's alone.
    QTemporaryDir copy;
    const QString source = m_server.dataDir() + u"/banata.db"_s;
    for (const QString &suffix : {QString(), u"-wal"_s}) {
        if (QFileInfo::exists(source + suffix) &&
            !QFile::copy(source + suffix, copy.path() + u"/banata.db"_s + suffix))
            return u"cannot copy "_s + source + suffix;
    }
    const QString name = u"fault-check-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QString verdict;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(copy.path() + u"/banata.db"_s);
        if (!db.open()) {
            verdict = db.lastError().text();
        } else {
            QSqlQuery query(db);
            if (!query.exec(u"PRAGMA integrity_check"_s))
                verdict = query.lastError().text();
            QStringList rows;
            while (query.next())
                rows.append(query.value(0).toString());
            if (verdict.isEmpty())
                verdict = rows.join(u"; "_s);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return verdict;
}

QHash<QString, SandboxStatus> KillFixture::serverStatuses()
{
    QHash<QString, SandboxStatus> out;
    SandboxListQuery query;
    query.limit = 1000;
    for (;;) {
        const auto page = awaitJob(m_client->listSandboxes(query), 10000);
        if (!page || !page->ok())
            return {};
        for (const Sandbox &sandbox : page->value().data)
            out.insert(sandbox.id, sandbox.status);
        if (!page->value().nextCursor)
            return out;
        query.cursor = page->value().nextCursor;
    }
}

bool KillFixture::appMatchesServer(int timeoutMs)
{
    return waitUntil(
        [this] {
            QHash<QString, SandboxStatus> app;
            for (const Sandbox &sandbox : m_connection->sandboxes())
                app.insert(sandbox.id, sandbox.status);
            return !app.isEmpty() && app == serverStatuses();
        },
        timeoutMs);
}

QString KillFixture::createReady(const CreateSandboxRequest &request)
{
    const auto created = awaitJob(m_client->createSandbox(request));
    if (!created || !created->ok()) {
        m_error = created ? created->error().displayText() : u"create timed out"_s;
        return {};
    }
    const QString id = created->value().id;
    return waitStatus(id, SandboxStatus::Ready) ? id : QString();
}

std::optional<Sandbox> KillFixture::fetch(const QString &id)
{
    const auto got = awaitJob(m_client->sandbox(id), 10000);
    if (!got || !got->ok())
        return std::nullopt;
    return got->value();
}

bool KillFixture::waitStatus(const QString &id, SandboxStatus status, int timeoutMs)
{
    // Woken by the server's events; the answer itself comes from GET, as a user would check.
    qsizetype seen = -1;
    std::optional<Sandbox> last;
    bool settled = false;
    waitUntil(
        [&] {
            if (!settled && seen != m_received.size()) {
                seen = m_received.size();
                last = fetch(id);
                settled =
                    last && (last->status == status || (isTerminal(last->status) && !isTerminal(status)));
            }
            return settled;
        },
        timeoutMs);
    if (settled && last->status == status)
        return true;
    m_error = last ? u"sandbox %1 is %2 (%3), not %4"_s.arg(
                         id, toString(last->status), last->statusReason.value_or(QString()), toString(status))
                   : u"sandbox %1 not found"_s.arg(id);
    return false;
}

std::optional<ExecResult> KillFixture::run(const QString &id, const QString &command, int timeoutMs)
{
    ExecRequest request;
    request.id = id;
    request.command = command;
    request.timeoutMs = timeoutMs;
    const auto result = awaitJob(m_client->exec(request), timeoutMs + 10000);
    if (!result || !result->ok()) {
        m_error = result ? result->error().displayText() : u"exec timed out"_s;
        return std::nullopt;
    }
    return result->value();
}

QString KillFixture::rootOf(const QString &id) const
{
    return m_server.dataDir() + u"/sandboxes/"_s + id;
}

QString KillFixture::workspaceOf(const QString &id) const
{
    return rootOf(id) + u"/workspace"_s;
}

int KillFixture::processTrees(const QString &id) const
{
    const QByteArray marker = QDir(rootOf(id)).absolutePath().toUtf8() + '/';
    QSet<QString> members;
    const QStringList pids = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        bool numeric = false;
        pid.toLongLong(&numeric);
        if (numeric && commandLineOf(pid).contains(marker))
            members.insert(pid);
    }
    int roots = 0;
    for (const QString &pid : std::as_const(members))
        roots += members.contains(parentOf(pid)) ? 0 : 1;
    return roots;
}

QString fileSha256(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

QMap<QString, QString> treeManifest(const QString &dir)
{
    QMap<QString, QString> out;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo info(it.next());
        const QString mode = QString::number(int(info.permissions()), 16);
        QString entry;
        if (info.isSymLink())
            entry = u"link "_s + info.symLinkTarget();
        else if (info.isDir())
            entry = u"dir "_s + mode;
        else
            entry = u"file %1 %2 %3 %4"_s.arg(mode)
                        .arg(info.size())
                        .arg(info.lastModified().toMSecsSinceEpoch())
                        .arg(fileSha256(info.filePath()));
        out.insert(QDir(dir).relativeFilePath(info.filePath()), entry);
    }
    return out;
}

QStringList entriesNamed(const QString &dir, const QString &prefix)
{
    QStringList out;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (it.fileName().startsWith(prefix))
            out.append(path);
    }
    return out;
}

void reportFigures(const char *scenario, const QString &outcome, const Recovery &recovery,
                   const QString &extra)
{
    qCInfo(lcFault).noquote() << u"FAULT scenario=%1 outcome=%2 listening_ms=%3 health_ms=%4 live_ms=%5 %6"_s
                                     .arg(QLatin1StringView(scenario), outcome)
                                     .arg(recovery.listeningMs)
                                     .arg(recovery.healthMs)
                                     .arg(recovery.liveMs)
                                     .arg(extra)
                                     .trimmed();
}

} // namespace banata::test
