// SPDX-License-Identifier: MIT
#include "store.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <limits>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStore, "banata.server.store", QtInfoMsg)

namespace banata::server {

namespace {
constexpr int kSchemaVersion = 1;

QString jsonText(const Json &json)
{
    return QString::fromUtf8(dumpJson(json));
}

std::optional<Json> jsonFrom(const QVariant &value)
{
    auto parsed = parseJson(value.toString().toUtf8());
    if (!parsed)
        return std::nullopt;
    return *parsed;
}
} // namespace

Store::Store()
    : m_connectionName(u"banata-store-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

Store::~Store()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

std::optional<QString> Store::open(const QString &path)
{
    m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
    if (!m_db.isValid())
        return u"the Qt SQLite driver is not available (install libqt6sql6-sqlite)"_s;
    m_db.setDatabaseName(path);
    m_db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    if (!m_db.open())
        return u"cannot open %1: %2"_s.arg(path, m_db.lastError().text());
    if (!exec(u"PRAGMA journal_mode=WAL"_s) || !exec(u"PRAGMA synchronous=NORMAL"_s) ||
        !exec(u"PRAGMA foreign_keys=ON"_s) || !migrate() ||
        // Indexes added since schema 1 are ensured on every open instead of bumping the version:
        // an existing database gains them, and an older banata-local can still open it.
        !exec(u"CREATE INDEX IF NOT EXISTS events_sandbox ON events(sandbox_id, seq)"_s))
        return u"cannot prepare %1: %2"_s.arg(path, m_lastError);
    return std::nullopt;
}

void Store::noteError(const QSqlError &error)
{
    m_lastError = error.text();
    // SQLITE_FULL (13): SQLite's answer to ENOSPC and EDQUOT on the database, journal or WAL.
    m_noSpace = error.nativeErrorCode() == u"13"_s || m_lastError.contains(u"disk is full"_s);
}

bool Store::exec(const QString &sql)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql)) {
        noteError(q.lastError());
        qCWarning(lcStore) << "SQL failed:" << sql << m_lastError;
        return false;
    }
    return true;
}

bool Store::migrate()
{
    QSqlQuery q(m_db);
    q.exec(u"PRAGMA user_version"_s);
    const int version = q.next() ? q.value(0).toInt() : 0;
    if (version > kSchemaVersion) {
        m_lastError = u"the database was written by a newer banata-local (schema %1)"_s.arg(version);
        return false;
    }
    if (version == kSchemaVersion)
        return true;
    const QStringList schema = {
        u"CREATE TABLE IF NOT EXISTS sandboxes (id TEXT PRIMARY KEY, status TEXT NOT NULL, doc TEXT NOT NULL,"
        " env TEXT NOT NULL, created_at INTEGER NOT NULL)"_s,
        u"CREATE INDEX IF NOT EXISTS sandboxes_created ON sandboxes(created_at DESC, id DESC)"_s,
        u"CREATE TABLE IF NOT EXISTS checkpoints (id TEXT PRIMARY KEY, sandbox_id TEXT NOT NULL, doc TEXT NOT NULL,"
        " created_at INTEGER NOT NULL)"_s,
        u"CREATE INDEX IF NOT EXISTS checkpoints_sandbox ON checkpoints(sandbox_id, created_at DESC)"_s,
        u"CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, sandbox_id TEXT,"
        " timestamp INTEGER NOT NULL, data TEXT NOT NULL)"_s,
        u"PRAGMA user_version = %1"_s.arg(kSchemaVersion),
    };
    begin();
    for (const QString &sql : schema) {
        if (!exec(sql))
            return false;
    }
    commit();
    return true;
}

void Store::begin()
{
    if (m_transactionDepth++ == 0)
        m_db.transaction();
}

bool Store::commit()
{
    Q_ASSERT(m_transactionDepth > 0);
    if (--m_transactionDepth > 0 || m_db.commit())
        return true;
    noteError(m_db.lastError());
    qCWarning(lcStore) << "commit failed:" << m_lastError;
    // After SQLITE_FULL or an I/O error SQLite may or may not have rolled back by itself; a
    // transaction left open would swallow every later write and lose it with the next failure.
    m_db.rollback();
    return false;
}

QList<SandboxRecord> Store::loadSandboxes()
{
    QList<SandboxRecord> out;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.exec(u"SELECT id, doc, env FROM sandboxes ORDER BY created_at DESC, id DESC"_s);
    while (q.next()) {
        const auto doc = jsonFrom(q.value(1));
        auto sandbox = doc ? Sandbox::fromJson(*doc) : Parsed<Sandbox>::failure(u"malformed JSON"_s);
        if (!sandbox) {
            // A damaged row must not take the others down: report it and carry on.
            qCWarning(lcStore) << "skipping unreadable sandbox" << q.value(0).toString() << sandbox.error();
            continue;
        }
        SandboxRecord record{std::move(sandbox).value(), {}};
        if (const auto env = jsonFrom(q.value(2)); env && env->is_object()) {
            for (auto it = env->begin(); it != env->end(); ++it) {
                if (it.value().is_string())
                    record.env.insert(fromStd(it.key()), fromStd(it.value().get<std::string>()));
            }
        }
        out.append(std::move(record));
    }
    return out;
}

bool Store::saveSandbox(const SandboxRecord &record)
{
    QSqlQuery q(m_db);
    q.prepare(u"INSERT INTO sandboxes (id, status, doc, env, created_at) VALUES (?, ?, ?, ?, ?)"
              " ON CONFLICT(id) DO UPDATE SET status = excluded.status, doc = excluded.doc, env = excluded.env"_s);
    q.addBindValue(record.sandbox.id);
    q.addBindValue(toString(record.sandbox.status));
    q.addBindValue(jsonText(record.sandbox.toJson()));
    q.addBindValue(jsonText(toJsonObject(record.env)));
    q.addBindValue(record.sandbox.createdAt);
    if (!q.exec()) {
        noteError(q.lastError());
        qCWarning(lcStore) << "cannot save sandbox" << record.sandbox.id << m_lastError;
        return false;
    }
    return true;
}

bool Store::deleteSandbox(const QString &id)
{
    QSqlQuery q(m_db);
    q.prepare(u"DELETE FROM sandboxes WHERE id = ?"_s);
    q.addBindValue(id);
    return q.exec();
}

bool Store::saveCheckpoint(const Checkpoint &checkpoint)
{
    QSqlQuery q(m_db);
    q.prepare(u"INSERT OR REPLACE INTO checkpoints (id, sandbox_id, doc, created_at) VALUES (?, ?, ?, ?)"_s);
    q.addBindValue(checkpoint.id);
    q.addBindValue(checkpoint.sandboxId);
    q.addBindValue(jsonText(checkpoint.toJson()));
    q.addBindValue(checkpoint.createdAt);
    if (!q.exec()) {
        noteError(q.lastError());
        qCWarning(lcStore) << "cannot save checkpoint" << checkpoint.id << m_lastError;
        return false;
    }
    return true;
}

QList<Checkpoint> Store::checkpoints(const QString &sandboxId)
{
    QList<Checkpoint> out;
    QSqlQuery q(m_db);
    q.prepare(u"SELECT doc FROM checkpoints WHERE sandbox_id = ? ORDER BY created_at DESC, id DESC"_s);
    q.addBindValue(sandboxId);
    q.exec();
    while (q.next()) {
        if (const auto doc = jsonFrom(q.value(0))) {
            if (auto c = Checkpoint::fromJson(*doc))
                out.append(*c);
        }
    }
    return out;
}

std::optional<Checkpoint> Store::checkpoint(const QString &checkpointId)
{
    QSqlQuery q(m_db);
    q.prepare(u"SELECT doc FROM checkpoints WHERE id = ?"_s);
    q.addBindValue(checkpointId);
    if (!q.exec() || !q.next())
        return std::nullopt;
    const auto doc = jsonFrom(q.value(0));
    if (!doc)
        return std::nullopt;
    auto c = Checkpoint::fromJson(*doc);
    return c ? std::optional<Checkpoint>(*c) : std::nullopt;
}

bool Store::deleteCheckpoints(const QString &sandboxId)
{
    QSqlQuery q(m_db);
    q.prepare(u"DELETE FROM checkpoints WHERE sandbox_id = ?"_s);
    q.addBindValue(sandboxId);
    return q.exec();
}

bool Store::appendEvent(Event &event)
{
    QSqlQuery q(m_db);
    q.prepare(u"INSERT INTO events (seq, type, sandbox_id, timestamp, data) VALUES (?, ?, ?, ?, ?)"_s);
    q.addBindValue(event.seq > 0 ? QVariant(event.seq) : QVariant()); // NULL: the next rowid
    q.addBindValue(event.type);
    q.addBindValue(event.sandboxId.isEmpty() ? QVariant() : QVariant(event.sandboxId));
    q.addBindValue(event.timestamp);
    q.addBindValue(jsonText(event.data));
    if (!q.exec()) {
        noteError(q.lastError());
        qCWarning(lcStore) << "cannot append event" << event.type << m_lastError;
        return false;
    }
    event.seq = q.lastInsertId().toLongLong();
    return true;
}

namespace {
/// Reads rows of `SELECT seq, type, sandbox_id, timestamp, data`.
QList<Event> readEvents(QSqlQuery &q)
{
    QList<Event> out;
    while (q.next()) {
        Event e;
        e.seq = q.value(0).toLongLong();
        e.type = q.value(1).toString();
        e.sandboxId = q.value(2).toString();
        e.timestamp = q.value(3).toLongLong();
        e.data = jsonFrom(q.value(4)).value_or(Json::object());
        out.append(std::move(e));
    }
    return out;
}
} // namespace

QList<Event> Store::eventsAfter(qint64 seq, int limit)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT seq, type, sandbox_id, timestamp, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?"_s);
    q.addBindValue(seq);
    q.addBindValue(limit);
    q.exec();
    return readEvents(q);
}

QList<Event> Store::sandboxEventsBefore(const QString &sandboxId, std::optional<qint64> before, int limit)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    // Equality on sandbox_id plus a range on seq: one backwards walk of events_sandbox.
    q.prepare(u"SELECT seq, type, sandbox_id, timestamp, data FROM events WHERE sandbox_id = ? AND seq < ?"
              " ORDER BY seq DESC LIMIT ?"_s);
    q.addBindValue(sandboxId);
    q.addBindValue(before.value_or(std::numeric_limits<qint64>::max()));
    q.addBindValue(limit);
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        qCWarning(lcStore) << "cannot read the events of" << sandboxId << m_lastError;
        return {};
    }
    return readEvents(q);
}

qint64 Store::firstEventSeq()
{
    QSqlQuery q(m_db);
    q.exec(u"SELECT MIN(seq) FROM events"_s);
    return q.next() ? q.value(0).toLongLong() : 0;
}

qint64 Store::lastEventSeq()
{
    // AUTOINCREMENT-free tables reuse a deleted max rowid; events are only pruned from the front,
    // so MAX(seq) never goes backwards.
    QSqlQuery q(m_db);
    q.exec(u"SELECT MAX(seq) FROM events"_s);
    return q.next() ? q.value(0).toLongLong() : 0;
}

void Store::pruneEvents(qint64 keep)
{
    QSqlQuery q(m_db);
    q.prepare(u"DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?"_s);
    q.addBindValue(keep);
    q.exec();
}

} // namespace banata::server
