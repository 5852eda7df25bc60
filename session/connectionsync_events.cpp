// SPDX-License-Identifier: MIT
// ConnectionSync, part two: the event stream and how its events change the Connection's state.
#include "session/connectionsync.h"

#include "session/connection.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSyncEvents, "banata.session.sync.events")

namespace banata {

namespace {
/// The \a key member of an event's data as a wire type; nullopt when absent (not an error) or
/// malformed (then \a error says why).
template <typename T>
std::optional<T> member(const Json &data, const char *key, QString *error)
{
    if (!data.is_object())
        return std::nullopt;
    const auto it = data.find(key);
    if (it == data.end() || it->is_null())
        return std::nullopt;
    Parsed<T> parsed = T::fromJson(*it);
    if (!parsed) {
        *error = parsed.error();
        return std::nullopt;
    }
    return std::move(parsed).value();
}
} // namespace

bool ConnectionSync::streaming() const
{
    return m_connection->supports(u"events"_s);
}

void ConnectionSync::ensureStream()
{
    if (m_stream)
        return;
    m_stream = m_connection->client().createEventStream(this);
    connect(m_stream, &EventStream::connectionStateChanged, this, &ConnectionSync::onStreamState);
    connect(m_stream, &EventStream::eventReceived, this, &ConnectionSync::onEvent);
    connect(m_stream, &EventStream::resetRequired, this, [this] {
        qCInfo(lcSyncEvents) << m_connection->id() << "the server asked for a full refetch";
        m_forceReload = true;
        if (m_phase == Phase::Live || m_phase == Phase::Loading)
            startLoad();
    });
    connect(m_stream, &EventStream::protocolError, this, [this](const QString &message) {
        qCWarning(lcSyncEvents) << m_connection->id() << message; // the details are for the log
        addNote(tr("Skipped a malformed event from the server"));
    });
}

void ConnectionSync::onStreamState(EventStream::State state, const QString &reason)
{
    if (state == EventStream::State::Connecting)
        return;
    if (state == EventStream::State::Connected) {
        m_streamReason.clear();
        switch (m_phase) {
        case Phase::Down:
            begin(); // the server is back: no need to wait for the retry timer
            return;
        case Phase::Health:
            return; // afterHealth() sees the stream connected
        case Phase::WaitStream:
            startLoad();
            return;
        case Phase::Loading:
            // A load begun while the stream was away may predate changes the stream cannot replay.
            if (m_stream->lastSeq() < 0)
                startLoad();
            return;
        case Phase::Live:
            if (m_stream->lastSeq() < 0) {
                // Nothing to resume from: whatever happened while it was away is only in the list.
                m_forceReload = true;
                startLoad();
                return;
            }
            m_connection->setStatus(Connection::Status::Online, liveText());
            return;
        }
        return;
    }
    m_streamReason = reason.isEmpty() ? tr("connection lost") : reason;
    switch (m_phase) {
    case Phase::Live:
        m_connection->setStatus(Connection::Status::Reconnecting,
                                tr("Event stream lost (%1) — reconnecting…").arg(m_streamReason));
        probeHealth(); // a server that is gone altogether is Down, with a countdown
        return;
    case Phase::WaitStream:
        // Show the list meanwhile; it is read again once the stream listens.
        m_connection->setStatus(Connection::Status::Connecting,
                                tr("Waiting for the event stream (%1)…").arg(m_streamReason));
        startLoad();
        return;
    case Phase::Health:
    case Phase::Loading:
    case Phase::Down:
        return;
    }
}

void ConnectionSync::onEvent(const Event &event)
{
    QString error;
    if (event.type.startsWith(u"sandbox."_s)) {
        if (auto sandbox = member<Sandbox>(event.data, "sandbox", &error))
            m_connection->applySandbox(*sandbox);
        if (event.type.startsWith(u"sandbox.handoff."_s)) {
            if (auto handoff = member<Handoff>(event.data, "handoff", &error); handoff && !event.sandboxId.isEmpty())
                m_connection->applyHandoff(event.sandboxId, *handoff);
        } else if (event.type.startsWith(u"sandbox.agent.task."_s)) {
            if (auto task = member<AgentTask>(event.data, "task", &error)) {
                if (task->sandboxId.isEmpty())
                    task->sandboxId = event.sandboxId;
                if (!task->sandboxId.isEmpty())
                    applyTask(*task);
            }
        }
    }
    if (!error.isEmpty()) {
        qCWarning(lcSyncEvents) << "malformed" << event.type << "event" << event.seq << error;
        addNote(tr("Skipped a malformed event from the server (%1)").arg(error));
    }
    Q_EMIT m_connection->eventReceived(event);
}

void ConnectionSync::noteHandoff(const QString &sandboxId, const Handoff &handoff)
{
    if (!m_handoffs.isRunning())
        return;
    const auto seen = m_handoffOverlay.constFind(sandboxId);
    if (seen == m_handoffOverlay.cend() || seen->updatedAt <= handoff.updatedAt)
        m_handoffOverlay.insert(sandboxId, handoff);
}

void ConnectionSync::applyTask(const AgentTask &task)
{
    QHash<QString, AgentTask> &current = m_connection->m_currentTasks;
    const auto it = current.constFind(task.sandboxId);
    if (isFinished(task.status)) {
        if (it != current.cend() && it->taskId == task.taskId)
            current.remove(task.sandboxId);
    } else if (it == current.cend() || it->taskId == task.taskId
               || (it->status == TaskStatus::Queued && task.status == TaskStatus::Running)
               || (it->status == task.status && it->createdAt <= task.createdAt)) {
        // The running task is the one to show; among equals, the newest.
        current.insert(task.sandboxId, task);
    }
    Q_EMIT m_connection->taskChanged(task);
}

void ConnectionSync::addNote(const QString &note)
{
    m_note = note;
    const Connection::Status status = m_connection->status();
    if (status == Connection::Status::Online || status == Connection::Status::Polling)
        m_connection->setStatus(status, liveText());
}

QString ConnectionSync::liveText() const
{
    QStringList parts;
    if (m_truncated)
        parts.append(tr("Showing the first %L1 sandboxes; the server has more").arg(SandboxListLoader::kMaxSandboxes));
    if (!m_note.isEmpty())
        parts.append(m_note);
    return parts.join(u"; "_s);
}

} // namespace banata
