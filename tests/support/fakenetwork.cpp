// SPDX-License-Identifier: MIT
#include "support/fakenetwork.h"

#include <QLoggingCategory>
#include <QTimer>
#include <QUrlQuery>

#include <cstring>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFakeNetwork, "banata.tests.fakenetwork")

namespace banata::test {

namespace {

// What Qt's HTTP backend reports for an error status (the body stays readable).
QNetworkReply::NetworkError errorForStatus(int status)
{
    switch (status) {
    case 400: return QNetworkReply::ProtocolInvalidOperationError;
    case 401: return QNetworkReply::AuthenticationRequiredError;
    case 403: return QNetworkReply::ContentAccessDenied;
    case 404: return QNetworkReply::ContentNotFoundError;
    case 405: return QNetworkReply::ContentOperationNotPermittedError;
    case 409: return QNetworkReply::ContentConflictError;
    case 410: return QNetworkReply::ContentGoneError;
    case 500: return QNetworkReply::InternalServerError;
    case 501: return QNetworkReply::OperationNotImplementedError;
    case 503: return QNetworkReply::ServiceUnavailableError;
    default: return status >= 500 ? QNetworkReply::UnknownServerError : QNetworkReply::UnknownContentError;
    }
}

QByteArray verbOf(QNetworkAccessManager::Operation op, const QNetworkRequest &request)
{
    switch (op) {
    case QNetworkAccessManager::HeadOperation: return "HEAD"_ba;
    case QNetworkAccessManager::GetOperation: return "GET"_ba;
    case QNetworkAccessManager::PutOperation: return "PUT"_ba;
    case QNetworkAccessManager::PostOperation: return "POST"_ba;
    case QNetworkAccessManager::DeleteOperation: return "DELETE"_ba;
    default: return request.attribute(QNetworkRequest::CustomVerbAttribute).toByteArray();
    }
}

/// A reply that plays a FakeReplySpec back over the event loop, one chunk per pass.
class FakeReply final : public QNetworkReply
{
public:
    FakeReply(QNetworkAccessManager::Operation op, const QNetworkRequest &request, FakeReplySpec spec,
              qint64 uploadSize, QObject *parent)
        : QNetworkReply(parent)
        , m_spec(std::move(spec))
        , m_uploadSize(uploadSize)
    {
        setRequest(request);
        setUrl(request.url());
        setOperation(op);
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
        if (m_spec.kind != FakeReplySpec::Kind::Hang)
            QTimer::singleShot(0, this, [this] { begin(); });
    }

    void abort() override
    {
        if (!isFinished())
            finishWith(QNetworkReply::OperationCanceledError, u"Operation canceled"_s);
    }

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_buffer.size() + QNetworkReply::bytesAvailable(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_buffer.isEmpty())
            return isFinished() ? -1 : 0;
        const qint64 n = std::min<qint64>(maxSize, m_buffer.size());
        std::memcpy(data, m_buffer.constData(), size_t(n));
        m_buffer.remove(0, qsizetype(n));
        return n;
    }

private:
    void begin()
    {
        if (isFinished())
            return;
        if (m_uploadSize > 0)
            Q_EMIT uploadProgress(m_uploadSize, m_uploadSize);
        if (m_spec.kind == FakeReplySpec::Kind::NetworkError) {
            finishWith(m_spec.error == NoError ? ConnectionRefusedError : m_spec.error, m_spec.errorString);
            return;
        }
        setAttribute(QNetworkRequest::HttpStatusCodeAttribute, m_spec.status);
        for (const auto &[name, value] : m_spec.headers)
            setRawHeader(name, value);
        if (m_spec.kind == FakeReplySpec::Kind::Respond && !hasRawHeader("Content-Length"_ba))
            setRawHeader("Content-Length"_ba, QByteArray::number(m_spec.body.size()));
        Q_EMIT metaDataChanged();
        scheduleChunk();
    }

    void scheduleChunk()
    {
        QTimer::singleShot(0, this, [this] { nextChunk(); });
    }

    void nextChunk()
    {
        if (isFinished())
            return;
        const qsizetype chunkSize = std::max<qsizetype>(1, m_spec.chunkSize);
        if (m_spec.kind == FakeReplySpec::Kind::EndlessBody) {
            push(QByteArray(chunkSize, 'x'), -1);
            scheduleChunk();
            return;
        }
        if (m_offset < m_spec.body.size()) {
            const QByteArray chunk = m_spec.body.mid(m_offset, chunkSize);
            m_offset += chunk.size();
            push(chunk, m_spec.body.size());
            scheduleChunk();
            return;
        }
        if (m_spec.kind == FakeReplySpec::Kind::CloseMidBody)
            finishWith(m_spec.error == NoError ? RemoteHostClosedError : m_spec.error, u"Remote host closed the connection"_s);
        else if (m_spec.status >= 400)
            finishWith(errorForStatus(m_spec.status), u"Server replied with status %1"_s.arg(m_spec.status));
        else
            finishWith(NoError, QString());
    }

    void push(const QByteArray &chunk, qint64 total)
    {
        m_buffer.append(chunk);
        m_delivered += chunk.size();
        Q_EMIT readyRead();
        if (!isFinished())
            Q_EMIT downloadProgress(m_delivered, total);
    }

    void finishWith(NetworkError error, const QString &message)
    {
        if (error != NoError) {
            setError(error, message);
            Q_EMIT errorOccurred(error);
        }
        setFinished(true);
        Q_EMIT finished();
    }

    FakeReplySpec m_spec;
    QByteArray m_buffer;
    qint64 m_uploadSize = 0;
    qsizetype m_offset = 0;
    qint64 m_delivered = 0;
};

} // namespace

FakeReplySpec FakeReplySpec::json(int status, const QByteArray &json)
{
    FakeReplySpec spec;
    spec.status = status;
    spec.body = json;
    return spec.header("Content-Type"_ba, "application/json"_ba);
}

FakeReplySpec FakeReplySpec::raw(int status, const QByteArray &body, const QByteArray &contentType)
{
    FakeReplySpec spec;
    spec.status = status;
    spec.body = body;
    return spec.header("Content-Type"_ba, contentType);
}

FakeReplySpec FakeReplySpec::networkError(QNetworkReply::NetworkError error, const QString &message)
{
    FakeReplySpec spec;
    spec.kind = Kind::NetworkError;
    spec.error = error;
    spec.errorString = message;
    return spec;
}

FakeReplySpec FakeReplySpec::hang()
{
    FakeReplySpec spec;
    spec.kind = Kind::Hang;
    return spec;
}

FakeReplySpec FakeReplySpec::closeMidBody(int status, const QByteArray &partialBody, qint64 announcedLength)
{
    FakeReplySpec spec;
    spec.kind = Kind::CloseMidBody;
    spec.status = status;
    spec.body = partialBody;
    spec.error = QNetworkReply::RemoteHostClosedError;
    return spec.header("Content-Length"_ba, QByteArray::number(announcedLength));
}

FakeReplySpec FakeReplySpec::endless(int status)
{
    FakeReplySpec spec;
    spec.kind = Kind::EndlessBody;
    spec.status = status;
    spec.chunkSize = 1024 * 1024;
    return spec.header("Content-Type"_ba, "application/json"_ba);
}

FakeReplySpec &FakeReplySpec::header(const QByteArray &name, const QByteArray &value)
{
    headers.append({name, value});
    return *this;
}

QString RecordedRequest::queryValue(const QString &key) const
{
    return QUrlQuery(url()).queryItemValue(key, QUrl::FullyDecoded);
}

FakeNetworkAccessManager::FakeNetworkAccessManager(QObject *parent)
    : QNetworkAccessManager(parent)
{}

void FakeNetworkAccessManager::setHandler(Handler handler)
{
    m_handler = std::move(handler);
}

void FakeNetworkAccessManager::enqueue(const FakeReplySpec &spec)
{
    m_queue.enqueue(spec);
}

QNetworkReply *FakeNetworkAccessManager::createRequest(Operation op, const QNetworkRequest &request, QIODevice *outgoingData)
{
    RecordedRequest recorded{verbOf(op, request), request, outgoingData ? outgoingData->readAll() : QByteArray()};
    m_requests.append(recorded);
    qCDebug(lcFakeNetwork) << recorded.verb << request.url().toDisplayString();

    FakeReplySpec spec;
    if (m_handler)
        spec = m_handler(request, recorded.verb, recorded.body);
    else if (!m_queue.isEmpty())
        spec = m_queue.dequeue();
    else
        spec = FakeReplySpec::json(404, R"({"error":"No fake response queued","code":"NOT_FOUND"})"_ba);

    auto *reply = new FakeReply(op, request, std::move(spec), recorded.body.size(), this);
    ++m_openReplies;
    connect(reply, &QNetworkReply::finished, this, [this] { --m_openReplies; });
    Q_EMIT requestReceived(recorded);
    return reply;
}

} // namespace banata::test
