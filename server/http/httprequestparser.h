// SPDX-License-Identifier: MIT
#pragma once

#include "httprequest.h"

#include <QByteArrayView>
#include <QString>

#include <http_parser.h>

#include <functional>

namespace banata::server {

/// Incremental HTTP/1.x request parser over nodejs http-parser that enforces our size limits and
/// stops after the headers and after each message, so the caller decides what happens next.
///
/// Usage: feed() bytes until it reports an event, act on it, resume(), and feed the rest.
class HttpRequestParser
{
public:
    enum class Event {
        NeedMoreData,
        HeadersComplete, // request() is valid; the body (if any) follows after resume()
        MessageComplete, // the whole request has been read; resume() starts the next one
        BodyRejected,    // the body sink returned false
        Error,           // malformed or over a limit: see errorStatus()
    };
    /// What one feed() did: bytes consumed (skip exactly these) and why it stopped.
    struct Step
    {
        qsizetype consumed = 0;
        Event event = Event::NeedMoreData;
    };
    /// Receives body bytes; return false to stop parsing (Event::BodyRejected).
    using BodySink = std::function<bool(QByteArrayView)>;

    static constexpr qsizetype MaxUrlBytes = 16 * 1024;
    static constexpr qsizetype MaxHeaderBytes = 64 * 1024;
    static constexpr int MaxHeaderCount = 256;

    HttpRequestParser();
    Q_DISABLE_COPY_MOVE(HttpRequestParser)

    void setBodySink(BodySink sink) { m_bodySink = std::move(sink); }
    Step feed(QByteArrayView data);
    /// Continues after HeadersComplete or MessageComplete.
    void resume();

    /// True once any byte of the current message has been parsed.
    bool messageStarted() const { return m_messageStarted; }
    HttpRequest takeRequest() { return std::move(m_request); }
    bool keepAlive() const { return m_keepAlive; }
    bool isHttp10() const { return m_parser.http_major == 1 && m_parser.http_minor == 0; }
    bool expectsContinue() const { return m_expectsContinue; }
    bool isChunked() const { return (m_parser.flags & F_CHUNKED) != 0; }
    bool hasBody() const;
    /// Declared Content-Length, or -1 when chunked or absent.
    qint64 contentLength() const;

    int errorStatus() const { return m_errorStatus; }
    QString errorCode() const { return m_errorCode; }
    QString errorMessage() const { return m_errorMessage; }

private:
    static const http_parser_settings &settings();
    static HttpRequestParser *self(http_parser *parser);
    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);

    bool countHeaderBytes(size_t length);
    bool finishHeaderLine();
    bool buildRequest();
    void fail(int status, const QString &code, const QString &message);

    http_parser m_parser;
    BodySink m_bodySink;
    HttpRequest m_request;
    QByteArray m_url;
    QByteArray m_field;
    QByteArray m_value;
    qsizetype m_headerBytes = 0;
    bool m_inValue = false;
    bool m_messageStarted = false;
    bool m_keepAlive = false;
    bool m_expectsContinue = false;
    bool m_bodyRejected = false;
    Event m_pendingEvent = Event::NeedMoreData;
    int m_errorStatus = 0;
    QString m_errorCode;
    QString m_errorMessage;
};

} // namespace banata::server
