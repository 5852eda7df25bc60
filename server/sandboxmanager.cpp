// SPDX-License-Identifier: MIT
#include "sandboxmanager.h"
#include "sandboxmanager_p.h"

#include "core/lifecycle.h"
#include "server/api/auth.h"
#include "server/events/eventhub.h"
#include "server/runtime/sandboxprocess.h"
#include "server/workspace/checkpointstore.h"

#include <QDateTime>
#include <QDir>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSandboxes, "banata.server.sandboxes", QtInfoMsg)

namespace banata::server {

using S = SandboxStatus;

namespace {
qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

QString newId()
{
    static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    QString id(32, Qt::Uninitialized);
    auto *rng = QRandomGenerator::system();
    for (QChar &c : id)
        c = QLatin1Char(kAlphabet[rng->bounded(36)]);
    return id;
}

ApiError sandboxNotFound()
{
    return ApiError{ApiError::Kind::Http, 404, u"Sandbox session not found"_s, u"SANDBOX_NOT_FOUND"_s, {}};
}

ApiError storeFailure(const Store &store)
{
    if (store.lastErrorIsNoSpace())
        return ApiError{ApiError::Kind::Http, 507,
                        u"No space left on the disk holding banata-local's data; nothing was saved"_s,
                        u"NO_SPACE"_s, {}};
    return ApiError{ApiError::Kind::Http, 500, u"Could not save to the database: "_s + store.lastError(),
                    u"STORE_ERROR"_s, {}};
}

ApiError stateConflict(const Sandbox &sandbox)
{
    auto conflict = [](const QString &message, const QString &code) {
        return ApiError{ApiError::Kind::Http, 409, message, code, {}};
    };
    switch (sandbox.status) {
    case S::Queued:
    case S::Assigning:
        return conflict(u"Sandbox is not ready"_s, u"SANDBOX_NOT_READY"_s);
    case S::Pausing:
        return conflict(u"Sandbox is pausing"_s, u"SANDBOX_BUSY"_s);
    case S::Paused:
        return conflict(u"Sandbox is paused; resume it first"_s, u"SANDBOX_PAUSED"_s);
    case S::Ending:
        return conflict(u"Sandbox is ending"_s, u"SANDBOX_BUSY"_s);
    case S::Ended:
        return conflict(u"Sandbox has ended"_s, u"SANDBOX_ENDED"_s);
    case S::Failed:
        return conflict(u"Sandbox has failed: "_s + sandbox.statusReason.value_or(u"unknown reason"_s),
                        u"SANDBOX_FAILED"_s);
    case S::Ready:
    case S::Active:
        break;
    }
    return conflict(u"Sandbox is %1"_s.arg(toString(sandbox.status)), u"SANDBOX_BUSY"_s);
}

SandboxManager::SandboxManager(Options options, Store *store, EventHub *events, Freezer *freezer, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_store(store)
    , m_events(events)
    , m_freezer(freezer)
{
    QDir().mkpath(m_options.sandboxesDir);
    m_resaveTimer.setInterval(2000);
    connect(&m_resaveTimer, &QTimer::timeout, this, &SandboxManager::resaveUnsaved);
}

SandboxManager::~SandboxManager() = default; // process trees are detached: they outlive the server

SandboxManager::Entry *SandboxManager::entry(const QString &id) const
{
    const auto it = m_entries.constFind(id);
    return it == m_entries.cend() ? nullptr : it->get();
}

QString SandboxManager::sandboxRoot(const QString &id) const
{
    return m_options.sandboxesDir + u'/' + id;
}

std::optional<Sandbox> SandboxManager::find(const QString &id) const
{
    const Entry *e = entry(id);
    return e ? std::optional<Sandbox>(e->record.sandbox) : std::nullopt;
}

void SandboxManager::persist(Entry &e)
{
    if (m_store->saveSandbox(e.record))
        return;
    qCWarning(lcSandboxes) << "could not persist sandbox" << e.id() << m_store->lastError();
    resaveLater(e.id());
}

void SandboxManager::resaveLater(const QString &id)
{
    // A state change cannot be refused (the processes did stop), but it must not stay unsaved:
    // a restart would bring back what it finds in the store, e.g. a killed sandbox as ready.
    m_unsaved.insert(id);
    if (!m_resaveTimer.isActive())
        m_resaveTimer.start();
}

void SandboxManager::resaveUnsaved()
{
    m_store->begin();
    bool saved = true;
    for (const QString &id : std::as_const(m_unsaved)) {
        const Entry *e = entry(id);
        if (e && !m_store->saveSandbox(e->record))
            saved = false;
    }
    if (!m_store->commit() || !saved)
        return; // still full: try again at the next tick
    qCInfo(lcSandboxes) << "saved" << m_unsaved.size() << "sandbox record(s) that could not be saved before";
    m_unsaved.clear();
    m_resaveTimer.stop();
}

bool SandboxManager::transition(Entry &e, S to, std::optional<QString> reason)
{
    Sandbox &s = e.record.sandbox;
    const S from = s.status;
    if (!canTransition(from, to)) {
        qCWarning(lcSandboxes) << "refusing transition" << toString(from) << "->" << toString(to) << "of" << e.id();
        return false;
    }
    const qint64 t = now();
    s.status = to;
    s.updatedAt = t;
    s.statusReason = std::move(reason);
    if (to == S::Ready && !s.readyAt)
        s.readyAt = t;
    if (to == S::Paused)
        s.pausedAt = t;
    if (to == S::Ready || to == S::Active)
        s.pausedAt.reset();
    if (to == S::Ended || to == S::Failed)
        s.endedAt = t;

    m_store->begin();
    persist(e);
    Json data = {{"status", toStd(toString(to))}, {"previousStatus", toStd(toString(from))}, {"sandbox", s.toJson()}};
    if (s.statusReason)
        data["reason"] = toStd(*s.statusReason);
    m_events->publish(eventTypeForTransition(from, to), e.id(), std::move(data));
    if (!m_store->commit())
        resaveLater(e.id()); // rolled back, the record with it
    emit statusChanged(s, from);
    qCInfo(lcSandboxes).noquote() << e.id() << toString(from) << "->" << toString(to)
                                  << (s.statusReason ? *s.statusReason : QString());
    return true;
}

ApiExpected<Sandbox> SandboxManager::create(const CreateSandboxRequest &request)
{
    auto e = std::make_shared<Entry>();
    Sandbox &s = e->record.sandbox;
    s.id = newId();
    s.status = S::Queued;
    s.runtime = request.runtime;
    s.size = request.size;
    s.name = request.name;
    s.region = request.region.value_or(u"loc"_s);
    s.capabilities = request.capabilities;
    s.metadata = request.metadata;
    s.ephemeral = request.ephemeral;
    s.createdAt = s.updatedAt = now();
    e->record.env = request.env;
    // The sandbox's own credential: processes inside call back (handoff CLI) with it, limited to
    // their own sandbox. Kept with the env, which the API never returns.
    e->record.env.insert(QStringLiteral("BANATA_SANDBOX_TOKEN"), u"bst_"_s + newId());

    // Saved before it is announced or started: a sandbox the store cannot keep (a full disk) is
    // refused, not acknowledged and then forgotten at the next restart.
    m_store->begin();
    const bool saved = m_store->saveSandbox(e->record);
    if (!m_store->commit() || !saved) {
        qCWarning(lcSandboxes) << "refusing a new sandbox that cannot be saved:" << m_store->lastError();
        return ApiExpected<Sandbox>::failure(storeFailure(*m_store));
    }
    m_entries.insert(s.id, e);
    m_events->publish(u"sandbox.created"_s, s.id, Json{{"status", "queued"}, {"sandbox", s.toJson()}});
    const Sandbox created = s;
    enqueueStart(*e);
    return created;
}

SandboxPage SandboxManager::list(const SandboxListQuery &query) const
{
    QList<const Sandbox *> matches;
    matches.reserve(m_entries.size());
    for (const auto &e : m_entries) {
        const Sandbox &s = e->record.sandbox;
        if (query.statuses.isEmpty() || query.statuses.contains(s.status))
            matches.append(&s);
    }
    auto newerFirst = [](const Sandbox *a, const Sandbox *b) {
        return a->createdAt != b->createdAt ? a->createdAt > b->createdAt : a->id > b->id;
    };
    std::sort(matches.begin(), matches.end(), newerFirst);

    qsizetype start = 0;
    if (query.cursor) {
        // The cursor names the last item of the previous page: "<createdAt>:<id>".
        const QStringList parts = query.cursor->split(u':');
        if (parts.size() == 2) {
            Sandbox marker;
            marker.createdAt = parts[0].toLongLong();
            marker.id = parts[1];
            start = std::upper_bound(matches.cbegin(), matches.cend(), &marker, newerFirst) - matches.cbegin();
        }
    }
    SandboxPage page;
    const qsizetype end = std::min(matches.size(), start + qsizetype(std::clamp(query.limit, 1, 1000)));
    for (qsizetype i = start; i < end; ++i)
        page.data.append(*matches[i]);
    if (end < matches.size() && !page.data.isEmpty())
        page.nextCursor = QString::number(page.data.last().createdAt) + u':' + page.data.last().id;
    return page;
}

QString SandboxManager::sandboxToken(const QString &id) const
{
    const Entry *e = entry(id);
    return e ? e->record.env.value(QStringLiteral("BANATA_SANDBOX_TOKEN")) : QString();
}

QString SandboxManager::sandboxForToken(QByteArrayView token) const
{
    if (!token.startsWith("bst_"))
        return {};
    for (const auto &e : m_entries) {
        if (!isTerminal(e->status()) &&
            constantTimeEquals(e->record.env.value(QStringLiteral("BANATA_SANDBOX_TOKEN")).toLatin1(), token))
            return e->id();
    }
    return {};
}

std::optional<ApiError> SandboxManager::checkAcceptsWork(const QString &id) const
{
    const Entry *e = entry(id);
    if (!e)
        return sandboxNotFound();
    if (!acceptsWork(e->status()))
        return stateConflict(e->record.sandbox);
    return std::nullopt;
}

std::optional<ApiError> SandboxManager::checkAcceptsFileReads(const QString &id) const
{
    const Entry *e = entry(id);
    if (!e)
        return sandboxNotFound();
    if (!acceptsFileReads(e->status()))
        return stateConflict(e->record.sandbox);
    return std::nullopt;
}

void SandboxManager::notifyFilesChanged(const QString &id, const QStringList &paths, const QString &origin)
{
    Json list = Json::array();
    for (const QString &p : paths)
        list.push_back(toStd(p));
    m_events->publish(u"sandbox.files.changed"_s, id, Json{{"paths", std::move(list)}, {"origin", toStd(origin)}});
}

} // namespace banata::server
