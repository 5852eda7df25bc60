// SPDX-License-Identifier: MIT
#pragma once

#include "core/sandbox.h"

#include <QPointer>
#include <QStringList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace banata {

class SandboxSession;
struct ConsoleEntry;

/**
 * The Console tab: run a shell command in the sandbox and read what came back. Each command
 * shows with its stdout, its stderr in red and "exit N · 12 ms". Up/Down walk the history.
 * Disabled, with the reason, while the sandbox's state does not accept work.
 */
class ConsolePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsolePanel)

public:
    explicit ConsolePanel(QWidget *parent = nullptr);

    /// Shows \a session's console (null: none); its entries are replayed.
    void setSession(SandboxSession *session);
    void setSandbox(const Sandbox &sandbox);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void run();
    void entryAdded(int index);
    void entryChanged(int index);
    void renderFrom(int index);
    void appendEntry(const ConsoleEntry &entry);
    void updateEnabled();

    QPointer<SandboxSession> m_session;
    QLabel *m_disabledReason;
    QPlainTextEdit *m_output;
    QLineEdit *m_command;
    QPushButton *m_run;
    QList<int> m_entryStart; ///< document position where each entry's text begins
    QStringList m_history;
    int m_historyIndex = -1; ///< -1: editing a new line
    QString m_draft;
    bool m_acceptsWork = false;
    QString m_stateText;
};

} // namespace banata
