// SPDX-License-Identifier: MIT
#include "servertestbase.h"

#include <QNetworkReply>
#include <QSignalSpy>

using namespace Qt::StringLiterals;

namespace banata::test {

ServerFixture::ServerFixture(QString dataDir)
    : m_server(std::make_unique<LocalServer>(std::move(dataDir)))
{
}

ServerFixture::~ServerFixture()
{
    m_events.reset();
}

bool ServerFixture::start(const QStringList &extraArgs)
{
    if (!m_server->start(extraArgs)) {
        m_error = m_server->errorString();
        return false;
    }
    m_client = std::make_unique<ApiClient>(&m_network, m_server->url(), m_server->apiKey());
    return connectEvents(-1);
}

bool ServerFixture::connectEvents(qint64 since)
{
    m_events.reset(m_client->createEventStream(nullptr));
    m_events->setReconnectDelays(std::chrono::milliseconds(50), std::chrono::milliseconds(500));
    QObject::connect(m_events.get(), &EventStream::eventReceived, m_events.get(),
                     [this](const Event &event) { m_received.append(event); });
    QSignalSpy connected(m_events.get(), &EventStream::connectionStateChanged);
    m_events->start(since);
    for (int i = 0; i < 20 && m_events->state() != EventStream::State::Connected; ++i)
        connected.wait(1000);
    if (m_events->state() != EventStream::State::Connected) {
        m_error = u"the event stream did not connect"_s;
        return false;
    }
    return true;
}

void ServerFixture::crash()
{
    m_server->kill();
}

bool ServerFixture::restart(const QStringList &extraArgs)
{
    // Resume the stream where it stopped: the new server must replay what happened meanwhile.
    const qint64 since = m_events ? m_events->lastSeq() : -1;
    m_events.reset();
    if (!m_server->start(extraArgs)) {
        m_error = m_server->errorString();
        return false;
    }
    m_client = std::make_unique<ApiClient>(&m_network, m_server->url(), m_server->apiKey());
    return connectEvents(since);
}

bool ServerFixture::sawEvent(const QString &sandboxId, const QString &type) const
{
    return std::any_of(m_received.cbegin(), m_received.cend(),
                       [&](const Event &e) { return e.sandboxId == sandboxId && e.type == type; });
}

QString ServerFixture::createReady(CreateSandboxRequest request)
{
    auto created = awaitJob(m_client->createSandbox(request));
    if (!created || !created->ok()) {
        m_error = created ? created->error().displayText() : u"create timed out"_s;
        return {};
    }
    const QString id = created->value().id;
    QSignalSpy spy(m_events.get(), &EventStream::eventReceived);
    for (int i = 0; i < 100 && !sawEvent(id, u"sandbox.ready"_s); ++i) {
        if (sawEvent(id, u"sandbox.failed"_s)) {
            m_error = u"sandbox failed to start"_s;
            return {};
        }
        spy.wait(200);
    }
    if (!sawEvent(id, u"sandbox.ready"_s)) {
        m_error = u"sandbox did not become ready"_s;
        return {};
    }
    return id;
}

RawAnswer ServerFixture::call(const QByteArray &method, const QString &path, const Json &body, bool withKey)
{
    QNetworkRequest request(m_server->url().resolved(QUrl(path)));
    if (withKey)
        request.setRawHeader("Authorization", "Bearer " + m_server->apiKey().toUtf8());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, body.is_null() ? QByteArray() : dumpJson(body));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(30000);
    RawAnswer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.bytes = reply->readAll();
    auto parsed = parseJson(answer.bytes);
    answer.body = parsed ? *parsed : Json();
    reply->deleteLater();
    return answer;
}

QString ServerFixture::workspaceOf(const QString &id) const
{
    return m_server->dataDir() + u"/sandboxes/"_s + id + u"/workspace"_s;
}

} // namespace banata::test
