// SPDX-License-Identifier: MIT
#pragma once

#include "core/json.h"
#include "core/sandbox.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace banata {

class MessageBar;
class SandboxSession;

/**
 * The Tasks tab: the sandbox's agent tasks (newest first), the selected one's output, errors
 * and metadata, and a prompt box that sends the agent a new task with optional metadata
 * (a JSON object, checked as it is typed). Refusals show inline.
 */
class TasksPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TasksPanel)

public:
    explicit TasksPanel(QWidget *parent = nullptr);

    void setSession(SandboxSession *session);
    void setSandbox(const Sandbox &sandbox);

    /// Parses the metadata field: an empty field is {}; otherwise it must be a JSON object.
    static Parsed<Json> parseMetadata(const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void send();
    void promptSent(const QString &taskId, const QString &error);
    void showSelectedTask();
    void validate();

    QPointer<SandboxSession> m_session;
    MessageBar *m_message;
    QLabel *m_notice;
    QTableView *m_table;
    QPlainTextEdit *m_output;
    QPlainTextEdit *m_prompt;
    QLineEdit *m_metadata;
    QLabel *m_metadataError;
    QPushButton *m_send;
    QString m_pendingTaskSelection;
    QString m_blockedReason; ///< why prompts cannot be sent now (terminal state)
    bool m_sending = false;
};

} // namespace banata
