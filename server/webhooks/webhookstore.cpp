// SPDX-License-Identifier: MIT
#include "webhookstore.h"

#include "server/store/store.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcWebhookStore, "banata.server.webhooks.store", QtInfoMsg)

namespace banata::server {

namespace {
QVariant nullable(const std::optional<qint64> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType(QMetaType::LongLong));
}

QVariant nullableText(const std::optional<QString> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType(QMetaType::QString));
}

std::optional<qint64> optionalInt(const QVariant &value)
{
    return value.isNull() ? std::nullopt : std::optional<qint64>(value.toLongLong());
}

bool run(QSqlQuery &q)
{
    if (q.exec())
        return true;
    qCWarning(lcWebhookStore) << "SQL failed:" << q.lastQuery() << q.lastError().text();
    return false;
}
} // namespace

WebhookStore::WebhookStore(Store *store)
    : m_store(store)
{
}

std::optional<QString> WebhookStore::prepare()
{
    const QStringList schema = {
        u"CREATE TABLE IF NOT EXISTS webhooks (id TEXT PRIMARY KEY, url TEXT NOT NULL, description TEXT NOT NULL,"
        " event_types TEXT NOT NULL, enabled INTEGER NOT NULL, secret TEXT NOT NULL, created_at INTEGER NOT NULL,"
        " start_seq INTEGER NOT NULL)"_s,
        u"CREATE TABLE IF NOT EXISTS webhook_deliveries (id TEXT PRIMARY KEY,"
        " webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE, event_seq INTEGER NOT NULL,"
        " event_type TEXT NOT NULL, payload BLOB NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,"
        " last_status_code INTEGER, last_error TEXT, next_attempt_at INTEGER, created_at INTEGER NOT NULL,"
        " delivered_at INTEGER, UNIQUE (webhook_id, event_seq))"_s,
        u"CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at)"_s,
        u"CREATE INDEX IF NOT EXISTS webhook_deliveries_log ON webhook_deliveries(webhook_id, event_seq DESC)"_s,
        u"CREATE TABLE IF NOT EXISTS webhook_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL)"_s,
    };
    m_store->begin();
    for (const QString &sql : schema) {
        QSqlQuery q(m_store->database());
        if (!q.exec(sql)) {
            const QString error = q.lastError().text();
            m_store->commit();
            return u"cannot prepare the webhook tables: %1"_s.arg(error);
        }
    }
    m_store->commit();
    return std::nullopt;
}

bool WebhookStore::insertWebhook(const WebhookRecord &record)
{
    const Webhook &w = record.webhook;
    QSqlQuery q(m_store->database());
    q.prepare(u"INSERT INTO webhooks (id, url, description, event_types, enabled, secret, created_at, start_seq)"
              " VALUES (?, ?, COALESCE(?, ''), ?, ?, ?, ?, ?)"_s); // a null QString binds as NULL
    q.addBindValue(w.id);
    q.addBindValue(w.url);
    q.addBindValue(w.description);
    Json types = Json::array();
    for (const QString &t : w.eventTypes)
        types.push_back(toStd(t));
    q.addBindValue(QString::fromUtf8(dumpJson(types)));
    q.addBindValue(w.enabled ? 1 : 0);
    q.addBindValue(w.signingSecret.value_or(QString()));
    q.addBindValue(w.createdAt);
    q.addBindValue(record.startSeq);
    return run(q);
}

QList<WebhookRecord> WebhookStore::webhooks()
{
    QList<WebhookRecord> out;
    QSqlQuery q(m_store->database());
    q.setForwardOnly(true);
    q.prepare(u"SELECT id, url, description, event_types, enabled, secret, created_at, start_seq FROM webhooks"
              " ORDER BY created_at, id"_s);
    if (!run(q))
        return out;
    while (q.next()) {
        WebhookRecord record;
        Webhook &w = record.webhook;
        w.id = q.value(0).toString();
        w.url = q.value(1).toString();
        w.description = q.value(2).toString();
        if (auto types = parseJson(q.value(3).toString().toUtf8()); types && types->is_array()) {
            for (const Json &t : *types) {
                if (t.is_string())
                    w.eventTypes.append(fromStd(t.get<std::string>()));
            }
        }
        w.enabled = q.value(4).toInt() != 0;
        w.signingSecret = q.value(5).toString();
        w.createdAt = q.value(6).toLongLong();
        record.startSeq = q.value(7).toLongLong();
        out.append(std::move(record));
    }
    return out;
}

bool WebhookStore::deleteWebhook(const QString &id)
{
    m_store->begin();
    QSqlQuery deliveries(m_store->database());
    deliveries.prepare(u"DELETE FROM webhook_deliveries WHERE webhook_id = ?"_s);
    deliveries.addBindValue(id);
    run(deliveries);
    QSqlQuery q(m_store->database());
    q.prepare(u"DELETE FROM webhooks WHERE id = ?"_s);
    q.addBindValue(id);
    const bool removed = run(q) && q.numRowsAffected() > 0;
    m_store->commit();
    return removed;
}

bool WebhookStore::enqueue(const WebhookDelivery &d, const QByteArray &payload)
{
    QSqlQuery q(m_store->database());
    q.prepare(u"INSERT OR IGNORE INTO webhook_deliveries (id, webhook_id, event_seq, event_type, payload, status,"
              " attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)"_s);
    q.addBindValue(d.id);
    q.addBindValue(d.webhookId);
    q.addBindValue(d.eventSeq);
    q.addBindValue(d.eventType);
    q.addBindValue(payload);
    q.addBindValue(d.createdAt);
    q.addBindValue(d.createdAt);
    return run(q);
}

QList<OutboxItem> WebhookStore::due(qint64 now, int limit)
{
    QList<OutboxItem> out;
    QSqlQuery q(m_store->database());
    q.setForwardOnly(true);
    q.prepare(u"SELECT d.id, d.webhook_id, w.url, w.secret, d.payload, d.attempts FROM webhook_deliveries d"
              " JOIN webhooks w ON w.id = d.webhook_id WHERE d.status = 'pending' AND d.next_attempt_at <= ?"
              " ORDER BY d.event_seq, d.id LIMIT ?"_s);
    q.addBindValue(now);
    q.addBindValue(limit);
    if (!run(q))
        return out;
    while (q.next()) {
        out.append(OutboxItem{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                              q.value(3).toString(), q.value(4).toByteArray(), q.value(5).toInt()});
    }
    return out;
}

std::optional<qint64> WebhookStore::nextAttemptAfter(qint64 now)
{
    QSqlQuery q(m_store->database());
    q.prepare(u"SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at > ?"_s);
    q.addBindValue(now);
    if (!run(q) || !q.next())
        return std::nullopt;
    return optionalInt(q.value(0));
}

bool WebhookStore::recordAttempt(const QString &deliveryId, const AttemptResult &result)
{
    QSqlQuery q(m_store->database());
    q.prepare(u"UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?, last_error = ?,"
              " next_attempt_at = ?, delivered_at = ? WHERE id = ?"_s);
    q.addBindValue(toString(result.status));
    q.addBindValue(result.attempts);
    q.addBindValue(result.statusCode ? QVariant(*result.statusCode) : QVariant(QMetaType(QMetaType::Int)));
    q.addBindValue(nullableText(result.error));
    q.addBindValue(nullable(result.nextAttemptAt));
    q.addBindValue(nullable(result.deliveredAt));
    q.addBindValue(deliveryId);
    return run(q);
}

QList<WebhookDelivery> WebhookStore::deliveries(const QString &webhookId, int limit)
{
    QList<WebhookDelivery> out;
    QSqlQuery q(m_store->database());
    q.setForwardOnly(true);
    q.prepare(u"SELECT id, webhook_id, event_seq, event_type, status, attempts, last_status_code, last_error,"
              " next_attempt_at, created_at, delivered_at FROM webhook_deliveries WHERE webhook_id = ?"
              " ORDER BY event_seq DESC LIMIT ?"_s);
    q.addBindValue(webhookId);
    q.addBindValue(limit);
    if (!run(q))
        return out;
    while (q.next()) {
        WebhookDelivery d;
        d.id = q.value(0).toString();
        d.webhookId = q.value(1).toString();
        d.eventSeq = q.value(2).toLongLong();
        d.eventType = q.value(3).toString();
        d.status = deliveryStatusFromString(q.value(4).toString()).value_or(DeliveryStatus::Pending);
        d.attempts = q.value(5).toInt();
        if (!q.value(6).isNull())
            d.lastStatusCode = q.value(6).toInt();
        if (!q.value(7).isNull())
            d.lastError = q.value(7).toString();
        if (d.status == DeliveryStatus::Pending)
            d.nextAttemptAt = optionalInt(q.value(8));
        d.createdAt = q.value(9).toLongLong();
        d.deliveredAt = optionalInt(q.value(10));
        out.append(std::move(d));
    }
    return out;
}

void WebhookStore::prune(const QString &webhookId, int keep)
{
    QSqlQuery q(m_store->database());
    q.prepare(u"DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = ?"
              " AND status != 'pending' ORDER BY event_seq DESC LIMIT -1 OFFSET ?)"_s);
    q.addBindValue(webhookId);
    q.addBindValue(keep);
    run(q);
}

qint64 WebhookStore::cursor()
{
    QSqlQuery q(m_store->database());
    q.prepare(u"SELECT value FROM webhook_state WHERE key = 'cursor'"_s);
    if (!run(q) || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

bool WebhookStore::setCursor(qint64 seq)
{
    QSqlQuery q(m_store->database());
    q.prepare(u"INSERT INTO webhook_state (key, value) VALUES ('cursor', ?)"
              " ON CONFLICT(key) DO UPDATE SET value = excluded.value"_s);
    q.addBindValue(seq);
    return run(q);
}

} // namespace banata::server
