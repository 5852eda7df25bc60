// SPDX-License-Identifier: MIT
#include "httpbodysender.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTcpSocket>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include <pthread.h>
#include <sys/sendfile.h>

using namespace Qt::StringLiterals;

namespace banata::server {

Q_LOGGING_CATEGORY(lcHttpBodySender, "banata.server.http.bodysender", QtInfoMsg)

namespace {

constexpr qint64 CopyChunkBytes = 256 * 1024;
constexpr qint64 CopyHighWaterBytes = 1024 * 1024;
constexpr qint64 SendfileCallBytes = 16 * 1024 * 1024;
// Bytes per wake-up before yielding to the event loop, so one download cannot starve others.
constexpr qint64 SendfileBudgetBytes = 64 * 1024 * 1024;

/// Blocks SIGPIPE on this thread while it lives: sendfile(2), unlike Qt's send(MSG_NOSIGNAL),
/// would otherwise kill the process when the client has gone. A SIGPIPE raised meanwhile is
/// consumed so it is not delivered once unblocked.
class SigpipeBlocker
{
public:
    SigpipeBlocker()
    {
        sigemptyset(&m_set);
        sigaddset(&m_set, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        m_wasPending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &m_set, &m_previous);
    }
    ~SigpipeBlocker()
    {
        if (m_sawEpipe && !m_wasPending) {
            const timespec zero{0, 0};
            while (sigtimedwait(&m_set, nullptr, &zero) == -1 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    }
    Q_DISABLE_COPY_MOVE(SigpipeBlocker)
    void noteEpipe() { m_sawEpipe = true; }

private:
    sigset_t m_set;
    sigset_t m_previous;
    bool m_wasPending = false;
    bool m_sawEpipe = false;
};

} // namespace

HttpBodySender::HttpBodySender(QTcpSocket *socket, std::shared_ptr<QIODevice> device, qint64 length,
                               BodyFraming framing, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_device(std::move(device))
    , m_remaining(length)
    , m_framing(framing)
{
    Q_ASSERT(m_framing != BodyFraming::None);
    Q_ASSERT(m_framing != BodyFraming::Length || m_remaining >= 0);
}

HttpBodySender::~HttpBodySender()
{
    stop();
}

bool HttpBodySender::canUseSendfile() const
{
    const auto *file = qobject_cast<QFile *>(m_device.get());
    return file && m_framing == BodyFraming::Length && file->isOpen() && !file->isSequential()
        && file->handle() >= 0 && m_socket->socketDescriptor() >= 0;
}

void HttpBodySender::start()
{
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpBodySender::onBytesWritten);
    if (m_framing == BodyFraming::Length && m_remaining == 0) {
        complete();
        return;
    }
    if (canUseSendfile()) {
        const auto *file = static_cast<QFile *>(m_device.get());
        m_useSendfile = true;
        m_fileDescriptor = file->handle();
        // pos() is the logical position even when QFile has read ahead into its buffer.
        m_fileOffset = file->pos();
        m_notifier = new QSocketNotifier(m_socket->socketDescriptor(), QSocketNotifier::Write, this);
        m_notifier->setEnabled(false);
        connect(m_notifier, &QSocketNotifier::activated, this, &HttpBodySender::pumpSendfile);
        // The head is still in Qt's write buffer; sendfile must not overtake it.
        m_waitingForFlush = m_socket->bytesToWrite() > 0;
        if (!m_waitingForFlush)
            pumpSendfile();
        return;
    }
    if (m_device->isSequential()) {
        connect(m_device.get(), &QIODevice::readyRead, this, &HttpBodySender::pumpCopy);
        connect(m_device.get(), &QIODevice::readChannelFinished, this, [this] {
            m_sourceFinished = true;
            pumpCopy();
        });
        connect(m_device.get(), &QIODevice::aboutToClose, this, [this] { m_sourceFinished = true; });
    }
    pumpCopy();
}

void HttpBodySender::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    setNotifierEnabled(false);
    disconnect(m_socket, nullptr, this, nullptr);
    if (m_device)
        disconnect(m_device.get(), nullptr, this, nullptr);
}

bool HttpBodySender::isWaitingForClient() const
{
    if (m_stopped)
        return false;
    if (m_useSendfile)
        return m_waitingForFlush || (m_notifier && m_notifier->isEnabled());
    return m_socket->bytesToWrite() > 0;
}

void HttpBodySender::setNotifierEnabled(bool enabled)
{
    if (m_notifier && m_notifier->isEnabled() != enabled)
        m_notifier->setEnabled(enabled);
}

void HttpBodySender::onBytesWritten()
{
    if (m_stopped)
        return;
    if (!m_useSendfile) {
        pumpCopy();
        return;
    }
    if (m_waitingForFlush && m_socket->bytesToWrite() == 0) {
        m_waitingForFlush = false;
        pumpSendfile();
    }
}

void HttpBodySender::pumpSendfile()
{
    if (m_stopped || m_waitingForFlush)
        return;
    const int socketDescriptor = int(m_socket->socketDescriptor());
    if (socketDescriptor < 0) {
        fail(u"socket closed"_s);
        return;
    }
    qint64 budget = SendfileBudgetBytes;
    const qint64 sentBefore = m_sent;
    int error = 0;
    {
        SigpipeBlocker blocker;
        while (m_remaining > 0 && budget > 0) {
            off_t offset = m_fileOffset;
            const ssize_t n = ::sendfile(socketDescriptor, m_fileDescriptor, &offset,
                                         size_t(std::min(m_remaining, SendfileCallBytes)));
            if (n > 0) {
                m_fileOffset += n;
                m_remaining -= n;
                m_sent += n;
                budget -= n;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            error = n == 0 ? -1 : errno; // 0: the file is shorter than announced
            if (error == EPIPE)
                blocker.noteEpipe();
            break;
        }
    }
    if (m_sent != sentBefore) {
        Q_EMIT progressed();
        if (m_stopped)
            return;
    }
    if (m_remaining == 0) {
        setNotifierEnabled(false);
        complete();
        return;
    }
    if (error == 0 || error == EAGAIN || error == EWOULDBLOCK) {
        // Socket buffer full (or budget used up): continue when it is writable again.
        setNotifierEnabled(true);
        return;
    }
    if ((error == EINVAL || error == ENOSYS || error == EOPNOTSUPP) && m_sent == 0) {
        qCDebug(lcHttpBodySender) << "sendfile unsupported here, copying instead:" << std::strerror(error);
        setNotifierEnabled(false);
        m_useSendfile = false;
        if (!m_device->seek(m_fileOffset)) {
            fail(u"cannot seek the file"_s);
            return;
        }
        pumpCopy();
        return;
    }
    setNotifierEnabled(false);
    fail(error < 0 ? u"file ended before the announced length"_s : QString::fromLocal8Bit(std::strerror(error)));
}

void HttpBodySender::pumpCopy()
{
    if (m_stopped || m_pumping || m_useSendfile)
        return;
    m_pumping = true;
    bool progressedNow = false;
    while (!m_stopped && m_socket->bytesToWrite() < CopyHighWaterBytes) {
        if (m_framing == BodyFraming::Length && m_remaining == 0) {
            complete();
            break;
        }
        const qint64 want = m_framing == BodyFraming::Length ? std::min(CopyChunkBytes, m_remaining) : CopyChunkBytes;
        QByteArray chunk(want, Qt::Uninitialized);
        const qint64 n = m_device->isOpen() ? m_device->read(chunk.data(), want) : -1;
        if (n > 0) {
            chunk.truncate(n);
            writeChunk(chunk);
            m_sent += n;
            if (m_framing == BodyFraming::Length)
                m_remaining -= n;
            progressedNow = true;
            continue;
        }
        const bool mayGrow = n == 0 && m_device->isSequential() && !m_sourceFinished;
        if (mayGrow)
            break; // wait for readyRead / readChannelFinished
        if (m_framing == BodyFraming::Length)
            fail(n < 0 ? u"read error: "_s + m_device->errorString() : u"device ended before the announced length"_s);
        else
            complete(); // unknown length: end of data (or a read error we cannot report otherwise)
        break;
    }
    m_pumping = false;
    if (progressedNow && !m_stopped)
        Q_EMIT progressed();
}

void HttpBodySender::writeChunk(const QByteArray &data)
{
    if (m_framing == BodyFraming::Chunked) {
        m_socket->write(QByteArray::number(data.size(), 16) + "\r\n"_ba);
        m_socket->write(data);
        m_socket->write("\r\n"_ba);
    } else {
        m_socket->write(data);
    }
}

void HttpBodySender::complete()
{
    if (m_stopped)
        return;
    if (m_framing == BodyFraming::Chunked)
        m_socket->write("0\r\n\r\n"_ba);
    stop();
    Q_EMIT finished();
}

void HttpBodySender::fail(const QString &reason)
{
    if (m_stopped)
        return;
    stop();
    Q_EMIT failed(reason);
}

} // namespace banata::server
