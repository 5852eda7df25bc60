// SPDX-License-Identifier: MIT
#pragma once

#include "core/json.h"

#include <QHash>
#include <QObject>
#include <QUrl>

#include <functional>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace banata::server {

/// One server-side CDP client over a WebSocket to Chromium: numbered commands answered through
/// callbacks, everything else (events) emitted as signals.
class CdpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CdpConnection)

public:
    /// The `result` object, or the CDP `error` object when \a ok is false.
    using Reply = std::function<void(bool ok, const banata::Json &resultOrError)>;

    explicit CdpConnection(QObject *parent = nullptr);
    ~CdpConnection() override;

    void open(const QUrl &url);
    bool isOpen() const { return m_open; }
    /// Sends \a method; \a sessionId targets an attached page (flat sessions). Without a
    /// connection the reply comes at once with an error, so callers never wait forever.
    void send(const QString &method, banata::Json params, Reply reply = {}, const QString &sessionId = {});

signals:
    void opened();
    /// The socket closed or never opened; pending replies have been failed.
    void closed(const QString &reason);
    void event(const QString &method, const banata::Json &params, const QString &sessionId);

private:
    void onMessage(const QString &text);
    void failPending(const QString &reason);

    QWebSocket *m_socket;
    QHash<qint64, Reply> m_pending;
    qint64 m_nextId = 1;
    bool m_open = false;
};

} // namespace banata::server
