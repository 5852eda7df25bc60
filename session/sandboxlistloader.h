// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apiclient.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <optional>

namespace banata {

/**
 * Reads every page of a server's sandbox list (1000 a page, following nextCursor) for
 * ConnectionSync. In conditional mode it remembers each page's ETag and asks `If-None-Match`, so
 * a poll of an unchanged list costs one 304 per page; pages the server says are unchanged are
 * rebuilt from the snapshot the caller passes. Stops at kMaxSandboxes and says so.
 */
class SandboxListLoader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxListLoader)

public:
    struct Result
    {
        QList<Sandbox> sandboxes;
        bool truncated = false;        ///< the server has more than kMaxSandboxes
        std::optional<ApiError> error; ///< set when a page failed: the result is then unusable
    };
    using Callback = std::function<void(Result)>;

    static constexpr int kPageSize = 1000;
    static constexpr int kMaxSandboxes = 100000;

    explicit SandboxListLoader(QObject *parent = nullptr);
    ~SandboxListLoader() override;

    /// Remember ETags and send If-None-Match (polling); off forgets them.
    void setConditional(bool on);
    void clearCache();
    /// Starts over (cancelling a load in progress). \a current must outlive the load; \a done is
    /// called once, unless cancel() or a new start() comes first.
    void start(const ApiClient &client, const QHash<QString, Sandbox> *current, Callback done);
    void cancel();
    bool isRunning() const { return bool(m_done); }

private:
    struct CachedPage
    {
        QByteArray etag;
        QStringList ids;
        std::optional<QString> nextCursor;
    };

    void requestPage(const QString &cursor, bool allowConditional);
    void onPage(const QString &cursor, const ApiResult<SandboxPagePoll> &result);
    void finish(Result result);

    std::optional<ApiClient> m_client;
    const QHash<QString, Sandbox> *m_current = nullptr;
    Callback m_done;
    QPointer<SandboxPollJob> m_job;
    QHash<QString, CachedPage> m_cache; // by the cursor that asked for the page ("" = first)
    QHash<QString, CachedPage> m_seen;  // this load's pages, becoming the cache when it succeeds
    Result m_result;
    bool m_conditional = false;
};

} // namespace banata
