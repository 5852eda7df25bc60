// SPDX-License-Identifier: MIT
#include "session/connectionsync.h"

#include "session/connection.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcSync, "banata.session.sync")

namespace banata {

namespace {
constexpr auto kFirstRetry = 1s;
constexpr auto kMaxRetry = 60s;
constexpr auto kFirstKeyRetry = 15s; // a refused key needs a person; do not hammer the server
constexpr auto kMaxKeyRetry = 300s;
constexpr auto kFastPoll = 2s;
constexpr auto kSlowestPoll = 30s;
constexpr auto kRequestTimeout = 15s;

// The sync retries whole steps itself; each request only rides out a short blip.
RetryPolicy syncRetryPolicy()
{
    RetryPolicy policy;
    policy.maxRetries = 2;
    policy.baseDelay = 200ms;
    policy.maxDelay = 1s;
    return policy;
}

ApiClient syncClient(const ApiClient &client)
{
    ApiClient copy = client;
    copy.setRetryPolicy(syncRetryPolicy());
    copy.setTimeout(kRequestTimeout);
    return copy;
}
} // namespace

ConnectionSync::ConnectionSync(Connection *connection)
    : QObject(nullptr)
    , m_connection(connection)
    , m_client(syncClient(connection->client()))
    , m_retryDelay(kFirstRetry)
    , m_keyRetryDelay(kFirstKeyRetry)
    , m_pollInterval(kFastPoll)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ConnectionSync::begin);
    m_countdownTimer.setInterval(1s);
    connect(&m_countdownTimer, &QTimer::timeout, this, &ConnectionSync::updateDownText);
    m_pollTimer.setSingleShot(true);
    connect(&m_pollTimer, &QTimer::timeout, this, &ConnectionSync::startLoad);
}

ConnectionSync::~ConnectionSync()
{
    delete m_healthJob.data();
    m_list.cancel();
    m_handoffs.cancel();
}

void ConnectionSync::start()
{
    begin();
}

void ConnectionSync::refresh()
{
    qCInfo(lcSync) << m_connection->id() << "refresh";
    m_forceReload = true;
    m_note.clear();
    m_list.clearCache();
    begin();
}

void ConnectionSync::noteSandbox(const Sandbox &sandbox)
{
    if (!m_list.isRunning())
        return;
    const auto it = m_sandboxOverlay.constFind(sandbox.id);
    if (it == m_sandboxOverlay.cend() || it->updatedAt <= sandbox.updatedAt)
        m_sandboxOverlay.insert(sandbox.id, sandbox);
}

// ---- start-up -------------------------------------------------------------------------------

void ConnectionSync::begin()
{
    m_retryTimer.stop();
    m_countdownTimer.stop();
    m_pollTimer.stop();
    m_list.cancel();
    m_handoffs.cancel();
    delete m_healthJob.data();
    m_connection->m_nextRetryAt = {};

    const Connection::Status status = m_connection->status();
    if (m_phase == Phase::Down && status == Connection::Status::Down)
        m_connection->setStatus(status, tr("%1 — retrying now…").arg(m_downReason));
    else if (status != Connection::Status::Online && status != Connection::Status::Polling
             && status != Connection::Status::Reconnecting)
        m_connection->setStatus(Connection::Status::Connecting,
                                tr("Connecting to %1…").arg(m_connection->config().baseUrl.toDisplayString()));
    m_phase = Phase::Health;
    HealthJob *job = m_client.health();
    m_healthJob = job;
    connect(job, &HealthJob::finished, this, [this](const ApiResult<Health> &result) { onHealth(result, false); });
}

void ConnectionSync::probeHealth()
{
    if (m_healthJob)
        return;
    HealthJob *job = m_client.health();
    m_healthJob = job;
    connect(job, &HealthJob::finished, this, [this](const ApiResult<Health> &result) { onHealth(result, true); });
}

void ConnectionSync::onHealth(const ApiResult<Health> &result, bool probe)
{
    m_healthJob = nullptr;
    if (result) {
        m_connection->m_health = result.value();
    } else if (result.error().kind == ApiError::Kind::Http && result.error().httpStatus == 404) {
        // A server without our extensions (the cloud): carry on with the documented API only.
        m_connection->m_health.reset();
    } else {
        // A probe only matters while the stream is away; otherwise other steps notice by themselves.
        if (probe && (m_phase != Phase::Live || m_connection->status() != Connection::Status::Reconnecting))
            return;
        goDown(describe(result.error()), result.error().httpStatus == 401);
        return;
    }
    if (!probe)
        afterHealth();
}

void ConnectionSync::afterHealth()
{
    if (!streaming()) {
        if (m_stream) {
            m_stream->stop();
            m_stream->deleteLater();
            m_stream = nullptr;
        }
        startLoad();
        return;
    }
    ensureStream();
    if (m_stream->state() == EventStream::State::Connected) {
        if (m_forceReload || !m_loadedOnce)
            startLoad();
        else
            goLive();
        return;
    }
    // Reading the list before the stream listens could miss a change made in between.
    m_phase = Phase::WaitStream;
    if (m_connection->status() == Connection::Status::Connecting || m_connection->status() == Connection::Status::Down)
        m_connection->setStatus(Connection::Status::Connecting, tr("Connecting to the event stream…"));
    m_stream->start(m_stream->lastSeq()); // now, not after the stream's own back-off
}

void ConnectionSync::startLoad()
{
    m_pollTimer.stop();
    m_handoffs.cancel();
    m_phase = Phase::Loading;
    if (m_connection->status() == Connection::Status::Connecting)
        m_connection->setStatus(Connection::Status::Connecting, tr("Loading sandboxes…"));
    m_list.setConditional(!streaming());
    m_list.start(m_client, &m_connection->m_sandboxes,
                 [this](SandboxListLoader::Result result) { onListLoaded(std::move(result)); });
}

void ConnectionSync::onListLoaded(SandboxListLoader::Result result)
{
    if (result.error) {
        m_sandboxOverlay.clear();
        if (result.error->httpStatus == 401)
            goDown(describe(*result.error), true);
        else
            goDown(tr("Could not load the sandbox list: %1").arg(describe(*result.error)), false);
        return;
    }
    QHash<QString, Sandbox> fresh;
    fresh.reserve(result.sandboxes.size());
    for (Sandbox &sandbox : result.sandboxes) {
        const auto it = fresh.constFind(sandbox.id);
        if (it == fresh.cend() || it->updatedAt < sandbox.updatedAt) // pages may shift under changes
            fresh.insert(sandbox.id, std::move(sandbox));
    }
    // What events and actions told us meanwhile is at least as new as the pages.
    for (const Sandbox &seen : std::as_const(m_sandboxOverlay)) {
        const auto it = fresh.constFind(seen.id);
        if (it == fresh.cend() || it->updatedAt < seen.updatedAt)
            fresh.insert(seen.id, seen);
    }
    m_sandboxOverlay.clear();
    m_truncated = result.truncated;

    const bool polled = !streaming() && m_loadedOnce && !m_forceReload;
    if (polled) {
        m_changed = applyPolledList(fresh);
        startHandoffLoad(true);
        return;
    }
    m_changed = true;
    m_connection->m_sandboxes = std::move(fresh);
    for (auto it = m_connection->m_currentTasks.begin(); it != m_connection->m_currentTasks.end();) {
        if (m_connection->m_sandboxes.contains(it.key()))
            ++it;
        else
            it = m_connection->m_currentTasks.erase(it);
    }
    for (auto it = m_connection->m_latestHandoffs.begin(); it != m_connection->m_latestHandoffs.end();) {
        if (m_connection->m_sandboxes.contains(it.key()))
            ++it;
        else
            it = m_connection->m_latestHandoffs.erase(it);
    }
    m_loadedOnce = true;
    m_forceReload = false;
    qCInfo(lcSync) << m_connection->id() << "loaded" << m_connection->m_sandboxes.size() << "sandboxes";
    Q_EMIT m_connection->sandboxesReset();
    refreshCurrentTasks();
    startHandoffLoad(false);
}

bool ConnectionSync::applyPolledList(const QHash<QString, Sandbox> &fresh)
{
    bool changed = false;
    QStringList gone;
    for (auto it = m_connection->m_sandboxes.cbegin(); it != m_connection->m_sandboxes.cend(); ++it) {
        if (!fresh.contains(it.key()))
            gone.append(it.key());
    }
    for (const QString &id : std::as_const(gone)) {
        m_connection->m_sandboxes.remove(id);
        m_connection->m_currentTasks.remove(id);
        m_connection->m_latestHandoffs.remove(id);
        changed = true;
        Q_EMIT m_connection->sandboxRemoved(id);
    }
    for (const Sandbox &sandbox : fresh)
        changed = m_connection->upsertSandbox(sandbox) || changed;
    return changed;
}

void ConnectionSync::startHandoffLoad(bool fromPoll)
{
    const bool listRoute = m_connection->supports(u"handoff.list"_s);
    if (!listRoute && !m_connection->supports(u"handoff"_s)) {
        onHandoffsLoaded({}, fromPoll);
        return;
    }
    // One request per live sandbox is only worth it when something may have changed.
    if (fromPoll && !listRoute && !m_changed) {
        goLive();
        return;
    }
    QStringList ids;
    if (!listRoute) {
        for (const Sandbox &sandbox : std::as_const(m_connection->m_sandboxes)) {
            if (!isTerminal(sandbox.status))
                ids.append(sandbox.id);
        }
    }
    m_handoffOverlay.clear();
    m_handoffs.start(m_client, listRoute, ids,
                     [this, fromPoll](HandoffLoader::Result result) { onHandoffsLoaded(std::move(result), fromPoll); });
}

void ConnectionSync::onHandoffsLoaded(HandoffLoader::Result result, bool fromPoll)
{
    QHash<QString, Handoff> fresh = std::move(result.active);
    // An event seen meanwhile wins over the answer when it is at least as new.
    for (auto it = m_handoffOverlay.cbegin(); it != m_handoffOverlay.cend(); ++it) {
        const auto loaded = fresh.constFind(it.key());
        if (loaded != fresh.cend() && loaded->updatedAt > it->updatedAt)
            continue;
        if (isActive(it->status))
            fresh.insert(it.key(), *it);
        else
            fresh.remove(it.key());
    }
    m_handoffOverlay.clear();
    // Nor does an answer undo what actions and events told us before the load began.
    for (auto it = fresh.begin(); it != fresh.end();) {
        if (!m_connection->isStaleHandoff(it.key(), *it)) {
            m_connection->m_latestHandoffs.insert(it.key(), *it);
            ++it;
            continue;
        }
        const Handoff known = m_connection->m_latestHandoffs.value(it.key());
        if (known.requestId == it->requestId && isActive(known.status)) {
            *it = known;
            ++it;
        } else {
            it = fresh.erase(it);
        }
    }
    if (!result.error.isEmpty())
        addNote(result.error);

    const QHash<QString, Handoff> old = std::exchange(m_connection->m_activeHandoffs, fresh);
    bool changed = false;
    for (auto it = fresh.cbegin(); it != fresh.cend(); ++it) {
        const auto before = old.constFind(it.key());
        if (before == old.cend() || !(*before == *it)) {
            changed = true;
            Q_EMIT m_connection->handoffChanged(it.key(), *it);
        }
    }
    for (auto it = old.cbegin(); it != old.cend(); ++it) {
        if (fresh.value(it.key()).requestId != it->requestId) {
            changed = true;
            fetchEndedHandoff(it.key(), *it);
        }
    }
    if (fromPoll)
        m_changed = m_changed || changed; // a new handoff is a change even if no sandbox moved
    goLive();
}

void ConnectionSync::fetchEndedHandoff(const QString &sandboxId, const Handoff &last)
{
    // It left the active set while we were not looking: tell how it ended, not just that it did.
    HandoffJob *job = m_client.handoff(sandboxId, last.requestId);
    connect(job, &HandoffJob::finished, this, [this, sandboxId, last](const ApiResult<HandoffResponse> &result) {
        if (m_connection->m_activeHandoffs.value(sandboxId).requestId == last.requestId)
            return; // active again meanwhile: already reported
        Handoff ended = last;
        if (result && !isActive(result->handoff.status)) {
            ended = result->handoff;
        } else {
            ended.status = HandoffStatus::Cancelled;
            ended.updatedAt = QDateTime::currentMSecsSinceEpoch();
        }
        m_connection->upsertHandoff(sandboxId, ended); // unless an event told us already
    });
}

void ConnectionSync::refreshCurrentTasks()
{
    // Tasks are only known from events; after a gap, ask how the ones we knew of are doing.
    const QList<AgentTask> tasks = m_connection->m_currentTasks.values();
    for (const AgentTask &task : tasks) {
        TaskJob *job = m_client.task(task.sandboxId, task.taskId);
        connect(job, &TaskJob::finished, this, [this](const ApiResult<AgentTask> &result) {
            if (result)
                applyTask(result.value());
        });
    }
}

void ConnectionSync::goLive()
{
    m_phase = Phase::Live;
    m_retryDelay = kFirstRetry;
    m_keyRetryDelay = kFirstKeyRetry;
    m_downReason.clear();
    if (streaming()) {
        if (m_stream && m_stream->state() == EventStream::State::Connected)
            m_connection->setStatus(Connection::Status::Online, liveText());
        else
            m_connection->setStatus(Connection::Status::Reconnecting,
                                    tr("Event stream lost (%1) — reconnecting…").arg(m_streamReason));
        return;
    }
    // Every 2 s while things change, backing off to 30 s while nothing does.
    m_pollInterval = m_changed ? std::chrono::milliseconds(kFastPoll)
                               : std::min<std::chrono::milliseconds>(m_pollInterval * 2, kSlowestPoll);
    m_changed = false;
    m_connection->setStatus(Connection::Status::Polling, liveText());
    m_pollTimer.start(m_pollInterval);
}

void ConnectionSync::goDown(const QString &reason, bool keyRefused)
{
    m_list.cancel();
    m_handoffs.cancel();
    m_pollTimer.stop();
    m_sandboxOverlay.clear();
    m_handoffOverlay.clear();
    m_phase = Phase::Down;
    m_forceReload = true; // the whole snapshot is refetched once it is back
    m_pollInterval = kFastPoll;
    std::chrono::milliseconds delay;
    if (keyRefused) {
        delay = m_keyRetryDelay;
        m_keyRetryDelay = std::min<std::chrono::milliseconds>(m_keyRetryDelay * 2, kMaxKeyRetry);
        if (m_stream)
            m_stream->stop(); // it would only be refused as well
    } else {
        delay = m_retryDelay;
        m_retryDelay = std::min<std::chrono::milliseconds>(m_retryDelay * 2, kMaxRetry);
    }
    qCInfo(lcSync) << m_connection->id() << "down:" << reason << "retry in" << delay.count() << "ms";
    m_downReason = reason;
    m_connection->m_nextRetryAt = QDateTime::currentDateTimeUtc().addMSecs(delay.count());
    m_retryTimer.start(delay);
    m_countdownTimer.start();
    updateDownText();
}

void ConnectionSync::updateDownText()
{
    const qint64 left = QDateTime::currentDateTimeUtc().msecsTo(m_connection->m_nextRetryAt);
    const int seconds = std::max(1, int(std::ceil(double(left) / 1000.0)));
    m_connection->setStatus(Connection::Status::Down, tr("%1 — retrying in %n s", nullptr, seconds).arg(m_downReason));
}

QString ConnectionSync::describe(const ApiError &error) const
{
    switch (error.kind) {
    case ApiError::Kind::Http:
        if (error.httpStatus == 401)
            return tr("The API key was refused");
        if (error.httpStatus >= 500)
            return tr("Server error: %1").arg(error.displayText());
        return error.displayText();
    case ApiError::Kind::Protocol:
        return tr("The server sent an answer we could not read (%1)").arg(error.message);
    case ApiError::Kind::Network:
    case ApiError::Kind::Timeout:
    case ApiError::Kind::Aborted:
        break;
    }
    return error.message.isEmpty() ? tr("Network error") : error.message;
}

} // namespace banata
