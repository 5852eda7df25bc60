// SPDX-License-Identifier: MIT
#pragma once

#include "core/exec.h"
#include "models/sandboxkey.h"
#include "models/taskmodel.h"
#include "models/timelinemodel.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

#include <memory>

namespace banata {

class BrowserSession;
class CheckpointsSession;
class Connection;
class FilesSession;
class HandoffSession;
class OperatorJournal;

/// One command run from the Console tab and what came of it.
struct ConsoleEntry
{
    QString command;
    qint64 startedAt = 0;
    bool running = true;
    bool ok = false;          ///< the request succeeded (the command may still have failed)
    QString stdoutText;
    QString stderrText;
    int exitCode = -1;
    qint64 durationMs = 0;
    QString error;            ///< when the request itself failed (not ready, timeout, …)
};

/**
 * What the detail pane of one sandbox works with: its tasks, its timeline, its console, its live
 * browser, its handoff loop, its files and its checkpoints. It loads history when created (tasks, handoffs, checkpoints, the
 * event history where the server has it) and then follows the connection's live events for this
 * sandbox only. Handoff actions are recorded in the journal like every other operator action.
 */
class SandboxSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxSession)

public:
    SandboxSession(Connection *connection, QString sandboxId, OperatorJournal *journal,
                   QString operatorName, QObject *parent = nullptr);
    ~SandboxSession() override;

    SandboxKey key() const;
    Connection *connection() const;
    QString sandboxId() const { return m_sandboxId; }

    TaskModel *tasks() { return &m_tasks; }
    TimelineModel *timeline() { return &m_timeline; }
    const QList<ConsoleEntry> &console() const { return m_console; }
    /// The Browser tab's session (inactive until the tab is shown).
    BrowserSession *browser() const { return m_browser.get(); }
    /// Accept / take control / hand back / cancel, as operatorName().
    HandoffSession *handoff() const { return m_handoff.get(); }
    /// The Files tab's session (nothing is fetched until it is activated).
    FilesSession *files() const { return m_files.get(); }
    /// The Checkpoints tab's session; create and restore are recorded like every operator action.
    CheckpointsSession *checkpoints() const { return m_checkpoints.get(); }
    QString operatorName() const { return m_operatorName; }

    /// Reloads tasks and history.
    void refresh();
    /// Runs \a command with `sh -c` (exec); the result arrives as consoleEntryChanged.
    void runCommand(const QString &command, int timeoutMs = 60000);
    /// Sends the agent a prompt (promptAsync) with \a metadata (a JSON object, may be empty).
    void sendPrompt(const QString &prompt, const Json &metadata);

Q_SIGNALS:
    void consoleEntryAdded(int index);
    void consoleEntryChanged(int index);
    /// Sending a prompt ended: \a error empty on success (the task then appears in tasks()).
    void promptSent(const QString &taskId, const QString &error);
    /// Loading tasks or history failed (shown inline in the tab); empty when it recovered.
    void loadErrorChanged(const QString &error);

private:
    void loadHistory(std::optional<qint64> before, int pagesLeft, int generation);
    void onEvent(const Event &event);
    void addLoadError(const QString &error);
    void record(const QString &action, const QString &detail, bool ok, const QString &result, qint64 timestamp);

    QPointer<Connection> m_connection;
    QString m_connectionId; // kept: the key stays valid after the connection is gone
    QString m_sandboxId;
    QPointer<OperatorJournal> m_journal;
    QString m_operatorName;
    TaskModel m_tasks;
    TimelineModel m_timeline;
    QList<ConsoleEntry> m_console;
    QHash<QString, AgentTask> m_liveTasks; // seen by event since the last refresh
    QStringList m_loadErrors;
    QString m_loadError;
    int m_generation = 0; // answers of an older refresh are dropped
    // Last: they go first, while what their callbacks touch still exists.
    std::unique_ptr<BrowserSession> m_browser;
    std::unique_ptr<HandoffSession> m_handoff;
    std::unique_ptr<FilesSession> m_files;
    std::unique_ptr<CheckpointsSession> m_checkpoints;
};

} // namespace banata
