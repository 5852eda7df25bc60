// SPDX-License-Identifier: MIT
#pragma once

#include "server/http/httpserver.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QWebSocket>

#include <memory>
#include <optional>
#include <utility>

namespace banata::test {

/// How long the HTTP tests wait for any one thing to happen.
inline constexpr int WaitMs = 15000;

/// One response as read off a raw socket.
struct RawResponse
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    /// The value of the first header called \a name (any case), or empty.
    QByteArray header(QByteArrayView name) const;
    QJsonObject json() const;
};

/// Reads the next response from \a socket, keeping bytes of later responses in \a buffer.
/// Understands Content-Length, chunked and until-close bodies; nullopt on timeout or a connection
/// closed mid-response.
std::optional<RawResponse> readResponse(QTcpSocket &socket, QByteArray &buffer, bool headRequest = false);
/// Waits until the server has closed \a socket, discarding whatever it still sends.
bool waitForDisconnect(QTcpSocket &socket);

/// What the hashing consumer behind POST /upload saw, kept by the test so it outlives the consumer.
struct UploadState
{
    QCryptographicHash hash{QCryptographicHash::Sha256};
    qint64 received = 0;
    int created = 0;
    bool finished = false;
    bool aborted = false;
};

/**
 * Base of the HttpServer tests: a fresh server on a loopback port for every test function, with
 * these routes:
 *   GET /json, GET /query?name=, POST /echo, POST /small (16-byte limit), GET /async?n= (answers
 *   from the event loop), GET /hold (keeps the responder in m_held), POST /upload (streamed into
 *   m_upload, answers with the SHA-256), PUT /conflict (refuses before reading the body),
 *   GET /file (m_fileData with Range support), GET /chunked (m_fileData, length unknown),
 *   GET /live (a source that pauses longer than the idle timeout), WebSocket /ws (echoes text)
 *   and /ws-refused (403).
 * A client QNetworkAccessManager without proxy is in m_network.
 */
class HttpServerTest : public QObject
{
    Q_OBJECT

protected:
    std::unique_ptr<server::HttpServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::shared_ptr<UploadState> m_upload;
    std::optional<server::HttpResponder> m_held;
    std::unique_ptr<QTemporaryFile> m_file; // holds m_fileData
    QByteArray m_fileData;                  // 5 MiB + 123 bytes
    QList<QWebSocket *> m_serverSockets;
    server::HttpRequest m_lastWebSocketRequest;

    QUrl url(const QString &pathAndQuery) const;
    /// A request for \a path with an application/octet-stream body.
    QNetworkRequest binaryRequest(const QString &path) const;
    /// A raw TCP connection to the server; nullptr if it did not connect in time.
    std::unique_ptr<QTcpSocket> connectRaw();
    /// Waits (up to WaitMs) for \a reply to finish and returns it.
    QNetworkReply *waitReply(QNetworkReply *reply);

private slots:
    void initTestCase();
    void init();
    void cleanup();

private:
    void registerRoutes();
};

} // namespace banata::test
