// SPDX-License-Identifier: MIT
#include "session/checkpointssession.h"

#include <QDateTime>
#include <QLoggingCategory>

#include "core/client/apiclient.h"
#include "core/event.h"
#include "models/modeltext.h"
#include "session/connection.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCheckpointsSession, "banata.session.checkpoints")

namespace banata {

namespace {
constexpr qsizetype kMaxLabel = 200; // the server's limit for checkpoint labels

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// The label, or its time when it has none: how the operator recognises a checkpoint.
QString nameOf(const Checkpoint &checkpoint)
{
    const QString label = checkpoint.label.value_or(QString()).trimmed();
    return label.isEmpty() ? modeltext::dateTimeText(checkpoint.createdAt) : label;
}
} // namespace

CheckpointsSession::CheckpointsSession(Connection *connection, QString sandboxId, ActionRecorder recorder,
                                       QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_sandboxId(std::move(sandboxId))
    , m_recorder(std::move(recorder))
{
    if (m_connection)
        connect(m_connection, &Connection::eventReceived, this, &CheckpointsSession::onEvent);
}

CheckpointsSession::~CheckpointsSession() = default;

void CheckpointsSession::setActive(bool active)
{
    m_active = active;
    if (active && !m_loaded)
        refresh();
}

void CheckpointsSession::refresh()
{
    m_loaded = true;
    if (!m_connection || !m_connection->isStarted()) {
        Q_EMIT loadErrorChanged(m_connection ? tr("%1 is not connected").arg(m_connection->name())
                                             : tr("Its connection was removed"));
        return;
    }
    if (!m_connection->supports(u"checkpoints"_s)) {
        Q_EMIT loadErrorChanged(tr("This server has no checkpoints (extension “checkpoints”)"));
        return;
    }
    CheckpointListJob *job = m_connection->client().checkpoints(m_sandboxId);
    connect(job, &CheckpointListJob::finished, this, [this](const ApiResult<QList<Checkpoint>> &result) {
        if (!result) {
            Q_EMIT loadErrorChanged(
                tr("Could not load the checkpoints: %1").arg(result.error().displayText()));
            return;
        }
        m_model.setCheckpoints(result.value());
        Q_EMIT loadErrorChanged(QString());
    });
}

void CheckpointsSession::onEvent(const Event &event)
{
    if (event.type == QLatin1StringView(kStreamResetEvent)) {
        if (m_loaded)
            refresh();
        return;
    }
    if (event.sandboxId != m_sandboxId || !event.type.startsWith(u"sandbox.checkpoint."_s))
        return;
    const Json *object = modeltext::jsonObject(event.data, "checkpoint");
    if (!object)
        return;
    Parsed<Checkpoint> checkpoint = Checkpoint::fromJson(*object);
    if (!checkpoint) {
        qCWarning(lcCheckpointsSession)
            << "skipped a malformed checkpoint in" << event.type << checkpoint.error();
        return;
    }
    m_model.upsert(checkpoint.value());
}

void CheckpointsSession::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void CheckpointsSession::record(const QString &action, const QString &detail, bool ok, const QString &result)
{
    if (m_recorder)
        m_recorder(action, detail, ok, result, now());
}

void CheckpointsSession::create(const QString &label)
{
    const QString trimmed = modeltext::capped(label.trimmed(), kMaxLabel);
    const auto fail = [this, trimmed](const QString &error) {
        // Like a job's answer: never from inside the call that asked.
        QMetaObject::invokeMethod(
            this,
            [this, trimmed, error] {
                record(u"checkpoint"_s, trimmed, false, error);
                Q_EMIT message(tr("Could not create the checkpoint: %1").arg(error), true);
            },
            Qt::QueuedConnection);
    };
    if (const QString refusal = whyNotNow(); !refusal.isEmpty()) {
        fail(refusal);
        return;
    }
    setBusy(true);
    CheckpointJob *job = m_connection->client().createCheckpoint(
        m_sandboxId, trimmed.isEmpty() ? std::nullopt : std::optional(trimmed));
    connect(job, &CheckpointJob::finished, this, [this, trimmed](const ApiResult<Checkpoint> &result) {
        setBusy(false);
        if (!result) {
            const QString error = result.error().displayText();
            record(u"checkpoint"_s, trimmed, false, error);
            Q_EMIT message(tr("Could not create the checkpoint: %1").arg(error), true);
            return;
        }
        m_model.upsert(result.value());
        // English has no translation file: spell the singular out.
        const QString files = result->fileCount == 1 ? tr("1 file") : tr("%1 files").arg(result->fileCount);
        const QString summary = tr("%1, %2").arg(files, modeltext::sizeText(result->sizeBytes));
        record(u"checkpoint"_s, trimmed, true, summary);
        Q_EMIT message(tr("Checkpoint “%1” created (%2)").arg(nameOf(result.value()), summary), false);
    });
}

QString CheckpointsSession::whyNotNow() const
{
    if (m_busy)
        return tr("Another checkpoint action is running");
    if (!m_connection)
        return tr("Its connection was removed");
    if (!m_connection->isStarted())
        return tr("%1 is not connected").arg(m_connection->name());
    return {};
}

void CheckpointsSession::restore(const QString &checkpointId, bool checkpointFirst)
{
    const std::optional<Checkpoint> target = m_model.checkpointAt(m_model.rowOf(checkpointId));
    const QString label = target ? nameOf(*target) : checkpointId;
    const auto fail = [this, label](const QString &error) {
        QMetaObject::invokeMethod(
            this,
            [this, label, error] {
                record(u"checkpoint.restore"_s, label, false, error);
                Q_EMIT message(tr("Could not restore “%1”: %2").arg(label, error), true);
            },
            Qt::QueuedConnection);
    };
    if (const QString refusal = whyNotNow(); !refusal.isEmpty()) {
        fail(refusal);
        return;
    }
    setBusy(true);
    if (!checkpointFirst) {
        doRestore(checkpointId, label, QString());
        return;
    }
    // The state about to be replaced is kept first, so the restore itself can be undone.
    const QString savedLabel = modeltext::capped(tr("Before restoring: %1").arg(label), kMaxLabel);
    CheckpointJob *job = m_connection->client().createCheckpoint(m_sandboxId, savedLabel);
    connect(job, &CheckpointJob::finished, this,
            [this, checkpointId, label, savedLabel](const ApiResult<Checkpoint> &result) {
                if (!result) {
                    setBusy(false);
                    const QString error = tr("the checkpoint before it failed, so nothing was restored: %1")
                                              .arg(result.error().displayText());
                    record(u"checkpoint.restore"_s, label, false, error);
                    Q_EMIT message(tr("Could not restore “%1”: %2").arg(label, error), true);
                    return;
                }
                m_model.upsert(result.value());
                if (!m_connection || !m_connection->isStarted()) {
                    setBusy(false);
                    const QString error = m_connection ? tr("%1 is not connected").arg(m_connection->name())
                                                       : tr("Its connection was removed");
                    record(u"checkpoint.restore"_s, label, false, error);
                    Q_EMIT message(tr("Could not restore “%1”: %2").arg(label, error), true);
                    return;
                }
                doRestore(checkpointId, label, savedLabel);
            });
}

void CheckpointsSession::doRestore(const QString &checkpointId, const QString &label,
                                   const QString &savedLabel)
{
    RestoreJob *job = m_connection->client().restoreCheckpoint(m_sandboxId, checkpointId);
    connect(
        job, &RestoreJob::finished, this, [this, label, savedLabel](const ApiResult<RestoreResult> &result) {
            setBusy(false);
            if (!result) {
                const QString error = result.error().displayText();
                record(u"checkpoint.restore"_s, label, false, error);
                Q_EMIT message(tr("Could not restore “%1”: %2").arg(label, error), true);
                return;
            }
            if (m_connection)
                m_connection->applySandbox(result->sandbox);
            const QString text =
                savedLabel.isEmpty()
                    ? tr("Restored “%1”").arg(label)
                    : tr("Restored “%1” — the state before is kept as “%2”").arg(label, savedLabel);
            record(u"checkpoint.restore"_s, label, true,
                   savedLabel.isEmpty() ? tr("restored")
                                        : tr("restored; the state before is kept as “%1”").arg(savedLabel));
            Q_EMIT message(text, false);
        });
}

} // namespace banata
