// SPDX-License-Identifier: MIT
#include "httprequestparser.h"

#include <QStringDecoder>

#include <limits>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {

std::optional<QString> decodeUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

QByteArrayView urlField(QByteArrayView url, const http_parser_url &parsed, http_parser_url_fields field)
{
    if (!(parsed.field_set & (1 << field)))
        return {};
    return url.sliced(parsed.field_data[field].off, parsed.field_data[field].len);
}

} // namespace

HttpRequestParser::HttpRequestParser()
{
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
}

const http_parser_settings &HttpRequestParser::settings()
{
    static const http_parser_settings callbacks = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_message_begin = &HttpRequestParser::onMessageBegin;
        s.on_url = &HttpRequestParser::onUrl;
        s.on_header_field = &HttpRequestParser::onHeaderField;
        s.on_header_value = &HttpRequestParser::onHeaderValue;
        s.on_headers_complete = &HttpRequestParser::onHeadersComplete;
        s.on_body = &HttpRequestParser::onBody;
        s.on_message_complete = &HttpRequestParser::onMessageComplete;
        return s;
    }();
    return callbacks;
}

HttpRequestParser *HttpRequestParser::self(http_parser *parser)
{
    return static_cast<HttpRequestParser *>(parser->data);
}

HttpRequestParser::Step HttpRequestParser::feed(QByteArrayView data)
{
    if (data.isEmpty())
        return {};
    m_pendingEvent = Event::NeedMoreData;
    const size_t consumed = http_parser_execute(&m_parser, &settings(), data.data(), size_t(data.size()));
    const auto error = HTTP_PARSER_ERRNO(&m_parser);
    Step step{qsizetype(consumed), m_pendingEvent};
    if (error == HPE_OK || error == HPE_PAUSED)
        return step;
    if (error == HPE_CB_body && m_bodyRejected) {
        step.event = Event::BodyRejected;
        return step;
    }
    if (m_errorStatus == 0) {
        if (error == HPE_HEADER_OVERFLOW)
            fail(431, u"HEADERS_TOO_LARGE"_s, u"Request headers too large"_s);
        else
            fail(400, u"BAD_REQUEST"_s,
                 u"Malformed request: "_s + QString::fromLatin1(http_errno_description(error)));
    }
    step.event = Event::Error;
    return step;
}

void HttpRequestParser::resume()
{
    if (HTTP_PARSER_ERRNO(&m_parser) == HPE_PAUSED)
        http_parser_pause(&m_parser, 0);
    if (m_pendingEvent == Event::MessageComplete) {
        m_messageStarted = false;
        m_pendingEvent = Event::NeedMoreData;
    }
}

bool HttpRequestParser::hasBody() const
{
    return isChunked() || contentLength() > 0;
}

qint64 HttpRequestParser::contentLength() const
{
    if (isChunked() || m_parser.content_length == std::numeric_limits<uint64_t>::max())
        return -1;
    // The parser counts this down while reading the body; callers ask right after the headers.
    return m_parser.content_length > uint64_t(std::numeric_limits<qint64>::max())
        ? std::numeric_limits<qint64>::max()
        : qint64(m_parser.content_length);
}

void HttpRequestParser::fail(int status, const QString &code, const QString &message)
{
    m_errorStatus = status;
    m_errorCode = code;
    m_errorMessage = message;
}

int HttpRequestParser::onMessageBegin(http_parser *parser)
{
    HttpRequestParser *p = self(parser);
    p->m_request = HttpRequest();
    p->m_url.clear();
    p->m_field.clear();
    p->m_value.clear();
    p->m_headerBytes = 0;
    p->m_inValue = false;
    p->m_messageStarted = true;
    p->m_keepAlive = false;
    p->m_expectsContinue = false;
    p->m_bodyRejected = false;
    return 0;
}

int HttpRequestParser::onUrl(http_parser *parser, const char *at, size_t length)
{
    HttpRequestParser *p = self(parser);
    if (p->m_url.size() + qsizetype(length) > MaxUrlBytes) {
        p->fail(414, u"URI_TOO_LONG"_s, u"Request URL too long (limit %1 bytes)"_s.arg(MaxUrlBytes));
        return -1;
    }
    p->m_url.append(at, qsizetype(length));
    return 0;
}

bool HttpRequestParser::countHeaderBytes(size_t length)
{
    m_headerBytes += qsizetype(length);
    if (m_headerBytes <= MaxHeaderBytes)
        return true;
    fail(431, u"HEADERS_TOO_LARGE"_s, u"Request headers too large (limit %1 bytes)"_s.arg(MaxHeaderBytes));
    return false;
}

bool HttpRequestParser::finishHeaderLine()
{
    if (m_request.headers.size() >= MaxHeaderCount) {
        fail(431, u"HEADERS_TOO_LARGE"_s, u"Too many request headers (limit %1)"_s.arg(MaxHeaderCount));
        return false;
    }
    if (m_field.contains('\0') || m_value.contains('\0')) {
        fail(400, u"BAD_REQUEST"_s, u"Malformed request: NUL byte in a header"_s);
        return false;
    }
    m_request.headers.emplaceBack(m_field.toLower(), m_value.trimmed());
    m_field.clear();
    m_value.clear();
    m_inValue = false;
    return true;
}

int HttpRequestParser::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    HttpRequestParser *p = self(parser);
    if (p->m_inValue && !p->finishHeaderLine())
        return -1;
    if (!p->countHeaderBytes(length))
        return -1;
    p->m_field.append(at, qsizetype(length));
    return 0;
}

int HttpRequestParser::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    HttpRequestParser *p = self(parser);
    if (!p->countHeaderBytes(length))
        return -1;
    p->m_value.append(at, qsizetype(length));
    p->m_inValue = true;
    return 0;
}

bool HttpRequestParser::buildRequest()
{
    const auto badTarget = [this] {
        fail(400, u"BAD_REQUEST"_s, u"Malformed request target"_s);
        return false;
    };
    http_parser_url parsed;
    http_parser_url_init(&parsed);
    if (m_url.isEmpty() || http_parser_parse_url(m_url.constData(), size_t(m_url.size()), 0, &parsed) != 0)
        return badTarget();
    const QByteArrayView rawPath = urlField(m_url, parsed, UF_PATH);
    const auto path = percentDecode(rawPath.isEmpty() ? QByteArrayView("/") : rawPath);
    const auto pathText = path ? decodeUtf8(*path) : std::nullopt;
    if (!pathText || !pathText->startsWith(u'/'))
        return badTarget();
    m_request.path = *pathText;

    const QByteArrayView rawQuery = urlField(m_url, parsed, UF_QUERY);
    if (!rawQuery.isEmpty()) {
        // Validate every escape up front: QUrlQuery would silently keep malformed ones.
        const auto query = percentDecode(rawQuery);
        if (!query || !decodeUtf8(*query))
            return badTarget();
        const auto rawText = decodeUtf8(rawQuery.toByteArray());
        if (!rawText)
            return badTarget();
        m_request.query.setQuery(*rawText);
    }
    m_request.method = QByteArray(http_method_str(static_cast<http_method>(m_parser.method)));
    return true;
}

int HttpRequestParser::onHeadersComplete(http_parser *parser)
{
    HttpRequestParser *p = self(parser);
    if (p->m_inValue && !p->finishHeaderLine())
        return -1;
    if (!p->buildRequest())
        return -1;
    p->m_keepAlive = http_should_keep_alive(parser) != 0;
    const QByteArray expect = p->m_request.header("expect");
    p->m_expectsContinue = !p->isHttp10() && expect.compare("100-continue", Qt::CaseInsensitive) == 0;
    p->m_pendingEvent = Event::HeadersComplete;
    http_parser_pause(parser, 1);
    return 0;
}

int HttpRequestParser::onBody(http_parser *parser, const char *at, size_t length)
{
    HttpRequestParser *p = self(parser);
    if (p->m_bodySink && !p->m_bodySink(QByteArrayView(at, qsizetype(length)))) {
        p->m_bodyRejected = true;
        return -1;
    }
    return 0;
}

int HttpRequestParser::onMessageComplete(http_parser *parser)
{
    HttpRequestParser *p = self(parser);
    p->m_pendingEvent = Event::MessageComplete;
    http_parser_pause(parser, 1);
    return 0;
}

} // namespace banata::server
