// SPDX-License-Identifier: MIT
#include "session/handoffloader.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHandoffLoader, "banata.session.handoffloader")

namespace banata {

HandoffLoader::HandoffLoader(QObject *parent)
    : QObject(parent)
{
}

HandoffLoader::~HandoffLoader()
{
    cancel();
}

void HandoffLoader::start(const ApiClient &client, bool listRoute, QStringList sandboxIds, Callback done)
{
    cancel();
    m_client = client;
    m_done = std::move(done);
    m_ids = std::move(sandboxIds);
    m_result = {};
    m_next = 0;
    m_inFlight = 0;
    m_failures = 0;
    if (listRoute) {
        PendingHandoffListJob *job = m_client->activeHandoffs();
        m_listJob = job;
        connect(job, &PendingHandoffListJob::finished, this, &HandoffLoader::onList);
        return;
    }
    startPerSandbox();
}

void HandoffLoader::cancel()
{
    m_done = nullptr;
    delete m_listJob.data();
    for (const QPointer<HandoffJob> &job : std::as_const(m_jobs))
        delete job.data();
    m_jobs.clear();
    m_inFlight = 0;
}

void HandoffLoader::onList(const ApiResult<QList<PendingHandoff>> &result)
{
    if (!m_done)
        return;
    if (!result && result.error().httpStatus == 404 && result.error().code != u"SANDBOX_NOT_FOUND") {
        // The server announced the route but does not have it after all: ask one by one.
        qCInfo(lcHandoffLoader) << "no handoff list route; asking each sandbox";
        startPerSandbox();
        return;
    }
    if (!result) {
        m_result.error = tr("Could not load the waiting handoffs: %1").arg(result.error().displayText());
    } else {
        for (const PendingHandoff &pending : result.value()) {
            if (isActive(pending.handoff.status))
                m_result.active.insert(pending.sandboxId, pending.handoff);
        }
    }
    finish();
}

void HandoffLoader::startPerSandbox()
{
    startNext();
    if (m_inFlight == 0)
        finish();
}

void HandoffLoader::startNext()
{
    while (m_done && m_inFlight < kMaxInFlight && m_next < m_ids.size()) {
        const QString id = m_ids.at(m_next++);
        HandoffJob *job = m_client->handoff(id);
        m_jobs.append(job);
        ++m_inFlight;
        connect(job, &HandoffJob::finished, this,
                [this, id](const ApiResult<HandoffResponse> &result) { onOne(id, result); });
    }
}

void HandoffLoader::onOne(const QString &sandboxId, const ApiResult<HandoffResponse> &result)
{
    if (!m_done)
        return;
    --m_inFlight;
    if (result) {
        if (isActive(result->handoff.status))
            m_result.active.insert(sandboxId, result->handoff);
    } else if (result.error().httpStatus != 404) { // no handoff yet, or the sandbox went away
        if (m_failures++ == 0)
            m_result.error = result.error().displayText();
    }
    startNext();
    if (m_inFlight == 0 && m_next >= m_ids.size())
        finish();
}

void HandoffLoader::finish()
{
    if (m_failures > 0)
        m_result.error = tr("Could not load the handoffs of %n sandbox(es): %1", nullptr, m_failures).arg(m_result.error);
    m_jobs.clear();
    Callback done = std::exchange(m_done, nullptr);
    Result result = std::exchange(m_result, {});
    if (done)
        done(std::move(result));
}

} // namespace banata
