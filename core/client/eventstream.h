// SPDX-License-Identifier: MIT
#pragma once

#include "core/event.h"

#include <QAbstractSocket>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <chrono>

class QWebSocket;

namespace banata {

/**
 * The live `/v1/events` WebSocket: delivers every event once and in order, and reconnects by
 * itself, resuming after the last sequence number seen.
 *
 * Usage:
 *   auto *events = client.createEventStream(this);
 *   connect(events, &EventStream::eventReceived, model, &SandboxModel::apply);
 *   connect(events, &EventStream::resetRequired, model, &SandboxModel::refetchAll);
 *   events->start(model->lastSeq()); // -1: only what happens from now on
 * After a drop it waits 250 ms, doubling up to 10 s (back to 250 ms once connected), then
 * reconnects with `since=lastSeq()`. Every 30 s it pings the server and reconnects when the pong
 * does not come back before the next ping.
 */
class EventStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventStream)

public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    /// \a baseUrl is the API's http(s) URL; the stream uses ws(s) on the same host and path prefix.
    EventStream(QUrl baseUrl, QString apiKey, QObject *parent = nullptr);
    ~EventStream() override;

    /// Connects, asking for events after \a since (-1: none of the past). Restarts if running.
    void start(qint64 since = -1);
    /// Disconnects and stops reconnecting; lastSeq() is kept for a later start(lastSeq()).
    void stop();

    bool isRunning() const { return m_running; }
    State state() const { return m_state; }
    /// The newest sequence number delivered (or given to start); -1 when none.
    qint64 lastSeq() const { return m_lastSeq; }
    /// The URL the next connection will use (ws://host/v1/events?since=N).
    QUrl streamUrl() const;

    /// Reconnect backoff: the first wait and the most it doubles to.
    void setReconnectDelays(std::chrono::milliseconds initial, std::chrono::milliseconds maximum);
    /// How often to ping; 0 turns the keep-alive check off.
    void setKeepAliveInterval(std::chrono::milliseconds interval);

Q_SIGNALS:
    /// One new event; seq is strictly greater than that of any event delivered before.
    void eventReceived(const banata::Event &event);
    /// The server no longer has events after lastSeq: refetch all state. lastSeq() has been set
    /// to the reset's seq, so events that follow are delivered normally.
    void resetRequired();
    /// Connection changes; \a reason is human-readable ("Connection refused") and may be empty.
    void connectionStateChanged(banata::EventStream::State state, const QString &reason);
    /// A message that is not an event was received and skipped; the stream keeps going.
    void protocolError(const QString &message);

private:
    void connectNow();
    void onConnected();
    void onTextMessage(const QString &message);
    void onSocketGone(QWebSocket *socket);
    void onKeepAlive();
    void dropSocket();
    void setState(State state, const QString &reason);

    QUrl m_baseUrl;
    QString m_apiKey;
    QPointer<QWebSocket> m_socket;
    QTimer m_reconnectTimer;
    QTimer m_keepAliveTimer;
    QString m_lastError;
    State m_state = State::Disconnected;
    std::chrono::milliseconds m_initialDelay{250};
    std::chrono::milliseconds m_maxDelay{10000};
    std::chrono::milliseconds m_nextDelay{250};
    qint64 m_lastSeq = -1;
    bool m_running = false;
    bool m_awaitingPong = false;
};

} // namespace banata
