// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QObject>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace banata::server {

class ControlRegistry;
class EventHub;

/// One agent's CDP connection relayed to a sandbox's Chromium, message for message, except
/// input the handoff lease holds back: while a human holds control, `Input.*` commands are
/// answered by the proxy with a CDP error instead of reaching the browser.
class CdpProxy final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CdpProxy)

public:
    /// Takes ownership of \a client; deletes itself when either side closes.
    CdpProxy(QWebSocket *client, const QUrl &browserEndpoint, const QString &sandboxId, ControlRegistry *control,
             EventHub *events, QObject *parent = nullptr);
    ~CdpProxy() override;

    /// True for commands that act like a person at the keyboard and mouse.
    static bool isInputMethod(const QString &method);

private:
    void fromClient(const QString &message);
    void finish(const QString &reason);

    QWebSocket *m_client;
    QWebSocket *m_browser;
    QString m_sandboxId;
    ControlRegistry *m_control;
    EventHub *m_events;
    QList<QString> m_queued; // client messages before the browser side is connected
    qint64 m_forwarded = 0;
    qint64 m_heldBack = 0;
    bool m_finished = false;
};

} // namespace banata::server
