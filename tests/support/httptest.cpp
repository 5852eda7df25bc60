// SPDX-License-Identifier: MIT
#include "httptest.h"

#include "testdata.h"

#include <QBuffer>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkProxy>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstring>

using namespace banata::server;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace banata::test {

namespace {

// Decodes a chunked body starting at \a from; nullopt until it is complete.
std::optional<QByteArray> decodeChunked(const QByteArray &buffer, qsizetype from, qsizetype *end)
{
    QByteArray body;
    qsizetype pos = from;
    for (;;) {
        const qsizetype lineEnd = buffer.indexOf("\r\n", pos);
        if (lineEnd < 0)
            return std::nullopt;
        bool ok = false;
        const qsizetype size = buffer.mid(pos, lineEnd - pos).toLongLong(&ok, 16);
        if (!ok)
            return std::nullopt;
        pos = lineEnd + 2;
        if (buffer.size() < pos + size + 2)
            return std::nullopt;
        if (size == 0) {
            *end = pos + 2;
            return body;
        }
        body += buffer.mid(pos, size);
        pos += size + 2;
    }
}

// Parses one complete response at the start of \a buffer and removes it; nullopt if incomplete.
std::optional<RawResponse> takeResponse(QByteArray &buffer, bool headRequest, bool closed)
{
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return std::nullopt;
    RawResponse response;
    const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
    const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
    response.status = statusLine.value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        response.headers.emplaceBack(lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed());
    }
    const qsizetype bodyStart = headEnd + 4;
    qsizetype end = bodyStart;
    const bool noBody = headRequest || response.status < 200 || response.status == 204 || response.status == 304;
    if (noBody) {
        // nothing to read
    } else if (!response.header("content-length").isEmpty()) {
        const qsizetype length = response.header("content-length").toLongLong();
        if (buffer.size() < bodyStart + length)
            return std::nullopt;
        response.body = buffer.mid(bodyStart, length);
        end = bodyStart + length;
    } else if (response.header("transfer-encoding") == "chunked") {
        const auto body = decodeChunked(buffer, bodyStart, &end);
        if (!body)
            return std::nullopt;
        response.body = *body;
    } else {
        if (!closed)
            return std::nullopt;
        response.body = buffer.mid(bodyStart);
        end = buffer.size();
    }
    buffer.remove(0, end);
    return response;
}

/// A stream-route consumer that hashes the body and answers with the digest.
class HashingConsumer final : public BodyConsumer
{
public:
    explicit HashingConsumer(std::shared_ptr<UploadState> state)
        : m_state(std::move(state))
    {
        ++m_state->created;
    }
    bool write(QByteArrayView chunk) override
    {
        m_state->hash.addData(chunk);
        m_state->received += chunk.size();
        return true;
    }
    void finish(HttpResponder responder) override
    {
        m_state->finished = true;
        const QJsonObject result{{u"sha256"_s, QString::fromLatin1(m_state->hash.result().toHex())},
                                 {u"bytes"_s, m_state->received}};
        responder.respond(HttpResponse::json(200, QJsonDocument(result).toJson(QJsonDocument::Compact)));
    }
    void abort() override { m_state->aborted = true; }

private:
    std::shared_ptr<UploadState> m_state;
};

/// A sequential device fed over time, like a process's output.
class PipeDevice final : public QIODevice
{
public:
    PipeDevice() { open(QIODevice::ReadOnly); }
    bool isSequential() const override { return true; }
    void push(const QByteArray &data)
    {
        m_data += data;
        Q_EMIT readyRead();
    }
    void finish()
    {
        m_finished = true;
        Q_EMIT readChannelFinished();
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_data.isEmpty())
            return m_finished ? -1 : 0;
        const qint64 n = std::min<qint64>(maxSize, m_data.size());
        std::memcpy(data, m_data.constData(), size_t(n));
        m_data.remove(0, n);
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    bool m_finished = false;
};

} // namespace

QByteArray RawResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QJsonObject RawResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

std::optional<RawResponse> readResponse(QTcpSocket &socket, QByteArray &buffer, bool headRequest)
{
    for (;;) {
        const bool closed = socket.state() != QAbstractSocket::ConnectedState;
        if (auto response = takeResponse(buffer, headRequest, closed && socket.bytesAvailable() == 0))
            return response;
        if (closed && socket.bytesAvailable() == 0)
            return std::nullopt;
        const bool more = QTest::qWaitFor(
            [&] { return socket.bytesAvailable() > 0 || socket.state() != QAbstractSocket::ConnectedState; }, WaitMs);
        buffer += socket.readAll();
        if (!more)
            return std::nullopt;
    }
}

bool waitForDisconnect(QTcpSocket &socket)
{
    return QTest::qWaitFor([&] {
        socket.readAll();
        return socket.state() == QAbstractSocket::UnconnectedState;
    }, WaitMs);
}

QUrl HttpServerTest::url(const QString &pathAndQuery) const
{
    return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server->port()).arg(pathAndQuery));
}

QNetworkRequest HttpServerTest::binaryRequest(const QString &path) const
{
    QNetworkRequest request(url(path));
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/octet-stream"_ba);
    return request;
}

std::unique_ptr<QTcpSocket> HttpServerTest::connectRaw()
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->setProxy(QNetworkProxy::NoProxy);
    socket->connectToHost(QHostAddress::LocalHost, m_server->port());
    if (!QTest::qWaitFor([&] { return socket->state() == QAbstractSocket::ConnectedState; }, WaitMs))
        return nullptr;
    return socket;
}

QNetworkReply *HttpServerTest::waitReply(QNetworkReply *reply)
{
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(WaitMs);
    return reply;
}

void HttpServerTest::registerRoutes()
{
    HttpServer &s = *m_server;
    s.route("GET"_ba, u"/json"_s, [](const HttpRequest &, HttpResponder responder) {
        responder.respond(HttpResponse::json(200, R"({"hello":"world"})"_ba));
    });
    s.route("GET"_ba, u"/query"_s, [](const HttpRequest &request, HttpResponder responder) {
        const QJsonObject object{{u"path"_s, request.path}, {u"name"_s, request.queryValue(u"name"_s)}};
        responder.respond(HttpResponse::json(200, QJsonDocument(object).toJson(QJsonDocument::Compact)));
    });
    s.route("POST"_ba, u"/echo"_s, [](const HttpRequest &request, HttpResponder responder) {
        responder.respond(HttpResponse::bytes(200, request.body, request.header("content-type")));
    });
    s.route("POST"_ba, u"/small"_s, [](const HttpRequest &, HttpResponder responder) {
        responder.respond(HttpResponse::empty(204));
    }, 16);
    s.route("GET"_ba, u"/async"_s, [this](const HttpRequest &request, HttpResponder responder) {
        const QString n = request.queryValue(u"n"_s);
        QTimer::singleShot(0, m_server.get(), [responder, n]() mutable {
            responder.respond(HttpResponse::json(200, "{\"n\":\"" + n.toUtf8() + "\"}"));
        });
    });
    s.route("GET"_ba, u"/hold"_s, [this](const HttpRequest &, HttpResponder responder) { m_held = responder; });
    s.streamRoute("POST"_ba, u"/upload"_s, [this](const HttpRequest &, HttpResponder) {
        return std::make_unique<HashingConsumer>(m_upload);
    });
    s.streamRoute("PUT"_ba, u"/conflict"_s, [](const HttpRequest &, HttpResponder responder) {
        responder.respond(HttpResponse::error(409, u"Busy"_s, u"CONFLICT"_s));
        return std::unique_ptr<BodyConsumer>();
    });
    s.route("GET"_ba, u"/file"_s, [this](const HttpRequest &request, HttpResponder responder) {
        auto file = std::make_unique<QFile>(m_file->fileName());
        if (!file->open(QIODevice::ReadOnly)) {
            responder.respond(HttpResponse::error(500, u"open failed"_s, u"INTERNAL"_s));
            return;
        }
        const qint64 size = file->size();
        const auto range = parseRangeHeader(request.header("range"), size);
        if (range && !range->satisfiable) {
            responder.respond(HttpResponse::error(416, u"Range not satisfiable"_s, u"RANGE_NOT_SATISFIABLE"_s)
                                  .setHeader("Content-Range"_ba, range->contentRange(size)));
            return;
        }
        if (range) {
            file->seek(range->first);
            responder.respond(HttpResponse::stream(206, std::move(file), range->length(), "application/octet-stream"_ba)
                                  .setHeader("Content-Range"_ba, range->contentRange(size)));
            return;
        }
        responder.respond(HttpResponse::stream(200, std::move(file), size, "application/octet-stream"_ba));
    });
    s.route("GET"_ba, u"/chunked"_s, [this](const HttpRequest &, HttpResponder responder) {
        auto buffer = std::make_unique<QBuffer>();
        buffer->setData(m_fileData);
        buffer->open(QIODevice::ReadOnly);
        responder.respond(HttpResponse::stream(200, std::move(buffer), -1, "application/octet-stream"_ba));
    });
    s.route("GET"_ba, u"/live"_s, [this](const HttpRequest &, HttpResponder responder) {
        auto pipe = std::make_unique<PipeDevice>();
        QPointer<PipeDevice> source = pipe.get();
        responder.respond(HttpResponse::stream(200, std::move(pipe), -1, "text/plain"_ba));
        source->push("first "_ba);
        // Silent for longer than the idle timeout: a waiting source must not time the client out.
        QTimer::singleShot(700ms, m_server.get(), [source] {
            if (source) {
                source->push("second"_ba);
                source->finish();
            }
        });
    });
    const auto echoSocket = [this](QWebSocket *socket, const HttpRequest &request) {
        m_lastWebSocketRequest = request;
        m_serverSockets.append(socket);
        connect(socket, &QWebSocket::textMessageReceived, socket,
                [socket](const QString &text) { socket->sendTextMessage(u"echo: "_s + text); });
    };
    s.webSocketRoute(u"/ws"_s, [](const HttpRequest &) { return std::optional<HttpResponse>(); }, echoSocket);
    s.webSocketRoute(u"/ws-refused"_s, [](const HttpRequest &) {
        return std::optional<HttpResponse>(HttpResponse::error(403, u"No entry"_s, u"FORBIDDEN"_s));
    }, echoSocket);
}

void HttpServerTest::initTestCase()
{
    m_fileData = randomBytes(5 * 1024 * 1024 + 123);
    m_file = std::make_unique<QTemporaryFile>();
    QVERIFY(m_file->open());
    QCOMPARE(m_file->write(m_fileData), m_fileData.size());
    QVERIFY(m_file->flush());
}

void HttpServerTest::init()
{
    m_server = std::make_unique<HttpServer>();
    m_upload = std::make_shared<UploadState>();
    m_held.reset();
    registerRoutes();
    QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    QVERIFY(m_server->port() != 0);
    m_network = std::make_unique<QNetworkAccessManager>();
    m_network->setProxy(QNetworkProxy::NoProxy);
}

void HttpServerTest::cleanup()
{
    m_network.reset();
    qDeleteAll(m_serverSockets);
    m_serverSockets.clear();
    m_server.reset();
}

} // namespace banata::test
