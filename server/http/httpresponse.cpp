// SPDX-License-Identifier: MIT
#include "httpresponse.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <http_parser.h>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {

// Header injection guard: a value echoed from a request must never start a new header line.
QByteArray sanitized(QByteArray text)
{
    text.replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
    return text;
}

bool isManagedHeader(QByteArrayView name)
{
    return name.compare("content-length", Qt::CaseInsensitive) == 0
        || name.compare("transfer-encoding", Qt::CaseInsensitive) == 0
        || name.compare("connection", Qt::CaseInsensitive) == 0;
}

} // namespace

HttpResponse::HttpResponse(int status)
    : m_status(status)
{
}

HttpResponse HttpResponse::json(int status, QByteArray body)
{
    return bytes(status, std::move(body), "application/json"_ba);
}

HttpResponse HttpResponse::error(int status, const QString &message, const QString &code)
{
    const QJsonObject object{{u"error"_s, message}, {u"code"_s, code}};
    return json(status, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

HttpResponse HttpResponse::empty(int status)
{
    return HttpResponse(status);
}

HttpResponse HttpResponse::bytes(int status, QByteArray body, QByteArray contentType)
{
    HttpResponse response(status);
    response.m_body = std::move(body);
    response.setHeader("Content-Type"_ba, std::move(contentType));
    return response;
}

HttpResponse HttpResponse::stream(int status, std::unique_ptr<QIODevice> device, qint64 length,
                                  QByteArray contentType)
{
    HttpResponse response(status);
    // deleteLater: the device may be the sender of the signal that finished the response.
    response.m_device = std::shared_ptr<QIODevice>(device.release(), [](QIODevice *d) {
        if (d)
            d->deleteLater();
    });
    response.m_streamLength = length < 0 ? -1 : length;
    if (!contentType.isEmpty())
        response.setHeader("Content-Type"_ba, std::move(contentType));
    return response;
}

HttpResponse &HttpResponse::setHeader(QByteArray name, QByteArray value)
{
    name = sanitized(std::move(name)).trimmed();
    value = sanitized(std::move(value));
    name.replace(':', "");
    name.replace(' ', "");
    for (auto &header : m_headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
            header.second = std::move(value);
            return *this;
        }
    }
    m_headers.emplaceBack(std::move(name), std::move(value));
    return *this;
}

QByteArray HttpResponse::headerValue(QByteArrayView name) const
{
    for (const auto &[key, value] : m_headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

std::shared_ptr<QIODevice> HttpResponse::takeDevice()
{
    return std::exchange(m_device, nullptr);
}

QByteArray httpReasonPhrase(int status)
{
    if (status < 100 || status > 599)
        return "Unknown"_ba;
    const QByteArray text(http_status_str(static_cast<http_status>(status)));
    return text.startsWith('<') ? "Unknown"_ba : text; // "<unknown>" for codes it does not know
}

bool statusForbidsBody(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

QByteArray serializeResponseHead(const HttpResponse &response, BodyFraming framing, qint64 length,
                                 bool closeConnection, bool http10KeepAlive)
{
    QByteArray head;
    head.reserve(256);
    head += "HTTP/1.1 "_ba + QByteArray::number(response.status()) + ' '
          + httpReasonPhrase(response.status()) + "\r\n";
    for (const auto &[name, value] : response.headers()) {
        if (!isManagedHeader(name))
            head += name + ": "_ba + value + "\r\n";
    }
    switch (framing) {
    case BodyFraming::None:
        if (!statusForbidsBody(response.status()))
            head += "Content-Length: 0\r\n";
        break;
    case BodyFraming::Length:
        head += "Content-Length: "_ba + QByteArray::number(length) + "\r\n";
        break;
    case BodyFraming::Chunked:
        head += "Transfer-Encoding: chunked\r\n";
        break;
    case BodyFraming::UntilClose:
        break;
    }
    if (closeConnection)
        head += "Connection: close\r\n";
    else if (http10KeepAlive)
        head += "Connection: keep-alive\r\n";
    head += "\r\n";
    return head;
}

} // namespace banata::server
