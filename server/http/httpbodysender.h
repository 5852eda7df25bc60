// SPDX-License-Identifier: MIT
#pragma once

#include "httpresponse.h"

#include <QObject>
#include <QString>

#include <memory>

class QIODevice;
class QSocketNotifier;
class QTcpSocket;

namespace banata::server {

/// Copies one response body from a device to a socket with bounded memory: sendfile(2) straight
/// from a regular file, otherwise reads refilled only when the socket's write buffer runs low.
///
/// Usage: construct after the head has been written to the socket, connect finished()/failed(),
/// call start(). Both signals may be emitted from inside start().
class HttpBodySender final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpBodySender)

public:
    /// \a framing is Length (with \a length >= 0), Chunked or UntilClose; \a socket must outlive us.
    HttpBodySender(QTcpSocket *socket, std::shared_ptr<QIODevice> device, qint64 length,
                   BodyFraming framing, QObject *parent = nullptr);
    ~HttpBodySender() override;

    void start();
    /// Stops all activity; no signal is emitted afterwards. Safe to call from a slot of ours.
    void stop();
    qint64 bytesSent() const { return m_sent; }
    bool usesSendfile() const { return m_useSendfile; }
    /// True while progress depends on the client reading, false while waiting for the device.
    bool isWaitingForClient() const;

Q_SIGNALS:
    void progressed();
    /// Every body byte has been handed to the socket (its buffer or the kernel).
    void finished();
    void failed(const QString &reason);

private:
    bool canUseSendfile() const;
    void onBytesWritten();
    void pumpSendfile();
    void pumpCopy();
    void writeChunk(const QByteArray &data);
    void complete();
    void fail(const QString &reason);
    void setNotifierEnabled(bool enabled);

    QTcpSocket *m_socket;
    std::shared_ptr<QIODevice> m_device;
    qint64 m_remaining;
    BodyFraming m_framing;
    QSocketNotifier *m_notifier = nullptr;
    int m_fileDescriptor = -1;
    qint64 m_fileOffset = 0;
    qint64 m_sent = 0;
    bool m_useSendfile = false;
    bool m_waitingForFlush = false;
    bool m_sourceFinished = false;
    bool m_pumping = false;
    bool m_stopped = false;
};

} // namespace banata::server
