// SPDX-License-Identifier: MIT
#include "eventhub.h"

#include "server/store/store.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QWebSocket>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcEvents, "banata.server.events", QtInfoMsg)

namespace banata::server {

namespace {
// A subscriber this far behind is dropped; it reconnects with since= and catches up from the log.
constexpr qint64 kMaxQueuedBytes = 32 << 20;
constexpr int kReplayBatch = 1000;
constexpr int kPruneEvery = 1000;
} // namespace

EventHub::EventHub(Store *store, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_lastSeq(store->lastEventSeq())
{
    m_pingTimer.setInterval(20s);
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        for (QWebSocket *socket : std::as_const(m_subscribers))
            socket->ping();
    });
    m_pingTimer.start();
}

EventHub::~EventHub()
{
    for (QWebSocket *socket : std::as_const(m_subscribers)) {
        socket->disconnect(this);
        socket->close(QWebSocketProtocol::CloseCodeGoingAway, u"server shutting down"_s);
        delete socket;
    }
}

Event EventHub::publish(const QString &type, const QString &sandboxId, Json data)
{
    // Numbered here, not by the database: an event whose write failed (a full disk) or was rolled
    // back has still been sent live, and its number must never be given to another one, or
    // clients would drop that one as a duplicate.
    Event event{m_lastSeq + 1, type, sandboxId, QDateTime::currentMSecsSinceEpoch(), std::move(data)};
    // The log is the source of truth for catch-up; an event we could not store is still sent
    // live so that connected clients stay correct.
    m_store->appendEvent(event);
    m_lastSeq = event.seq;
    if (++m_sinceLastPrune >= kPruneEvery) {
        m_sinceLastPrune = 0;
        m_store->pruneEvents(m_retention);
    }
    const QList<QWebSocket *> subscribers = m_subscribers; // send() may drop a slow one
    for (QWebSocket *socket : subscribers)
        send(socket, event);
    emit published(event);
    return event;
}

void EventHub::subscribe(QWebSocket *socket, qint64 since)
{
    socket->setParent(this);
    connect(socket, &QWebSocket::disconnected, this, [this, socket] { drop(socket, u"client disconnected"_s); });
    if (since > m_lastSeq) {
        // Ahead of us: events it saw were never stored (a full disk, then a restart). Without a
        // reset it would drop our next events as ones it already has.
        Event reset{m_lastSeq, QString::fromLatin1(kStreamResetEvent), {}, QDateTime::currentMSecsSinceEpoch(),
                    Json{{"reason", "the server's event numbering is behind this client's"}, {"lastSeq", m_lastSeq}}};
        send(socket, reset);
    } else if (since >= 0 && since < m_lastSeq) {
        const qint64 first = m_store->firstEventSeq();
        if (first == 0 || since + 1 < first) {
            Event reset{since, QString::fromLatin1(kStreamResetEvent), {}, QDateTime::currentMSecsSinceEpoch(),
                        Json{{"reason", "the requested events are no longer kept"}, {"lastSeq", m_lastSeq}}};
            send(socket, reset);
        } else {
            // Everything runs on this thread, so no event can slip in between replay and live.
            qint64 cursor = since;
            for (;;) {
                const QList<Event> batch = m_store->eventsAfter(cursor, kReplayBatch);
                for (const Event &event : batch)
                    send(socket, event);
                if (batch.size() < kReplayBatch)
                    break;
                cursor = batch.last().seq;
            }
        }
    }
    m_subscribers.append(socket);
    qCDebug(lcEvents) << "subscriber added since" << since << "now" << m_subscribers.size();
}

void EventHub::send(QWebSocket *socket, const Event &event)
{
    if (socket->bytesToWrite() > kMaxQueuedBytes) {
        drop(socket, u"client too slow"_s);
        return;
    }
    socket->sendTextMessage(QString::fromUtf8(dumpJson(event.toJson())));
}

void EventHub::drop(QWebSocket *socket, const QString &reason)
{
    if (!m_subscribers.removeOne(socket) && socket->parent() != this)
        return;
    qCDebug(lcEvents) << "subscriber dropped:" << reason;
    socket->disconnect(this);
    if (socket->state() == QAbstractSocket::ConnectedState)
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
    socket->deleteLater();
}

} // namespace banata::server
