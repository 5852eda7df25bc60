// SPDX-License-Identifier: MIT
#include "handoffservice.h"

#include "core/lifecycle.h"
#include "server/control/controlregistry.h"
#include "server/events/eventhub.h"
#include "server/sandboxmanager.h"
#include "server/store/store.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <tuple>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHandoff, "banata.server.handoff", QtInfoMsg)

namespace banata::server {

using HS = HandoffStatus;

namespace {
constexpr qsizetype kMaxMessageLength = 4000;
constexpr qsizetype kMaxPromptLength = 16000;
constexpr qsizetype kMaxControllerLength = 200;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

ApiError httpError(int status, const QString &message, const QString &code)
{
    return ApiError{ApiError::Kind::Http, status, message, code, {}};
}

ApiError invalid(const QString &message)
{
    return httpError(400, message, u"INVALID_REQUEST"_s);
}

/// Why an ended handoff cannot be acted on, in words a caller can act on.
ApiError notActive(const Handoff &h)
{
    const QString ended = h.status == HS::Expired     ? u"expired"_s
                          : h.status == HS::Cancelled ? u"was cancelled"_s
                                                      : u"was already completed"_s;
    return httpError(409, u"The handoff %1 %2; request a new one"_s.arg(h.requestId, ended), u"HANDOFF_NOT_ACTIVE"_s);
}

ApiError tooLong(const char *field, qsizetype max)
{
    return invalid(u"body.%1: at most %2 characters"_s.arg(QLatin1StringView(field)).arg(max));
}
} // namespace

HandoffService::HandoffService(Store *store, EventHub *events, SandboxManager *sandboxes, ControlRegistry *control,
                               QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_events(events)
    , m_sandboxes(sandboxes)
    , m_control(control)
{
    QSqlQuery query(m_store->database());
    if (!query.exec(u"CREATE TABLE IF NOT EXISTS handoffs (request_id TEXT PRIMARY KEY, sandbox_id TEXT NOT NULL, "
                    u"requested_at INTEGER NOT NULL, body TEXT NOT NULL)"_s) ||
        !query.exec(u"CREATE INDEX IF NOT EXISTS handoffs_by_sandbox ON handoffs (sandbox_id, requested_at)"_s))
        qCWarning(lcHandoff) << "cannot create the handoffs table:" << query.lastError().text();
    connect(m_sandboxes, &SandboxManager::statusChanged, this, &HandoffService::onSandboxStatusChanged);
    m_resaveTimer.setInterval(2000);
    connect(&m_resaveTimer, &QTimer::timeout, this, &HandoffService::resaveUnsaved);
}

HandoffService::~HandoffService() = default;

void HandoffService::recover()
{
    QSqlQuery query(m_store->database());
    if (!query.exec(u"SELECT sandbox_id, body FROM handoffs ORDER BY requested_at, rowid"_s)) {
        qCWarning(lcHandoff) << "cannot load handoffs:" << query.lastError().text();
        return;
    }
    while (query.next()) {
        const auto json = parseJson(query.value(1).toString().toUtf8());
        auto handoff = json ? Handoff::fromJson(*json) : Parsed<Handoff>::failure(u"malformed JSON"_s);
        if (!handoff) {
            qCWarning(lcHandoff) << "skipping a stored handoff:" << handoff.error();
            continue;
        }
        m_handoffs[query.value(0).toString()].append(std::move(handoff).value());
    }
    const QStringList sandboxIds = m_handoffs.keys();
    for (const QString &sandboxId : sandboxIds) {
        Handoff *h = active(sandboxId);
        if (!h)
            continue;
        const auto sandbox = m_sandboxes->find(sandboxId);
        if (!sandbox || isTerminal(sandbox->status)) {
            h->note = u"The sandbox ended"_s;
            finish(sandboxId, *h, HS::Cancelled);
        } else if (h->expiresAt && *h->expiresAt <= now()) {
            finish(sandboxId, *h, HS::Expired);
        } else {
            m_control->set(sandboxId, h->status == HS::Accepted ? ControlRegistry::Mode::Human : ControlRegistry::Mode::Shared,
                           h->controller.value_or(QString()));
            armTimer(sandboxId, *h);
        }
    }
}

Handoff *HandoffService::active(const QString &sandboxId)
{
    auto it = m_handoffs.find(sandboxId);
    if (it == m_handoffs.end() || it->isEmpty() || !isActive(it->last().status))
        return nullptr;
    return &it->last();
}

HandoffService::Result<Handoff> HandoffService::request(const HandoffRequest &request, const QString &defaultRequester)
{
    const auto sandbox = m_sandboxes->find(request.id);
    if (!sandbox)
        return Result<Handoff>::failure(sandboxNotFound());
    if (isTerminal(sandbox->status) || sandbox->status == SandboxStatus::Ending)
        return Result<Handoff>::failure(stateConflict(*sandbox));
    if (request.message.trimmed().isEmpty())
        return Result<Handoff>::failure(invalid(u"body.message: must not be empty"_s));
    if (request.message.size() > kMaxMessageLength)
        return Result<Handoff>::failure(tooLong("message", kMaxMessageLength));
    if (request.resumePrompt && request.resumePrompt->size() > kMaxPromptLength)
        return Result<Handoff>::failure(tooLong("resumePrompt", kMaxPromptLength));
    const qint64 timeout = request.timeoutMs.value_or(kDefaultTimeoutMs);
    if (timeout <= 0 || timeout > kMaxTimeoutMs)
        return Result<Handoff>::failure(invalid(u"body.timeoutMs: must be from 1 to %1 (24 h)"_s.arg(kMaxTimeoutMs)));
    if (const Handoff *existing = active(request.id))
        return Result<Handoff>::failure(
            httpError(409, u"A handoff is already %1 for this sandbox (%2); complete or cancel it first"_s.arg(
                               toString(existing->status), existing->requestId),
                      u"HANDOFF_ACTIVE"_s));

    Handoff h;
    h.requestId = u"hr_"_s + newId();
    h.status = HS::Pending;
    h.reason = request.reason;
    h.message = request.message;
    h.requestedBy = request.requestedBy.value_or(defaultRequester);
    h.resumePrompt = request.resumePrompt;
    h.requestedAt = h.updatedAt = now();
    h.expiresAt = h.requestedAt + timeout;
    // Saved before it takes effect: a request the store cannot keep (a full disk) is refused
    // rather than acknowledged and then forgotten at the next restart.
    if (!save(request.id, h))
        return Result<Handoff>::failure(storeFailure(*m_store));
    m_handoffs[request.id].append(h);
    m_control->set(request.id, ControlRegistry::Mode::Shared);
    publish(u"sandbox.handoff.requested"_s, request.id, h);
    armTimer(request.id, h);
    qCInfo(lcHandoff).noquote() << request.id << "handoff" << h.requestId << "requested:" << h.reason;
    return h;
}

HandoffService::Result<Handoff *> HandoffService::target(const QString &sandboxId, const QString &requestId)
{
    using R = Result<Handoff *>;
    if (!m_sandboxes->find(sandboxId))
        return R::failure(sandboxNotFound());
    auto it = m_handoffs.find(sandboxId);
    if (it == m_handoffs.end() || it->isEmpty())
        return R::failure(
            httpError(404, u"No handoff has been requested for this sandbox"_s, u"HANDOFF_NOT_FOUND"_s));
    Handoff &newest = it->last();
    if (!requestId.isEmpty() && requestId != newest.requestId) {
        const bool known = std::any_of(it->cbegin(), it->cend(), [&](const Handoff &h) { return h.requestId == requestId; });
        return R::failure(known ? httpError(409, u"The handoff %1 has ended; the newest is %2"_s.arg(requestId, newest.requestId),
                                            u"HANDOFF_NOT_ACTIVE"_s)
                                : httpError(404, u"No handoff %1 for this sandbox"_s.arg(requestId), u"HANDOFF_NOT_FOUND"_s));
    }
    if (!isActive(newest.status))
        return R::failure(notActive(newest));
    return &newest;
}

HandoffService::Result<Handoff> HandoffService::accept(const QString &sandboxId, const QString &controller,
                                                       const QString &requestId)
{
    if (controller.trimmed().isEmpty())
        return Result<Handoff>::failure(invalid(u"body.controller: must not be empty"_s));
    if (controller.size() > kMaxControllerLength)
        return Result<Handoff>::failure(tooLong("controller", kMaxControllerLength));
    auto found = target(sandboxId, requestId);
    if (!found)
        return Result<Handoff>::failure(found.error());
    Handoff &h = **found;
    if (h.status == HS::Accepted)
        return Result<Handoff>::failure(httpError(
            409, u"The handoff was already accepted by '%1'; only one person controls it at a time"_s.arg(h.controller.value_or(QString())),
            u"HANDOFF_ALREADY_ACCEPTED"_s));
    h.status = HS::Accepted;
    h.controller = controller;
    h.acceptedAt = h.updatedAt = now();
    m_control->set(sandboxId, ControlRegistry::Mode::Human, controller);
    saveOrRetry(sandboxId, h);
    publish(u"sandbox.handoff.accepted"_s, sandboxId, h);
    return h;
}

HandoffService::Result<Handoff> HandoffService::complete(const QString &sandboxId, const QString &outcome,
                                                         const std::optional<QString> &note, const QString &requestId)
{
    if (!handoffOutcomes().contains(outcome))
        return Result<Handoff>::failure(invalid(u"body.outcome: must be one of %1"_s.arg(handoffOutcomes().join(u", "_s))));
    if (note && note->size() > kMaxMessageLength)
        return Result<Handoff>::failure(tooLong("note", kMaxMessageLength));
    auto found = target(sandboxId, requestId);
    if (!found)
        return Result<Handoff>::failure(found.error());
    Handoff &h = **found;
    if (h.status != HS::Accepted)
        return Result<Handoff>::failure(
            httpError(409, u"The handoff has not been accepted yet; accept it before completing it"_s, u"HANDOFF_NOT_ACCEPTED"_s));
    h.outcome = outcome;
    h.note = note;
    finish(sandboxId, h, HS::Completed);
    return h;
}

HandoffService::Result<Handoff> HandoffService::cancel(const QString &sandboxId, const std::optional<QString> &reason,
                                                       const QString &requestId)
{
    if (reason && reason->size() > kMaxMessageLength)
        return Result<Handoff>::failure(tooLong("reason", kMaxMessageLength));
    auto found = target(sandboxId, requestId);
    if (!found)
        return Result<Handoff>::failure(found.error());
    Handoff &h = **found;
    if (reason)
        h.note = reason;
    finish(sandboxId, h, HS::Cancelled);
    return h;
}

HandoffService::Result<Handoff> HandoffService::current(const QString &sandboxId, const QString &requestId) const
{
    if (!m_sandboxes->find(sandboxId))
        return Result<Handoff>::failure(sandboxNotFound());
    const QList<Handoff> list = m_handoffs.value(sandboxId);
    for (auto it = list.crbegin(); it != list.crend(); ++it) {
        if (requestId.isEmpty() || it->requestId == requestId)
            return *it;
    }
    return Result<Handoff>::failure(httpError(404,
                                              requestId.isEmpty() ? u"No handoff has been requested for this sandbox"_s
                                                                  : u"No handoff %1 for this sandbox"_s.arg(requestId),
                                              u"HANDOFF_NOT_FOUND"_s));
}

HandoffService::Result<QList<Handoff>> HandoffService::history(const QString &sandboxId) const
{
    if (!m_sandboxes->find(sandboxId))
        return Result<QList<Handoff>>::failure(sandboxNotFound());
    QList<Handoff> list = m_handoffs.value(sandboxId);
    std::reverse(list.begin(), list.end());
    return list;
}

QList<PendingHandoff> HandoffService::acrossSandboxes(const QList<HandoffStatus> &statuses) const
{
    QList<PendingHandoff> out;
    for (auto it = m_handoffs.cbegin(); it != m_handoffs.cend(); ++it) {
        for (const Handoff &h : it.value()) {
            if (statuses.contains(h.status))
                out.append(PendingHandoff{it.key(), h});
        }
    }
    // The hash has no order; the request id breaks ties so equal times still list stably.
    std::sort(out.begin(), out.end(), [](const PendingHandoff &a, const PendingHandoff &b) {
        return std::tie(a.handoff.requestedAt, a.handoff.requestId) < std::tie(b.handoff.requestedAt, b.handoff.requestId);
    });
    return out;
}

HandoffPreview HandoffService::preview(const QString &sandboxId) const
{
    // The browser service owns preview.status; until it reports one, the lease is what we know.
    const ControlRegistry::State state = m_control->state(sandboxId);
    HandoffPreview p;
    p.status = m_previewStatus ? m_previewStatus(sandboxId) : u"unknown"_s;
    p.controlMode = ControlRegistry::toString(state.mode);
    if (!state.controller.isEmpty())
        p.controller = state.controller;
    if (state.updatedAt > 0)
        p.updatedAt = state.updatedAt;
    return p;
}

void HandoffService::finish(const QString &sandboxId, Handoff &handoff, HandoffStatus status)
{
    handoff.status = status;
    handoff.completedAt = handoff.updatedAt = now();
    m_timers.remove(handoff.requestId);
    m_control->set(sandboxId, ControlRegistry::Mode::Ai);
    saveOrRetry(sandboxId, handoff);
    const QString type = status == HS::Completed   ? u"sandbox.handoff.completed"_s
                         : status == HS::Cancelled ? u"sandbox.handoff.cancelled"_s
                                                   : u"sandbox.handoff.expired"_s;
    publish(type, sandboxId, handoff);
    qCInfo(lcHandoff).noquote() << sandboxId << "handoff" << handoff.requestId << toString(status);
}

bool HandoffService::save(const QString &sandboxId, const Handoff &handoff)
{
    QSqlQuery query(m_store->database());
    query.prepare(u"INSERT OR REPLACE INTO handoffs (request_id, sandbox_id, requested_at, body) VALUES (?, ?, ?, ?)"_s);
    query.addBindValue(handoff.requestId);
    query.addBindValue(sandboxId);
    query.addBindValue(handoff.requestedAt);
    query.addBindValue(QString::fromUtf8(dumpJson(handoff.toJson())));
    if (query.exec())
        return true;
    m_store->noteError(query.lastError());
    qCWarning(lcHandoff) << "cannot persist handoff" << handoff.requestId << query.lastError().text();
    return false;
}

void HandoffService::saveOrRetry(const QString &sandboxId, const Handoff &handoff)
{
    if (save(sandboxId, handoff))
        return;
    m_unsaved.insert(handoff.requestId, sandboxId);
    if (!m_resaveTimer.isActive())
        m_resaveTimer.start();
}

void HandoffService::resaveUnsaved()
{
    for (auto it = m_unsaved.begin(); it != m_unsaved.end();) {
        const QList<Handoff> &list = m_handoffs.value(it.value());
        const auto found = std::find_if(list.cbegin(), list.cend(),
                                        [&](const Handoff &h) { return h.requestId == it.key(); });
        if (found != list.cend() && !save(it.value(), *found))
            return; // still refused: the next tick tries again
        it = m_unsaved.erase(it);
    }
    m_resaveTimer.stop();
    qCInfo(lcHandoff) << "saved the handoff changes that could not be saved before";
}

void HandoffService::publish(const QString &type, const QString &sandboxId, const Handoff &handoff)
{
    const HandoffPreview p = preview(sandboxId);
    m_events->publish(type, sandboxId,
                      Json{{"handoff", handoff.toJson()},
                           {"controlMode", toStd(p.controlMode.value_or(u"ai"_s))},
                           {"preview", p.toJson()}});
}

void HandoffService::armTimer(const QString &sandboxId, const Handoff &handoff)
{
    if (!handoff.expiresAt)
        return;
    auto timer = std::make_shared<QTimer>();
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
    timer->setInterval(std::chrono::milliseconds(std::max<qint64>(0, *handoff.expiresAt - now())));
    connect(timer.get(), &QTimer::timeout, this,
            [this, sandboxId, requestId = handoff.requestId] { onExpiry(sandboxId, requestId); });
    timer->start();
    m_timers.insert(handoff.requestId, std::move(timer));
}

void HandoffService::onExpiry(const QString &sandboxId, const QString &requestId)
{
    // Deleting the timer from its own timeout is unsafe: let the event loop do it.
    if (auto timer = m_timers.take(requestId))
        QTimer::singleShot(0, this, [timer] {});
    Handoff *h = active(sandboxId);
    if (h && h->requestId == requestId)
        finish(sandboxId, *h, HS::Expired);
}

void HandoffService::onSandboxStatusChanged(const Sandbox &sandbox, SandboxStatus previous)
{
    Q_UNUSED(previous)
    if (sandbox.status != SandboxStatus::Ending && !isTerminal(sandbox.status))
        return;
    if (Handoff *h = active(sandbox.id)) {
        h->note = u"The sandbox ended"_s;
        finish(sandbox.id, *h, HS::Cancelled);
    }
    m_control->remove(sandbox.id);
}

} // namespace banata::server
