// SPDX-License-Identifier: MIT
#pragma once

#include "core/event.h"

#include <QList>
#include <QObject>
#include <QTimer>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace banata::server {

class Store;

/// Every state change of the server, numbered, persisted and pushed to WebSocket subscribers.
/// A subscriber that reconnects with `since=<last seq seen>` gets what it missed, in order, then
/// live events; if `since` is older than the retained log it first gets a "stream.reset" event.
class EventHub final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventHub)

public:
    /// \a store must outlive the hub.
    explicit EventHub(Store *store, QObject *parent = nullptr);
    ~EventHub() override;

    /// Persists and broadcasts; returns the event with its sequence number.
    banata::Event publish(const QString &type, const QString &sandboxId, banata::Json data);

    /// Takes ownership of \a socket; replays events after \a since (-1: live only).
    void subscribe(QWebSocket *socket, qint64 since);

    qint64 lastSeq() const { return m_lastSeq; }
    int subscriberCount() const { return int(m_subscribers.size()); }
    void setRetention(qint64 events) { m_retention = events; }

signals:
    /// After persisting; webhooks and internal observers listen here.
    void published(const banata::Event &event);

private:
    void send(QWebSocket *socket, const banata::Event &event);
    void drop(QWebSocket *socket, const QString &reason);

    Store *m_store;
    QList<QWebSocket *> m_subscribers;
    QTimer m_pingTimer;
    qint64 m_lastSeq = 0;
    qint64 m_retention = 100000;
    int m_sinceLastPrune = 0;
};

} // namespace banata::server
