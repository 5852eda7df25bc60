// SPDX-License-Identifier: MIT
#include "session/handoffsession.h"

#include <QDateTime>
#include <QLoggingCategory>

#include "core/client/apiclient.h"
#include "models/modeltext.h"
#include "session/connection.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHandoffSession, "banata.session.handoff")

namespace banata {

namespace {
constexpr qsizetype kMaxLabel = 200; // the server's limit for checkpoint labels

QString actionName(HandoffSession::Operation operation)
{
    switch (operation) {
    case HandoffSession::Operation::Accept:
        return u"handoff.accept"_s;
    case HandoffSession::Operation::TakeControl:
        return u"handoff.take-control"_s;
    case HandoffSession::Operation::HandBack:
        return u"handoff.hand-back"_s;
    case HandoffSession::Operation::Cancel:
        return u"handoff.cancel"_s;
    }
    return {};
}

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

HandoffSession::HandoffSession(Connection *connection, QString sandboxId, QString operatorName,
                               Recorder recorder, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_sandboxId(std::move(sandboxId))
    , m_operatorName(std::move(operatorName))
    , m_recorder(std::move(recorder))
{
    if (!m_connection)
        return;
    m_active = m_connection->activeHandoffs().contains(m_sandboxId)
                   ? std::optional(m_connection->activeHandoffs().value(m_sandboxId))
                   : std::nullopt;
    connect(m_connection, &Connection::handoffChanged, this, &HandoffSession::onHandoffChanged);
    // A reload replaces the table wholesale; what ended meanwhile is reported later, by itself.
    connect(m_connection, &Connection::sandboxesReset, this, [this] { onHandoffChanged(m_sandboxId, {}); });
}

HandoffSession::~HandoffSession() = default;

bool HandoffSession::isSupported() const
{
    return m_connection && m_connection->supports(u"handoff"_s);
}

std::optional<Handoff> HandoffSession::active() const
{
    return m_active;
}

HandoffSession::Holder HandoffSession::holder() const
{
    if (!m_active)
        return Holder::Agent;
    if (m_active->status == HandoffStatus::Pending)
        return Holder::Shared;
    return m_active->controller.value_or(QString()) == m_operatorName ? Holder::Me : Holder::OtherOperator;
}

QString HandoffSession::controller() const
{
    return m_active && m_active->status == HandoffStatus::Accepted ? m_active->controller.value_or(QString())
                                                                   : QString();
}

void HandoffSession::onHandoffChanged(const QString &sandboxId, const Handoff &)
{
    if (sandboxId != m_sandboxId || !m_connection)
        return;
    // The connection's table is the truth (newer wins there); the signal's copy may be an ended one.
    const auto it = m_connection->activeHandoffs().constFind(m_sandboxId);
    std::optional<Handoff> current =
        it == m_connection->activeHandoffs().cend() ? std::nullopt : std::optional(*it);
    if (current == m_active)
        return;
    m_active = std::move(current);
    Q_EMIT changed();
}

std::optional<QString> HandoffSession::unavailable() const
{
    if (!m_connection)
        return tr("Its connection was removed");
    if (!m_connection->isStarted())
        return tr("%1 is not connected").arg(m_connection->name());
    if (!m_connection->supports(u"handoff"_s))
        return tr("This server has no human handoff (extension 'handoff')");
    return std::nullopt;
}

bool HandoffSession::begin(Operation operation, const QString &detail, qint64 startedAt)
{
    if (m_busy) {
        qCWarning(lcHandoffSession) << m_sandboxId << "ignored" << operation << "while another action runs";
        return false;
    }
    setBusy(true);
    if (const auto reason = unavailable()) {
        failLater(operation, detail, *reason, startedAt);
        return false;
    }
    return true;
}

void HandoffSession::failLater(Operation operation, const QString &detail, const QString &error,
                               qint64 startedAt)
{
    // Like every job's answer: never from inside the call that asked.
    QMetaObject::invokeMethod(
        this,
        [this, operation, detail, error, startedAt] {
            finish(operation, actionName(operation), detail, error, error, startedAt);
        },
        Qt::QueuedConnection);
}

void HandoffSession::accept(bool checkpointFirst)
{
    const qint64 startedAt = now();
    const std::optional<Handoff> target = m_active;
    QString detail = target ? u"%1: %2"_s.arg(modeltext::handoffReasonText(target->reason),
                                              modeltext::oneLine(target->message, 200))
                            : QString();
    if (checkpointFirst)
        detail += tr(" (checkpoint first)");
    if (!begin(Operation::Accept, detail, startedAt))
        return;
    if (!target) {
        failLater(Operation::Accept, detail, tr("There is no handoff request to accept"), startedAt);
        return;
    }
    if (!checkpointFirst) {
        acceptNow(target->requestId, startedAt, detail, Operation::Accept);
        return;
    }
    QString label = tr("Before handoff: %1").arg(modeltext::handoffReasonText(target->reason));
    if (!target->message.isEmpty())
        label += u" — "_s + modeltext::oneLine(target->message, kMaxLabel);
    CheckpointJob *job =
        m_connection->client().createCheckpoint(m_sandboxId, modeltext::capped(label, kMaxLabel));
    connect(job, &CheckpointJob::finished, this,
            [this, requestId = target->requestId, startedAt, detail](const ApiResult<Checkpoint> &result) {
                if (!result) {
                    const QString error = tr("The checkpoint failed, so the handoff was not accepted: %1")
                                              .arg(result.error().displayText());
                    finish(Operation::Accept, actionName(Operation::Accept), detail, error, error, startedAt);
                    return;
                }
                if (!m_connection || !m_connection->isStarted()) {
                    const QString error = unavailable().value_or(QString());
                    finish(Operation::Accept, actionName(Operation::Accept), detail, error, error, startedAt);
                    return;
                }
                acceptNow(requestId, startedAt, detail, Operation::Accept);
            });
}

void HandoffSession::takeControl(const QString &message)
{
    const qint64 startedAt = now();
    const QString text = message.trimmed().isEmpty() ? tr("The operator took control") : message.trimmed();
    if (!begin(Operation::TakeControl, text, startedAt))
        return;
    if (m_active) {
        // The agent asked already: taking control is accepting its request (and if someone else
        // holds it, the server's refusal says who).
        acceptNow(m_active->requestId, startedAt, text, Operation::TakeControl);
        return;
    }
    HandoffRequest request;
    request.id = m_sandboxId;
    request.reason = u"custom"_s;
    request.message = text;
    request.requestedBy = u"dashboard"_s;
    HandoffJob *job = m_connection->client().requestHandoff(request);
    connect(job, &HandoffJob::finished, this,
            [this, startedAt, text](const ApiResult<HandoffResponse> &result) {
                if (!result) {
                    const QString error = errorText(result.error());
                    if (result.error().httpStatus == 409)
                        refetch();
                    finish(Operation::TakeControl, actionName(Operation::TakeControl), text, error, error,
                           startedAt);
                    return;
                }
                m_ownRequestId = result->handoff.requestId;
                apply(result->handoff);
                if (!m_connection || !m_connection->isStarted()) {
                    const QString error = unavailable().value_or(QString());
                    finish(Operation::TakeControl, actionName(Operation::TakeControl), text, error, error,
                           startedAt);
                    return;
                }
                acceptNow(result->handoff.requestId, startedAt, text, Operation::TakeControl);
            });
}

void HandoffSession::acceptNow(const QString &requestId, qint64 startedAt, const QString &detail,
                               Operation operation)
{
    HandoffJob *job = m_connection->client().acceptHandoff(m_sandboxId, m_operatorName, requestId);
    connect(job, &HandoffJob::finished, this,
            [this, requestId, startedAt, detail, operation](const ApiResult<HandoffResponse> &result) {
                if (result) {
                    apply(result->handoff);
                    finish(operation, actionName(operation), detail, {}, tr("accepted"), startedAt);
                    return;
                }
                const QString error = errorText(result.error());
                if (result.error().httpStatus == 409)
                    refetch(); // someone else was quicker: show who holds it now
                if (requestId == m_ownRequestId && m_connection && m_connection->isStarted() &&
                    result.error().code != u"HANDOFF_ALREADY_ACCEPTED") {
                    // Our own request must not linger in everyone's inbox when we could not take it.
                    HandoffJob *cancel = m_connection->client().cancelHandoff(
                        m_sandboxId, tr("Could not take control"), requestId);
                    connect(cancel, &HandoffJob::finished, this,
                            [this](const ApiResult<HandoffResponse> &cancelled) {
                                if (cancelled)
                                    apply(cancelled->handoff);
                            });
                }
                finish(operation, actionName(operation), detail, error, error, startedAt);
            });
}

void HandoffSession::handBack(const QString &outcome, const QString &note)
{
    const qint64 startedAt = now();
    const QString trimmedNote = note.trimmed();
    const QString detail = trimmedNote.isEmpty() ? outcome : u"%1 — %2"_s.arg(outcome, trimmedNote);
    if (!begin(Operation::HandBack, detail, startedAt))
        return;
    if (!m_active || m_active->status != HandoffStatus::Accepted) {
        failLater(Operation::HandBack, detail, tr("There is no accepted handoff to hand back"), startedAt);
        return;
    }
    HandoffJob *job = m_connection->client().completeHandoff(
        m_sandboxId, outcome, trimmedNote.isEmpty() ? std::nullopt : std::optional(trimmedNote),
        m_active->requestId);
    connect(job, &HandoffJob::finished, this,
            [this, startedAt, detail](const ApiResult<HandoffResponse> &result) {
                if (!result) {
                    const QString error = errorText(result.error());
                    if (result.error().httpStatus == 409)
                        refetch();
                    finish(Operation::HandBack, actionName(Operation::HandBack), detail, error, error,
                           startedAt);
                    return;
                }
                apply(result->handoff);
                finish(Operation::HandBack, actionName(Operation::HandBack), detail, {},
                       tr("completed: %1").arg(result->handoff.outcome.value_or(u"done"_s)), startedAt);
            });
}

void HandoffSession::cancel(const QString &reason)
{
    const qint64 startedAt = now();
    const QString trimmed = reason.trimmed();
    if (!begin(Operation::Cancel, trimmed, startedAt))
        return;
    if (!m_active) {
        failLater(Operation::Cancel, trimmed, tr("There is no handoff to cancel"), startedAt);
        return;
    }
    HandoffJob *job = m_connection->client().cancelHandoff(
        m_sandboxId, trimmed.isEmpty() ? std::nullopt : std::optional(trimmed), m_active->requestId);
    connect(
        job, &HandoffJob::finished, this,
        [this, startedAt, trimmed](const ApiResult<HandoffResponse> &result) {
            if (!result) {
                const QString error = errorText(result.error());
                if (result.error().httpStatus == 409)
                    refetch();
                finish(Operation::Cancel, actionName(Operation::Cancel), trimmed, error, error, startedAt);
                return;
            }
            apply(result->handoff);
            finish(Operation::Cancel, actionName(Operation::Cancel), trimmed, {}, tr("cancelled"), startedAt);
        });
}

void HandoffSession::refetch()
{
    if (!m_connection || !m_connection->isStarted())
        return;
    HandoffJob *job = m_connection->client().handoff(m_sandboxId);
    connect(job, &HandoffJob::finished, this, [this](const ApiResult<HandoffResponse> &result) {
        if (result)
            apply(result->handoff);
    });
}

void HandoffSession::apply(const Handoff &handoff)
{
    if (m_connection) {
        m_connection->applyHandoff(m_sandboxId, handoff); // comes back through handoffChanged
        return;
    }
    std::optional<Handoff> current = isActive(handoff.status) ? std::optional(handoff) : std::nullopt;
    if (current == m_active)
        return;
    m_active = std::move(current);
    Q_EMIT changed();
}

QString HandoffSession::errorText(const ApiError &error) const
{
    if (error.code == u"HANDOFF_ALREADY_ACCEPTED") {
        // The server's message names who holds it; the status code adds nothing for people.
        if (error.message.contains(u"'%1'"_s.arg(m_operatorName)))
            return tr("You have already accepted this handoff");
        return error.message;
    }
    if (error.code == u"HANDOFF_NOT_ACTIVE")
        return tr("This handoff has already ended");
    return error.displayText();
}

void HandoffSession::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void HandoffSession::finish(Operation operation, const QString &action, const QString &detail,
                            const QString &error, const QString &result, qint64 startedAt)
{
    if (!error.isEmpty())
        qCInfo(lcHandoffSession) << m_sandboxId << action << "failed:" << error;
    if (m_recorder)
        m_recorder(action, detail, error.isEmpty(), result, startedAt);
    setBusy(false);
    Q_EMIT operationFinished(operation, error);
}

} // namespace banata
