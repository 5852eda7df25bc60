// SPDX-License-Identifier: MIT
#include "controlchannel.h"

#include <QLocalSocket>
#include <QLoggingCategory>

#include "fdutil.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcControl, "banata.server.runtime.control")

namespace banata::server {

ControlChannel::ControlChannel(QObject *parent)
    : QObject(parent)
{}

ControlChannel::~ControlChannel()
{
    m_pending.clear();
    if (m_socket)
        m_socket->disconnect(this);
}

std::optional<QString> ControlChannel::open(const QString &socketPath)
{
    QString error;
    UniqueFd fd = connectUnixSocket(socketPath, &error);
    if (!fd.valid())
        return error;
    auto *socket = new QLocalSocket(this);
    if (!socket->setSocketDescriptor(fd.get(), QLocalSocket::ConnectedState, QIODevice::ReadWrite)) {
        delete socket;
        return u"cannot adopt control socket: "_s + socketPath;
    }
    fd.release(); // owned by the QLocalSocket now
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->deleteLater();
    }
    m_socket = socket;
    m_buffer.clear();
    m_scanned = 0;
    connect(m_socket, &QLocalSocket::readyRead, this, &ControlChannel::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, &ControlChannel::onDisconnected);
    return std::nullopt;
}

bool ControlChannel::isOpen() const
{
    return m_socket && m_socket->state() == QLocalSocket::ConnectedState;
}

void ControlChannel::request(Json message, ReplyHandler handler)
{
    if (!isOpen()) {
        handler(Reply::failure(u"control connection is closed"_s));
        return;
    }
    const qint64 id = m_nextId++;
    message["id"] = id;
    m_pending.emplace(id, std::move(handler));
    m_socket->write(dumpJson(message) + '\n');
    m_socket->flush(); // latency matters more than batching here
}

void ControlChannel::close(const QString &reason)
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_buffer.clear();
    m_scanned = 0;
    failAll(reason);
}

void ControlChannel::onReadyRead()
{
    m_buffer.append(m_socket->readAll());
    qsizetype start = 0;
    while (m_socket) {
        const qsizetype newline = m_buffer.indexOf('\n', std::max(start, m_scanned));
        if (newline < 0)
            break;
        const QByteArray line = m_buffer.sliced(start, newline - start);
        start = newline + 1;
        dispatch(line);
    }
    if (!m_socket)
        return; // a handler closed the channel
    m_buffer.remove(0, start);
    m_scanned = m_buffer.size();
}

void ControlChannel::dispatch(const QByteArray &line)
{
    const Parsed<Json> json = parseJson(line);
    if (!json || !json->is_object() || !json->contains("id") || !(*json)["id"].is_number_integer()) {
        qCWarning(lcControl) << "ignoring malformed reply from sandboxd";
        return;
    }
    const auto it = m_pending.find((*json)["id"].get<qint64>());
    if (it == m_pending.end())
        return;
    const ReplyHandler handler = std::move(it->second);
    m_pending.erase(it);
    const Json &reply = *json;
    if (reply.value("ok", false)) {
        handler(reply);
        return;
    }
    const auto error = reply.find("error");
    handler(Reply::failure(error != reply.end() && error->is_string()
                               ? fromStd(error->get_ref<const std::string &>())
                               : u"request failed"_s));
}

void ControlChannel::onDisconnected()
{
    const QString reason = u"control connection closed"_s;
    close(reason);
    emit disconnected(reason);
}

void ControlChannel::failAll(const QString &reason)
{
    // Handlers may issue new requests; fail only those pending now.
    std::unordered_map<qint64, ReplyHandler> pending;
    pending.swap(m_pending);
    for (auto &[id, handler] : pending)
        handler(Reply::failure(reason));
}

} // namespace banata::server
