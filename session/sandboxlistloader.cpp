// SPDX-License-Identifier: MIT
#include "session/sandboxlistloader.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcListLoader, "banata.session.listloader")

namespace banata {

SandboxListLoader::SandboxListLoader(QObject *parent)
    : QObject(parent)
{
}

SandboxListLoader::~SandboxListLoader()
{
    cancel();
}

void SandboxListLoader::setConditional(bool on)
{
    m_conditional = on;
    if (!on)
        m_cache.clear();
}

void SandboxListLoader::clearCache()
{
    m_cache.clear();
}

void SandboxListLoader::start(const ApiClient &client, const QHash<QString, Sandbox> *current, Callback done)
{
    cancel();
    m_client = client;
    m_current = current;
    m_done = std::move(done);
    m_result = {};
    m_seen.clear();
    requestPage(QString(), true);
}

void SandboxListLoader::cancel()
{
    m_done = nullptr;
    delete m_job.data(); // deleting a job cancels it silently
}

void SandboxListLoader::requestPage(const QString &cursor, bool allowConditional)
{
    SandboxListQuery query;
    query.limit = kPageSize;
    if (!cursor.isEmpty())
        query.cursor = cursor;
    QByteArray etag;
    if (m_conditional && allowConditional)
        etag = m_cache.value(cursor).etag;
    SandboxPollJob *job = m_client->pollSandboxes(query, etag);
    m_job = job;
    connect(job, &SandboxPollJob::finished, this,
            [this, cursor](const ApiResult<SandboxPagePoll> &result) { onPage(cursor, result); });
}

void SandboxListLoader::onPage(const QString &cursor, const ApiResult<SandboxPagePoll> &result)
{
    m_job = nullptr;
    if (!m_done)
        return;
    if (!result) {
        Result failed;
        failed.error = result.error();
        finish(std::move(failed));
        return;
    }
    CachedPage page;
    if (result->notModified) {
        const auto cached = m_cache.constFind(cursor);
        bool complete = cached != m_cache.cend() && m_current;
        if (complete) {
            for (const QString &id : cached->ids)
                complete = complete && m_current->contains(id);
        }
        if (!complete) {
            // We no longer hold what that page had (or never asked conditionally): ask again in full.
            qCDebug(lcListLoader) << "304 for a page we cannot rebuild; fetching it again";
            m_cache.remove(cursor);
            requestPage(cursor, false);
            return;
        }
        page = *cached;
        for (const QString &id : page.ids)
            m_result.sandboxes.append(m_current->value(id));
    } else {
        page.etag = result->etag;
        page.nextCursor = result->page.nextCursor;
        page.ids.reserve(result->page.data.size());
        for (const Sandbox &sandbox : result->page.data) {
            page.ids.append(sandbox.id);
            m_result.sandboxes.append(sandbox);
        }
    }
    m_seen.insert(cursor, page);

    const bool more = page.nextCursor && !page.nextCursor->isEmpty();
    if (more && m_result.sandboxes.size() >= kMaxSandboxes) {
        qCWarning(lcListLoader) << "the server lists more than" << kMaxSandboxes << "sandboxes; keeping the first";
        m_result.truncated = true;
        m_result.sandboxes.resize(kMaxSandboxes);
        finish(std::move(m_result));
        return;
    }
    if (more) {
        if (m_seen.contains(*page.nextCursor)) {
            Result failed;
            failed.error = ApiError::protocol(tr("The sandbox list pages loop back on themselves"));
            finish(std::move(failed));
            return;
        }
        requestPage(*page.nextCursor, true);
        return;
    }
    finish(std::move(m_result));
}

void SandboxListLoader::finish(Result result)
{
    if (!result.error && m_conditional)
        m_cache = std::exchange(m_seen, {});
    else
        m_seen.clear();
    // Cleared before the call: the callback may start the next load at once.
    Callback done = std::exchange(m_done, nullptr);
    m_result = {};
    done(std::move(result));
}

} // namespace banata
