// SPDX-License-Identifier: MIT
// The HTTP layer against real loopback clients: QNetworkAccessManager, QWebSocket and raw sockets
// for what well-behaved clients never send (pipelining, malformed input, Expect, slow clients).
#include "server/http/httpserver.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <cstring>
#include <memory>
#include <vector>
#include <optional>

using namespace banata::server;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr int WaitMs = 15000;

/// One response as read off a raw socket.
struct RawResponse
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

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

/// Reads the next response from \a socket, keeping bytes of later responses in \a buffer.
std::optional<RawResponse> readResponse(QTcpSocket &socket, QByteArray &buffer, bool headRequest = false)
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

QByteArray randomBytes(qsizetype size)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator generator(42);
    generator.fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
    return data;
}

/// What the hashing consumer saw, kept by the test so it outlives the consumer.
struct UploadState
{
    QCryptographicHash hash{QCryptographicHash::Sha256};
    qint64 received = 0;
    int created = 0;
    bool finished = false;
    bool aborted = false;
};

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

class TestHttpServer : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<HttpServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::shared_ptr<UploadState> m_upload;
    std::optional<HttpResponder> m_held;
    std::unique_ptr<QTemporaryFile> m_file;
    QByteArray m_fileData;
    QList<QWebSocket *> m_serverSockets;
    HttpRequest m_lastWebSocketRequest;

    QUrl url(const QString &pathAndQuery) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server->port()).arg(pathAndQuery));
    }

    QNetworkRequest binaryRequest(const QString &path) const
    {
        QNetworkRequest request(url(path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/octet-stream"_ba);
        return request;
    }

    std::unique_ptr<QTcpSocket> connectRaw()
    {
        auto socket = std::make_unique<QTcpSocket>();
        socket->setProxy(QNetworkProxy::NoProxy);
        socket->connectToHost(QHostAddress::LocalHost, m_server->port());
        if (!QTest::qWaitFor([&] { return socket->state() == QAbstractSocket::ConnectedState; }, WaitMs))
            return nullptr;
        return socket;
    }

    QNetworkReply *waitReply(QNetworkReply *reply)
    {
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            finished.wait(WaitMs);
        return reply;
    }

    void registerRoutes()
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

private slots:
    void initTestCase()
    {
        m_fileData = randomBytes(5 * 1024 * 1024 + 123);
        m_file = std::make_unique<QTemporaryFile>();
        QVERIFY(m_file->open());
        QCOMPARE(m_file->write(m_fileData), m_fileData.size());
        QVERIFY(m_file->flush());
    }

    void init()
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

    void cleanup()
    {
        m_network.reset();
        qDeleteAll(m_serverSockets);
        m_serverSockets.clear();
        m_server.reset();
    }

    void jsonRoundTrip()
    {
        std::unique_ptr<QNetworkReply> get(waitReply(m_network->get(QNetworkRequest(url(u"/json"_s)))));
        QCOMPARE(get->error(), QNetworkReply::NoError);
        QCOMPARE(get->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(get->rawHeader("Content-Type"), "application/json"_ba);
        QCOMPARE(get->readAll(), R"({"hello":"world"})"_ba);

        QNetworkRequest post(url(u"/echo"_s));
        post.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
        std::unique_ptr<QNetworkReply> echo(waitReply(m_network->post(post, R"({"a":[1,2,3]})"_ba)));
        QCOMPARE(echo->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(echo->readAll(), R"({"a":[1,2,3]})"_ba);

        std::unique_ptr<QNetworkReply> query(waitReply(m_network->get(QNetworkRequest(url(u"/query?name=a%20b%2Bc%26%C3%BC"_s)))));
        const QJsonObject object = QJsonDocument::fromJson(query->readAll()).object();
        QCOMPARE(object.value(u"name"_s).toString(), u"a b+c&ü"_s);
        QCOMPARE(object.value(u"path"_s).toString(), u"/query"_s);
    }

    void keepAliveServesSeveralRequests()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        QByteArray buffer;
        for (int i = 0; i < 3; ++i) {
            socket->write("GET /query?name=" + QByteArray::number(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            const auto response = readResponse(*socket, buffer);
            QVERIFY(response);
            QCOMPARE(response->status, 200);
            QCOMPARE(response->json().value(u"name"_s).toString(), QString::number(i));
            QVERIFY(response->header("connection").isEmpty());
        }
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
        QCOMPARE(m_server->connectionCount(), 1);
        socket->write("GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        const auto last = readResponse(*socket, buffer);
        QVERIFY(last);
        QCOMPARE(last->header("connection"), "close"_ba);
        QVERIFY(waitForDisconnect(*socket));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void notFoundAndMethodNotAllowed()
    {
        std::unique_ptr<QNetworkReply> missing(waitReply(m_network->get(QNetworkRequest(url(u"/nope"_s)))));
        QCOMPARE(missing->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
        const QJsonObject error = QJsonDocument::fromJson(missing->readAll()).object();
        QCOMPARE(error.value(u"error"_s).toString(), u"Not found"_s);
        QCOMPARE(error.value(u"code"_s).toString(), u"NOT_FOUND"_s);

        std::unique_ptr<QNetworkReply> wrong(waitReply(m_network->deleteResource(QNetworkRequest(url(u"/json"_s)))));
        QCOMPARE(wrong->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 405);
        QCOMPARE(wrong->rawHeader("Allow"), "GET, HEAD"_ba);
        QCOMPARE(QJsonDocument::fromJson(wrong->readAll()).object().value(u"code"_s).toString(), u"METHOD_NOT_ALLOWED"_s);
    }

    void oversizedBufferedBodyGets413()
    {
        std::unique_ptr<QNetworkReply> reply(waitReply(m_network->post(binaryRequest(u"/small"_s), randomBytes(2 << 20))));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 413);
        const QJsonObject error = QJsonDocument::fromJson(reply->readAll()).object();
        QCOMPARE(error.value(u"error"_s).toString(), u"Request body too large (limit 16 bytes)"_s);
        QCOMPARE(error.value(u"code"_s).toString(), u"PAYLOAD_TOO_LARGE"_s);

        // Chunked bodies have no declared length: the limit applies as they arrive.
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n");
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, 413);
        QCOMPARE(response->header("connection"), "close"_ba);
        QVERIFY(waitForDisconnect(*socket));
    }

    void malformedRequestsGet400AndClose_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::newRow("garbage") << "GARBAGE\r\n\r\n"_ba << 400;
        QTest::newRow("nul in header") << QByteArray("GET /json HTTP/1.1\r\nHost: a\0b\r\n\r\n", 33) << 400;
        QTest::newRow("nul in url") << QByteArray("GET /js\0on HTTP/1.1\r\n\r\n", 23) << 400;
        QTest::newRow("bad percent") << "GET /js%zzon HTTP/1.1\r\n\r\n"_ba << 400;
        QTest::newRow("encoded nul") << "GET /query?name=%00 HTTP/1.1\r\n\r\n"_ba << 400;
        QTest::newRow("bad utf8") << "GET /query?name=%C3%28 HTTP/1.1\r\n\r\n"_ba << 400;
        QTest::newRow("bad version") << "GET /json HTTP/9.9x\r\n\r\n"_ba << 400;
        QTest::newRow("length and chunked") << "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"_ba << 400;
        QTest::newRow("bad chunk size") << "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"_ba << 400;
        QTest::newRow("long url") << "GET /" + QByteArray(17 * 1024, 'a') + " HTTP/1.1\r\n\r\n" << 414;
        QTest::newRow("big headers") << "GET /json HTTP/1.1\r\nX-Big: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n" << 431;
        QByteArray many = "GET /json HTTP/1.1\r\n"_ba;
        for (int i = 0; i < 300; ++i)
            many += "X-H" + QByteArray::number(i) + ": 1\r\n";
        QTest::newRow("many headers") << many + "\r\n" << 431;
    }

    void malformedRequestsGet400AndClose()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write(request);
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, status);
        QCOMPARE(response->header("connection"), "close"_ba);
        QVERIFY(!response->json().value(u"code"_s).toString().isEmpty());
        QVERIFY(waitForDisconnect(*socket));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void pipelinedRequestsAnsweredInOrder()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        // The first one answers asynchronously, the second synchronously: order must still hold.
        socket->write("GET /async?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /query?name=2 HTTP/1.1\r\nHost: x\r\n\r\n"
                      "HEAD /json HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray buffer;
        const auto first = readResponse(*socket, buffer);
        QVERIFY(first);
        QCOMPARE(first->json().value(u"n"_s).toString(), u"1"_s);
        const auto second = readResponse(*socket, buffer);
        QVERIFY(second);
        QCOMPARE(second->json().value(u"name"_s).toString(), u"2"_s);
        const auto third = readResponse(*socket, buffer, true);
        QVERIFY(third);
        QCOMPARE(third->status, 200);
        QCOMPARE(third->header("content-length"), "17"_ba);
        QVERIFY(buffer.isEmpty());
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
    }

    void chunkedRequestBody()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n");
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, "hello world"_ba);
        QCOMPARE(response->header("content-type"), "text/plain"_ba);
    }

    void streamedUploadIsByteExact()
    {
        const QByteArray data = randomBytes(64 * 1024 * 1024);
        const QByteArray expected = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
        std::unique_ptr<QNetworkReply> reply(waitReply(m_network->post(binaryRequest(u"/upload"_s), data)));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        const QJsonObject result = QJsonDocument::fromJson(reply->readAll()).object();
        QCOMPARE(result.value(u"bytes"_s).toInteger(), data.size());
        QCOMPARE(result.value(u"sha256"_s).toString().toLatin1(), expected);
        QCOMPARE(m_upload->created, 1);
        QVERIFY(m_upload->finished);
        QVERIFY(!m_upload->aborted);
    }

    void streamedUploadAbortedOnDisconnect()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n");
        socket->write(randomBytes(1 << 20));
        QTRY_VERIFY_WITH_TIMEOUT(m_upload->received > 0, WaitMs);
        socket->abort();
        QTRY_VERIFY_WITH_TIMEOUT(m_upload->aborted, WaitMs);
        QVERIFY(!m_upload->finished);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void streamHandlerRefusalClosesWithoutReadingBody()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("PUT /conflict HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + QByteArray(1000, 'x'));
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, 409);
        QCOMPARE(response->header("connection"), "close"_ba);
        QVERIFY(waitForDisconnect(*socket));
    }

    void streamedFileResponse()
    {
        std::unique_ptr<QNetworkReply> get(waitReply(m_network->get(QNetworkRequest(url(u"/file"_s)))));
        QCOMPARE(get->error(), QNetworkReply::NoError);
        QCOMPARE(get->rawHeader("Content-Length").toLongLong(), m_fileData.size());
        QVERIFY(get->readAll() == m_fileData);

        std::unique_ptr<QNetworkReply> head(waitReply(m_network->head(QNetworkRequest(url(u"/file"_s)))));
        QCOMPARE(head->error(), QNetworkReply::NoError);
        QCOMPARE(head->rawHeader("Content-Length").toLongLong(), m_fileData.size());
        QVERIFY(head->readAll().isEmpty());

        QNetworkRequest ranged(url(u"/file"_s));
        ranged.setRawHeader("Range", "bytes=1000-");
        std::unique_ptr<QNetworkReply> partial(waitReply(m_network->get(ranged)));
        QCOMPARE(partial->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 206);
        QVERIFY(partial->readAll() == m_fileData.mid(1000));

        ranged.setRawHeader("Range", "bytes=999999999-");
        std::unique_ptr<QNetworkReply> unsatisfiable(waitReply(m_network->get(ranged)));
        QCOMPARE(unsatisfiable->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 416);
        QCOMPARE(unsatisfiable->rawHeader("Content-Range"), "bytes */" + QByteArray::number(m_fileData.size()));

        std::unique_ptr<QNetworkReply> chunked(waitReply(m_network->get(QNetworkRequest(url(u"/chunked"_s)))));
        QCOMPARE(chunked->error(), QNetworkReply::NoError);
        QVERIFY(chunked->rawHeader("Content-Length").isEmpty());
        QVERIFY(chunked->readAll() == m_fileData);
    }

    void rawStreamedResponseKeepsConnection()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        QByteArray buffer;
        socket->write("GET /chunked HTTP/1.1\r\nHost: x\r\n\r\nGET /file HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto chunked = readResponse(*socket, buffer);
        QVERIFY(chunked);
        QCOMPARE(chunked->header("transfer-encoding"), "chunked"_ba);
        QVERIFY(chunked->body == m_fileData);
        const auto file = readResponse(*socket, buffer);
        QVERIFY(file);
        QVERIFY(file->body == m_fileData);

        // HTTP/1.0 cannot take chunked: the body runs until the connection closes.
        auto old = connectRaw();
        QVERIFY(old);
        old->write("GET /chunked HTTP/1.0\r\n\r\n");
        QByteArray oldBuffer;
        const auto untilClose = readResponse(*old, oldBuffer);
        QVERIFY(untilClose);
        QVERIFY(untilClose->header("transfer-encoding").isEmpty());
        QVERIFY(untilClose->body == m_fileData);
    }

    void expectContinue()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        QByteArray buffer;
        const auto interim = readResponse(*socket, buffer);
        QVERIFY(interim);
        QCOMPARE(interim->status, 100);
        socket->write("hello");
        const auto final = readResponse(*socket, buffer);
        QVERIFY(final);
        QCOMPARE(final->status, 200);
        QCOMPARE(final->body, "hello"_ba);

        auto refused = connectRaw();
        QVERIFY(refused);
        refused->write("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
        QByteArray refusedBuffer;
        const auto answer = readResponse(*refused, refusedBuffer);
        QVERIFY(answer);
        QCOMPARE(answer->status, 413);
        QCOMPARE(answer->header("connection"), "close"_ba);
        QVERIFY(waitForDisconnect(*refused));
    }

    void webSocketAccepted()
    {
        QWebSocket client;
        client.setProxy(QNetworkProxy::NoProxy);
        QSignalSpy connected(&client, &QWebSocket::connected);
        QSignalSpy messages(&client, &QWebSocket::textMessageReceived);
        client.open(QUrl(u"ws://127.0.0.1:%1/ws?id=42"_s.arg(m_server->port())));
        QVERIFY(connected.wait(WaitMs));
        client.sendTextMessage(u"hi"_s);
        QVERIFY(messages.wait(WaitMs));
        QCOMPARE(messages.first().first().toString(), u"echo: hi"_s);
        QCOMPARE(m_lastWebSocketRequest.path, u"/ws"_s);
        QCOMPARE(m_lastWebSocketRequest.queryValue(u"id"_s), u"42"_s);
        QCOMPARE(m_lastWebSocketRequest.header("upgrade").toLower(), "websocket"_ba);
        QCOMPARE(m_server->connectionCount(), 0); // handed over, no longer an HTTP connection
        client.close();
    }

    void webSocketRefusedByCheck()
    {
        QWebSocket client;
        client.setProxy(QNetworkProxy::NoProxy);
        QSignalSpy connected(&client, &QWebSocket::connected);
        QSignalSpy errors(&client, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
        client.open(QUrl(u"ws://127.0.0.1:%1/ws-refused"_s.arg(m_server->port())));
        QVERIFY(errors.wait(WaitMs));
        QCOMPARE(connected.size(), 0);
        QVERIFY(m_serverSockets.isEmpty());

        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("GET /ws-refused HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QByteArray buffer;
        const auto response = readResponse(*socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, 403);
        QCOMPARE(response->json().value(u"code"_s).toString(), u"FORBIDDEN"_s);

        // Plain GET on a WebSocket-only path.
        socket->write("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto plain = readResponse(*socket, buffer);
        QVERIFY(plain);
        QCOMPARE(plain->status, 426);
    }

    void guardAppliesToEveryRouteKind()
    {
        m_server->setGuard([](const HttpRequest &request) -> std::optional<HttpResponse> {
            if (request.header("authorization") == "Bearer good")
                return std::nullopt;
            return HttpResponse::error(401, u"Missing or invalid API key"_s, u"UNAUTHORIZED"_s);
        });
        const auto status = [](QNetworkReply *reply) {
            return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        };
        std::unique_ptr<QNetworkReply> buffered(waitReply(m_network->get(QNetworkRequest(url(u"/json"_s)))));
        QCOMPARE(status(buffered.get()), 401);
        QCOMPARE(QJsonDocument::fromJson(buffered->readAll()).object().value(u"code"_s).toString(), u"UNAUTHORIZED"_s);
        std::unique_ptr<QNetworkReply> unknown(waitReply(m_network->get(QNetworkRequest(url(u"/nope"_s)))));
        QCOMPARE(status(unknown.get()), 401);
        std::unique_ptr<QNetworkReply> streamed(waitReply(m_network->post(binaryRequest(u"/upload"_s), randomBytes(1 << 20))));
        QCOMPARE(status(streamed.get()), 401);
        QCOMPARE(m_upload->created, 0);

        QWebSocket client;
        client.setProxy(QNetworkProxy::NoProxy);
        QSignalSpy errors(&client, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
        QSignalSpy connected(&client, &QWebSocket::connected);
        client.open(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(m_server->port())));
        QVERIFY(errors.wait(WaitMs));
        QCOMPARE(connected.size(), 0);

        QNetworkRequest authorized(url(u"/json"_s));
        authorized.setRawHeader("Authorization", "Bearer good");
        std::unique_ptr<QNetworkReply> ok(waitReply(m_network->get(authorized)));
        QCOMPARE(status(ok.get()), 200);
    }

    void headerTimeoutClosesSlowClients()
    {
        m_server->setTimeouts(300ms, 300ms);
        auto silent = connectRaw();
        QVERIFY(silent);
        auto partial = connectRaw();
        QVERIFY(partial);
        partial->write("GET /json HTTP/1.1\r\nHost: x\r\n");
        QByteArray buffer;
        const auto timeout = readResponse(*partial, buffer);
        QVERIFY(timeout);
        QCOMPARE(timeout->status, 408);
        QVERIFY(waitForDisconnect(*partial));
        QVERIFY(waitForDisconnect(*silent));

        // Keep-alive connections are closed after the idle timeout.
        auto idle = connectRaw();
        QVERIFY(idle);
        idle->write("GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(readResponse(*idle, buffer));
        QVERIFY(waitForDisconnect(*idle));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void liveSequentialStream()
    {
        m_server->setTimeouts(300ms, 300ms);
        std::unique_ptr<QNetworkReply> reply(m_network->get(QNetworkRequest(url(u"/live"_s))));
        QSignalSpy progress(reply.get(), &QNetworkReply::readyRead);
        QVERIFY(progress.wait(WaitMs));
        QCOMPARE(reply->readAll(), "first "_ba); // delivered before the source finished
        waitReply(reply.get());
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->readAll(), "second"_ba);
    }

    void randomGarbageNeverHurts()
    {
        m_server->setTimeouts(500ms, 500ms);
        const QList<QByteArray> seeds{
            "GET /json HTTP/1.1\r\nHost: x\r\n\r\n"_ba,
            "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"_ba,
            "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"_ba,
            "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"_ba,
            "GET /file HTTP/1.0\r\nConnection: keep-alive\r\nRange: bytes=-5\r\n\r\n"_ba,
        };
        QRandomGenerator random(7);
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < 150; ++i) {
            QByteArray data = seeds[random.bounded(int(seeds.size()))];
            for (int edits = random.bounded(1, 5); edits > 0; --edits) {
                const qsizetype at = random.bounded(int(data.size()));
                switch (random.bounded(4)) {
                case 0: data[at] = char(random.bounded(256)); break;
                case 1: data.insert(at, char(random.bounded(256))); break;
                case 2: data.remove(at, 1); break;
                default: data.insert(at, "\r\n%\0:"_ba.mid(random.bounded(5), 2)); break;
                }
            }
            auto socket = connectRaw();
            QVERIFY(socket);
            socket->write(data);
            if (i % 3 == 0)
                socket->abort();
            else
                sockets.push_back(std::move(socket));
        }
        // Every connection ends: answered and closed, timed out, or kept alive until idle.
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
        std::unique_ptr<QNetworkReply> ok(waitReply(m_network->get(QNetworkRequest(url(u"/json"_s)))));
        QCOMPARE(ok->error(), QNetworkReply::NoError);
    }

    void asyncResponder()
    {
        std::unique_ptr<QNetworkReply> reply(waitReply(m_network->get(QNetworkRequest(url(u"/async?n=7"_s)))));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->readAll(), R"({"n":"7"})"_ba);
    }

    void responderOutlivesClient()
    {
        auto socket = connectRaw();
        QVERIFY(socket);
        socket->write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(m_held.has_value(), WaitMs);
        QVERIFY(m_held->isConnected());
        socket->abort();
        QTRY_VERIFY_WITH_TIMEOUT(!m_held->isConnected(), WaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
        m_held->respond(HttpResponse::json(200, "{}"_ba)); // no-op, no crash
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"second response"_s));
        m_held->respond(HttpResponse::json(200, "{}"_ba));
        // Even with the whole server gone.
        m_server.reset();
        QVERIFY(!m_held->isConnected());
    }

    void abruptClientsLeaveNothingBehind()
    {
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < 20; ++i) {
            auto socket = connectRaw();
            QVERIFY(socket);
            if (i % 4 == 0)
                socket->write("GET /json HTTP/1.1\r\nHost: x\r\n");
            else if (i % 4 == 1)
                socket->write("GET /file HTTP/1.1\r\nHost: x\r\n\r\n");
            else if (i % 4 == 2)
                socket->write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc");
            else
                socket->write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            sockets.push_back(std::move(socket));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 20, WaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(m_upload->received > 0, WaitMs);
        for (auto &socket : sockets)
            socket->abort();
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, WaitMs);
    }

    void connectionLimit()
    {
        m_server->setMaxConnections(2);
        auto a = connectRaw();
        auto b = connectRaw();
        QVERIFY(a && b);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 2, WaitMs);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"connection limit 2 reached"_s));
        auto c = connectRaw();
        QVERIFY(c);
        QByteArray buffer;
        const auto refused = readResponse(*c, buffer);
        QVERIFY(refused);
        QCOMPARE(refused->status, 503);
    }

    void rangeHeader_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<int>("kind"); // 0 ignore, 1 range, 2 unsatisfiable
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("last");
        QTest::newRow("open end") << "bytes=10-"_ba << qint64(100) << 1 << qint64(10) << qint64(99);
        QTest::newRow("closed") << "bytes=0-0"_ba << qint64(100) << 1 << qint64(0) << qint64(0);
        QTest::newRow("clamped") << "bytes=90-1000"_ba << qint64(100) << 1 << qint64(90) << qint64(99);
        QTest::newRow("suffix") << "bytes=-10"_ba << qint64(100) << 1 << qint64(90) << qint64(99);
        QTest::newRow("suffix larger") << "bytes=-1000"_ba << qint64(100) << 1 << qint64(0) << qint64(99);
        QTest::newRow("spaces") << " bytes= 5 - 6 "_ba << qint64(100) << 1 << qint64(5) << qint64(6);
        QTest::newRow("start past end") << "bytes=100-"_ba << qint64(100) << 2 << qint64(0) << qint64(-1);
        QTest::newRow("empty file") << "bytes=0-"_ba << qint64(0) << 2 << qint64(0) << qint64(-1);
        QTest::newRow("zero suffix") << "bytes=-0"_ba << qint64(100) << 2 << qint64(0) << qint64(-1);
        QTest::newRow("absent") << ""_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("several") << "bytes=0-1,5-6"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("reversed") << "bytes=6-5"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("other unit") << "items=0-5"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("garbage") << "bytes=a-b"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("negative") << "bytes=--5"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
        QTest::newRow("overflow") << "bytes=99999999999999999999-"_ba << qint64(100) << 0 << qint64(0) << qint64(0);
    }

    void rangeHeader()
    {
        QFETCH(QByteArray, header);
        QFETCH(qint64, size);
        QFETCH(int, kind);
        QFETCH(qint64, first);
        QFETCH(qint64, last);
        const auto range = parseRangeHeader(header, size);
        QCOMPARE(range.has_value(), kind != 0);
        if (!range)
            return;
        QCOMPARE(range->satisfiable, kind == 1);
        if (kind == 1) {
            QCOMPARE(range->first, first);
            QCOMPARE(range->last, last);
            QCOMPARE(range->length(), last - first + 1);
        } else {
            QCOMPARE(range->contentRange(size), "bytes */" + QByteArray::number(size));
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "test_httpserver.moc"
