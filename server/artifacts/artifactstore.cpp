// SPDX-License-Identifier: MIT
#include "artifactstore.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include "server/store/store.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcArtifactStore, "banata.server.artifacts.store", QtInfoMsg)

namespace banata::server {

namespace {
bool run(QSqlQuery &q)
{
    if (q.exec())
        return true;
    qCWarning(lcArtifactStore) << "SQL failed:" << q.lastQuery() << q.lastError().text();
    return false;
}

QList<Artifact> readArtifacts(QSqlQuery &q)
{
    QList<Artifact> out;
    while (q.next()) {
        const auto doc = parseJson(q.value(0).toString().toUtf8());
        auto artifact = doc ? Artifact::fromJson(*doc) : Parsed<Artifact>::failure(u"malformed JSON"_s);
        if (!artifact) {
            // A damaged row must not hide the others.
            qCWarning(lcArtifactStore) << "skipping unreadable artifact:" << artifact.error();
            continue;
        }
        out.append(std::move(artifact).value());
    }
    return out;
}
} // namespace

ArtifactStore::ArtifactStore(Store *store)
    : m_store(store)
{}

std::optional<QString> ArtifactStore::prepare()
{
    // Its own table, created if missing (see Store::database()): older databases gain it on the
    // first start of this version, and older servers simply ignore it.
    const QStringList schema = {
        u"CREATE TABLE IF NOT EXISTS artifacts (sandbox_id TEXT NOT NULL, key TEXT NOT NULL,"
        " sha256 TEXT NOT NULL, doc TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (sandbox_id, key))"_s,
        u"CREATE INDEX IF NOT EXISTS artifacts_created ON artifacts(sandbox_id, created_at DESC)"_s,
    };
    m_store->begin();
    for (const QString &sql : schema) {
        QSqlQuery q(m_store->database());
        if (!q.exec(sql)) {
            const QString error = q.lastError().text();
            m_store->commit();
            return u"cannot prepare the artifacts table: %1"_s.arg(error);
        }
    }
    m_store->commit();
    return std::nullopt;
}

bool ArtifactStore::save(const Artifact &artifact)
{
    QSqlQuery q(m_store->database());
    q.prepare(u"INSERT INTO artifacts (sandbox_id, key, sha256, doc, created_at) VALUES (?, ?, ?, ?, ?)"
              " ON CONFLICT(sandbox_id, key) DO UPDATE SET sha256 = excluded.sha256, doc = excluded.doc,"
              " created_at = excluded.created_at"_s);
    q.addBindValue(artifact.sandboxId);
    q.addBindValue(artifact.key);
    q.addBindValue(artifact.sha256);
    q.addBindValue(QString::fromUtf8(dumpJson(artifact.toJson())));
    q.addBindValue(artifact.createdAt);
    return run(q);
}

QList<Artifact> ArtifactStore::list(const QString &sandboxId)
{
    QSqlQuery q(m_store->database());
    q.setForwardOnly(true);
    q.prepare(u"SELECT doc FROM artifacts WHERE sandbox_id = ? ORDER BY created_at DESC, rowid DESC"_s);
    q.addBindValue(sandboxId);
    if (!run(q))
        return {};
    return readArtifacts(q);
}

std::optional<Artifact> ArtifactStore::find(const QString &sandboxId, const QString &key)
{
    QSqlQuery q(m_store->database());
    q.setForwardOnly(true);
    q.prepare(u"SELECT doc FROM artifacts WHERE sandbox_id = ? AND key = ?"_s);
    q.addBindValue(sandboxId);
    q.addBindValue(key);
    if (!run(q))
        return std::nullopt;
    const QList<Artifact> found = readArtifacts(q);
    return found.isEmpty() ? std::nullopt : std::optional<Artifact>(found.first());
}

bool ArtifactStore::blobInUse(const QString &sandboxId, const QString &sha256)
{
    QSqlQuery q(m_store->database());
    q.prepare(u"SELECT 1 FROM artifacts WHERE sandbox_id = ? AND sha256 = ? LIMIT 1"_s);
    q.addBindValue(sandboxId);
    q.addBindValue(sha256);
    // When in doubt (a failed query), the blob stays.
    return !run(q) || q.next();
}

std::optional<QSet<QString>> ArtifactStore::referencedBlobs()
{
    QSet<QString> out;
    QSqlQuery q(m_store->database());
    q.setForwardOnly(true);
    q.prepare(u"SELECT DISTINCT sandbox_id, sha256 FROM artifacts"_s);
    if (!run(q))
        return std::nullopt;
    while (q.next())
        out.insert(q.value(0).toString() + u'/' + q.value(1).toString());
    return out;
}

} // namespace banata::server
