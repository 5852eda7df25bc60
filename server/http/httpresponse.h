// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QIODevice>
#include <QList>
#include <QString>

#include <memory>
#include <utility>

namespace banata::server {

/// A response to send: status, headers and either an in-memory body or a device to stream from.
///
/// Content-Length, Transfer-Encoding and Connection are managed by the server; setting them has no
/// effect. Copies of a stream response share one device, so send only one of them.
class HttpResponse
{
public:
    /// \a body is sent as is with Content-Type: application/json.
    static HttpResponse json(int status, QByteArray body);
    /// The Banata error shape: {"error": message, "code": code}.
    static HttpResponse error(int status, const QString &message, const QString &code);
    /// No body, e.g. 204 or 304 (or Content-Length: 0 for statuses that allow a body).
    static HttpResponse empty(int status);
    /// An in-memory body with an explicit media type, e.g. "text/plain; charset=utf-8".
    static HttpResponse bytes(int status, QByteArray body, QByteArray contentType);
    /// Streams \a length bytes from \a device (already positioned); length -1 = unknown → chunked.
    static HttpResponse stream(int status, std::unique_ptr<QIODevice> device, qint64 length,
                               QByteArray contentType);

    /// Sets \a name (case-insensitively replacing an earlier one); CR, LF and NUL are dropped.
    HttpResponse &setHeader(QByteArray name, QByteArray value);

    int status() const { return m_status; }
    /// The value of header \a name (case-insensitive), empty when not set.
    QByteArray headerValue(QByteArrayView name) const;
    const QList<std::pair<QByteArray, QByteArray>> &headers() const { return m_headers; }
    const QByteArray &body() const { return m_body; }
    bool isStream() const { return m_device != nullptr; }
    QIODevice *device() const { return m_device.get(); }
    qint64 streamLength() const { return m_streamLength; }
    /// Hands the stream device to the sender; afterwards isStream() is false.
    std::shared_ptr<QIODevice> takeDevice();

private:
    explicit HttpResponse(int status);

    int m_status;
    QList<std::pair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
    std::shared_ptr<QIODevice> m_device;
    qint64 m_streamLength = -1;
};

/// How a response body is delimited on the wire.
enum class BodyFraming {
    None,       // no body at all (HEAD, 1xx, 204, 304)
    Length,     // Content-Length
    Chunked,    // Transfer-Encoding: chunked
    UntilClose, // HTTP/1.0 client and unknown length: the body ends when the connection closes
};

/// The standard reason phrase for \a status, e.g. "Not Found".
QByteArray httpReasonPhrase(int status);
/// True for statuses that never carry a body (1xx, 204, 304).
bool statusForbidsBody(int status);
/// Status line and headers of \a response, ending with the blank line.
/// \a length is the would-be body length for BodyFraming::Length (also for HEAD answers).
QByteArray serializeResponseHead(const HttpResponse &response, BodyFraming framing, qint64 length,
                                 bool closeConnection, bool http10KeepAlive);

} // namespace banata::server
