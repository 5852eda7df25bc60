// SPDX-License-Identifier: MIT
#include "support/fakebanata.h"

#include "support/apiclienttest.h"

#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace banata::test {

QStringList fakeLocalExtensions()
{
    return {u"pause"_s, u"resume"_s, u"checkpoints"_s, u"handoff"_s, u"handoff.list"_s, u"sandboxes.list"_s, u"health"_s};
}

Sandbox fakeSandbox(int i, SandboxStatus status, qint64 updatedAt)
{
    Sandbox sandbox = sampleSandbox(u"sb_%1"_s.arg(i), status);
    sandbox.createdAt = 1000 - i;
    sandbox.updatedAt = updatedAt;
    return sandbox;
}

QByteArray fakeErrorBody(const char *message, const char *code)
{
    return dumpJson(Json{{"error", message}, {"code", code}});
}

FakeBanata::FakeBanata()
{
    network.setHandler([this](const QNetworkRequest &request, const QByteArray &verb, const QByteArray &) {
        return answer(request, verb);
    });
}

FakeReplySpec FakeBanata::answer(const QNetworkRequest &request, const QByteArray &verb)
{
    const QString path = request.url().path();
    const QUrlQuery query(request.url());
    if (path == u"/v1/health") {
        ++healthRequests;
        return health ? *health : healthAnswer();
    }
    if (path == u"/v1/sandboxes" && verb == "GET" && !query.hasQueryItem(u"id"_s))
        return listAnswer(request, query);
    if (path == u"/v1/sandboxes/handoffs")
        return FakeReplySpec::json(200, dumpJson(pendingHandoffListToJson(pendingHandoffs)));
    return FakeReplySpec::json(404, fakeErrorBody("Not found", "NOT_FOUND"));
}

FakeReplySpec FakeBanata::healthAnswer() const
{
    Json list = Json::array();
    for (const QString &extension : extensions)
        list.push_back(toStd(extension));
    return FakeReplySpec::json(200, dumpJson(Json{{"status", "ok"}, {"server", "fake"}, {"version", "0.1"},
                                                  {"extensions", list}}));
}

FakeReplySpec FakeBanata::listAnswer(const QNetworkRequest &request, const QUrlQuery &query)
{
    ++listRequests;
    const int limit = query.queryItemValue(u"limit"_s).toInt();
    const int from = query.queryItemValue(u"cursor"_s).toInt();
    if (onListPage)
        onListPage(limit > 0 ? from / limit : 0);
    if (listAll)
        return *listAll;
    SandboxPage page;
    page.data = sandboxes.mid(from, limit);
    if (from + limit < sandboxes.size())
        page.nextCursor = QString::number(from + limit);
    const QByteArray body = dumpJson(page.toJson());
    const QByteArray etag = '"' + QByteArray::number(qHash(body), 16) + '"';
    if (request.rawHeader("If-None-Match") == etag)
        return FakeReplySpec::raw(304, QByteArray()).header("ETag", etag);
    FakeReplySpec spec = FakeReplySpec::json(200, body).header("ETag", etag);
    spec.chunkSize = pageChunkSize;
    return spec;
}

Heartbeat::Heartbeat()
{
    m_timer.setInterval(10);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { m_longest = std::max(m_longest, m_clock.restart()); });
    m_clock.start();
    m_timer.start();
}

} // namespace banata::test
