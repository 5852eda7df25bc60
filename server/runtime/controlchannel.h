// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <unordered_map>

#include <QObject>

#include "core/expected.h"
#include "core/json.h"

class QLocalSocket;

namespace banata::server {

/**
 * The server end of a banata-sandboxd control connection: newline-delimited JSON requests,
 * matched to replies by id (protocol.h). Usage:
 *   channel->open(socketPath);
 *   channel->request({{"op", "hello"}}, [](const ControlChannel::Reply &reply) { ... });
 * Each handler runs exactly once: with the reply object, or with an error text when the daemon
 * answered ok=false or the connection closed.
 */
class ControlChannel final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlChannel)

public:
    using Reply = Expected<Json, QString>;
    using ReplyHandler = std::function<void(const Reply &reply)>;

    explicit ControlChannel(QObject *parent = nullptr);
    ~ControlChannel() override; // drops pending handlers without running them

    /// Connects synchronously: a local connect only queues on the daemon's listen backlog, so it
    /// succeeds even before the daemon runs.
    std::optional<QString> open(const QString &socketPath);
    bool isOpen() const;
    void request(Json message, ReplyHandler handler);
    /// Closes the connection and fails every pending handler with reason.
    void close(const QString &reason);

signals:
    /// The daemon closed the connection (or it broke); pending handlers have already failed.
    void disconnected(const QString &reason);

private:
    void onReadyRead();
    void onDisconnected();
    void dispatch(const QByteArray &line);
    void failAll(const QString &reason);

    QLocalSocket *m_socket = nullptr;
    QByteArray m_buffer;
    qsizetype m_scanned = 0; // bytes of m_buffer known to hold no newline
    qint64 m_nextId = 1;
    std::unordered_map<qint64, ReplyHandler> m_pending;
};

} // namespace banata::server
