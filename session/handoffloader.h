// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apiclient.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <optional>

namespace banata {

/**
 * Finds the active (pending or accepted) handoffs of a server for ConnectionSync: in one request
 * where the server lists them (`handoff.list`), else by asking each live sandbox, at most
 * kMaxInFlight at a time. A sandbox that has none (404) is simply skipped.
 */
class HandoffLoader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandoffLoader)

public:
    struct Result
    {
        QHash<QString, Handoff> active; ///< by sandbox id
        QString error;                  ///< a failure to mention; what did load is still valid
    };
    using Callback = std::function<void(Result)>;

    static constexpr int kMaxInFlight = 4;

    explicit HandoffLoader(QObject *parent = nullptr);
    ~HandoffLoader() override;

    /// \a sandboxIds: the sandboxes to ask one by one when \a listRoute is false (or missing).
    /// \a done is called once, unless cancel() or a new start() comes first.
    void start(const ApiClient &client, bool listRoute, QStringList sandboxIds, Callback done);
    void cancel();
    bool isRunning() const { return bool(m_done); }

private:
    void onList(const ApiResult<QList<PendingHandoff>> &result);
    void startPerSandbox();
    void startNext();
    void onOne(const QString &sandboxId, const ApiResult<HandoffResponse> &result);
    void finish();

    std::optional<ApiClient> m_client;
    Callback m_done;
    QPointer<PendingHandoffListJob> m_listJob;
    QList<QPointer<HandoffJob>> m_jobs;
    QStringList m_ids;
    qsizetype m_next = 0;
    int m_inFlight = 0;
    int m_failures = 0;
    Result m_result;
};

} // namespace banata
