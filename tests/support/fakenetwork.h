// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPair>
#include <QQueue>

#include <functional>

namespace banata::test {

/// What a FakeNetworkAccessManager answers to one request.
struct FakeReplySpec
{
    enum class Kind {
        Respond,      // status, headers and the whole body
        NetworkError, // no response at all, just \c error
        Hang,         // never answers (until aborted)
        CloseMidBody, // status, headers and \c body, then \c error (RemoteHostClosed by default)
        EndlessBody,  // status and headers, then body chunks forever
    };

    Kind kind = Kind::Respond;
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorString;
    qsizetype chunkSize = 64 * 1024; // the body arrives in chunks of this size, one per event loop pass

    static FakeReplySpec json(int status, const QByteArray &json);
    static FakeReplySpec raw(int status, const QByteArray &body, const QByteArray &contentType = "application/octet-stream");
    static FakeReplySpec networkError(QNetworkReply::NetworkError error = QNetworkReply::ConnectionRefusedError,
                                      const QString &message = QStringLiteral("Connection refused"));
    static FakeReplySpec hang();
    static FakeReplySpec closeMidBody(int status, const QByteArray &partialBody, qint64 announcedLength);
    static FakeReplySpec endless(int status = 200);

    /// Adds a response header (fluent).
    FakeReplySpec &header(const QByteArray &name, const QByteArray &value);
};

/// One request as the fake saw it.
struct RecordedRequest
{
    QByteArray verb; // "GET", "POST", ... (the custom verb for custom requests)
    QNetworkRequest request;
    QByteArray body; // the whole outgoing body, read from the upload device if there was one

    QUrl url() const { return request.url(); }
    QByteArray header(const QByteArray &name) const { return request.rawHeader(name); }
    /// A decoded query item, e.g. queryValue("path").
    QString queryValue(const QString &key) const;
};

/**
 * A QNetworkAccessManager that never touches the network: each request is answered by a handler
 * (or, without one, by the next queued FakeReplySpec), and every request is recorded.
 *
 * Usage:
 *   FakeNetworkAccessManager network;
 *   network.enqueue(FakeReplySpec::json(503, R"({"error":"busy"})").header("Retry-After", "1"));
 *   network.setHandler([](const QNetworkRequest &request, const QByteArray &verb, const QByteArray &body) {
 *       return FakeReplySpec::json(200, "{}");
 *   });
 * Replies answer asynchronously (never inside get()/post()), like real ones. Without a handler
 * and with an empty queue a request fails with ContentNotFound after 404.
 */
class FakeNetworkAccessManager final : public QNetworkAccessManager
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakeNetworkAccessManager)

public:
    using Handler = std::function<FakeReplySpec(const QNetworkRequest &request, const QByteArray &verb, const QByteArray &body)>;

    explicit FakeNetworkAccessManager(QObject *parent = nullptr);

    void setHandler(Handler handler);
    /// Queues an answer for the next request not taken by a handler.
    void enqueue(const FakeReplySpec &spec);

    const QList<RecordedRequest> &requests() const { return m_requests; }
    RecordedRequest lastRequest() const { return m_requests.isEmpty() ? RecordedRequest{} : m_requests.last(); }
    void clearRequests() { m_requests.clear(); }
    /// Replies created and not yet finished (hanging ones included).
    int openReplies() const { return m_openReplies; }

Q_SIGNALS:
    /// A request arrived; it is already in requests().
    void requestReceived(const banata::test::RecordedRequest &request);

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *outgoingData) override;

private:
    Handler m_handler;
    QQueue<FakeReplySpec> m_queue;
    QList<RecordedRequest> m_requests;
    int m_openReplies = 0;
};

} // namespace banata::test
