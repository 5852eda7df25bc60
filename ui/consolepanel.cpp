// SPDX-License-Identifier: MIT
#include "consolepanel.h"

#include "core/lifecycle.h"
#include "session/connection.h"
#include "session/sandboxsession.h"
#include "ui/icons.h"
#include "ui/statestyle.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTextCursor>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcConsole, "banata.ui.console")

namespace banata {

namespace {
constexpr int kMaxHistory = 200;

QTextCharFormat format(const QColor &color = {}, bool bold = false, bool italic = false)
{
    QTextCharFormat f;
    if (color.isValid())
        f.setForeground(color);
    if (bold)
        f.setFontWeight(QFont::Bold);
    f.setFontItalic(italic);
    return f;
}
} // namespace

ConsolePanel::ConsolePanel(QWidget *parent)
    : QWidget(parent)
    , m_disabledReason(new QLabel(this))
    , m_output(new QPlainTextEdit(this))
    , m_command(new QLineEdit(this))
    , m_run(new QPushButton(Icons::icon(Icons::Id::Run), tr("Run"), this))
{
    setObjectName(u"consolePanel"_s);
    m_disabledReason->setObjectName(u"consoleDisabledReason"_s);
    m_disabledReason->setWordWrap(true);
    m_disabledReason->hide();

    m_output->setObjectName(u"consoleOutput"_s);
    m_output->setReadOnly(true);
    m_output->setUndoRedoEnabled(false);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setPlaceholderText(tr("Commands run with sh -c in /workspace. Their output appears here."));

    m_command->setObjectName(u"consoleCommandEdit"_s);
    m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_command->setPlaceholderText(tr("Command (Enter runs it, Up/Down for history)"));
    m_command->installEventFilter(this);
    connect(m_command, &QLineEdit::returnPressed, this, &ConsolePanel::run);

    m_run->setObjectName(u"runCommandButton"_s);
    m_run->setToolTip(tr("Run the command in the sandbox (Enter)"));
    connect(m_run, &QPushButton::clicked, this, &ConsolePanel::run);

    auto *inputRow = new QHBoxLayout;
    inputRow->setSpacing(4);
    inputRow->addWidget(new QLabel(u"$"_s, this));
    inputRow->addWidget(m_command, 1);
    inputRow->addWidget(m_run);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_disabledReason);
    layout->addWidget(m_output, 1);
    layout->addLayout(inputRow);
    updateEnabled();
}

void ConsolePanel::setSession(SandboxSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_output->clear();
    m_entryStart.clear();
    if (m_session) {
        connect(m_session, &SandboxSession::consoleEntryAdded, this, &ConsolePanel::entryAdded);
        connect(m_session, &SandboxSession::consoleEntryChanged, this, &ConsolePanel::entryChanged);
        renderFrom(0);
    }
    updateEnabled();
}

void ConsolePanel::setSandbox(const Sandbox &sandbox)
{
    m_acceptsWork = acceptsWork(sandbox.status);
    m_stateText = StateStyle::label(sandbox.status).toLower();
    updateEnabled();
}

bool ConsolePanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_command || event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const auto *key = static_cast<QKeyEvent *>(event);
    if (key->key() == Qt::Key_Up && !m_history.isEmpty()) {
        if (m_historyIndex < 0) {
            m_draft = m_command->text();
            m_historyIndex = int(m_history.size());
        }
        m_historyIndex = qMax(0, m_historyIndex - 1);
        m_command->setText(m_history.at(m_historyIndex));
        return true;
    }
    if (key->key() == Qt::Key_Down && m_historyIndex >= 0) {
        ++m_historyIndex;
        if (m_historyIndex >= m_history.size()) {
            m_historyIndex = -1;
            m_command->setText(m_draft);
        } else {
            m_command->setText(m_history.at(m_historyIndex));
        }
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void ConsolePanel::run()
{
    const QString command = m_command->text().trimmed();
    if (command.isEmpty() || !m_session || !m_acceptsWork)
        return;
    if (m_history.isEmpty() || m_history.constLast() != command)
        m_history.append(command);
    if (m_history.size() > kMaxHistory)
        m_history.removeFirst();
    m_historyIndex = -1;
    m_draft.clear();
    m_command->clear();
    qCDebug(lcConsole) << "running a command in" << m_session->sandboxId();
    m_session->runCommand(command);
}

void ConsolePanel::entryAdded(int index)
{
    renderFrom(index);
}

void ConsolePanel::entryChanged(int index)
{
    renderFrom(index);
}

void ConsolePanel::renderFrom(int index)
{
    if (!m_session)
        return;
    const QList<ConsoleEntry> &entries = m_session->console();
    index = qBound(0, index, int(m_entryStart.size()));
    QScrollBar *bar = m_output->verticalScrollBar();
    // Follow new output only if the reader was already at the bottom.
    const bool atBottom = bar->value() >= bar->maximum() - 2;
    QTextCursor cursor(m_output->document());
    if (index < m_entryStart.size()) {
        cursor.setPosition(m_entryStart.at(index));
        cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
        cursor.removeSelectedText();
        m_entryStart.resize(index);
    }
    for (int i = index; i < entries.size(); ++i)
        appendEntry(entries.at(i));
    if (atBottom)
        bar->setValue(bar->maximum());
}

void ConsolePanel::appendEntry(const ConsoleEntry &entry)
{
    const bool dark = palette().color(QPalette::Base).lightnessF() < 0.5;
    const QColor red = dark ? QColor(0xff, 0x80, 0x80) : QColor(0xb0, 0x20, 0x20);
    const QColor muted = palette().color(QPalette::PlaceholderText);
    QTextCursor cursor(m_output->document());
    cursor.movePosition(QTextCursor::End);
    m_entryStart.append(cursor.position());
    if (!m_output->document()->isEmpty() && cursor.position() > 0)
        cursor.insertText(u"\n"_s, format());
    cursor.insertText(u"$ "_s + entry.command + u'\n', format(palette().color(QPalette::Link), true));
    auto withNewline = [](const QString &text) { return text.endsWith(u'\n') ? text : text + u'\n'; };
    if (!entry.stdoutText.isEmpty())
        cursor.insertText(withNewline(entry.stdoutText), format());
    if (!entry.stderrText.isEmpty())
        cursor.insertText(withNewline(entry.stderrText), format(red));
    if (entry.running) {
        cursor.insertText(tr("running…"), format(muted, false, true));
    } else if (!entry.error.isEmpty()) {
        cursor.insertText(tr("error: %1").arg(entry.error), format(red, false, true));
    } else {
        //: the end of one console command: its exit code and how long it ran
        cursor.insertText(tr("exit %1 · %2 ms").arg(entry.exitCode).arg(entry.durationMs),
                          format(entry.exitCode == 0 ? muted : red, false, true));
    }
}

void ConsolePanel::updateEnabled()
{
    QString reason;
    if (!m_session)
        reason = tr("No sandbox selected.");
    else if (!m_acceptsWork)
        reason = tr("Commands need a ready or active sandbox; this one is %1.").arg(m_stateText);
    const bool enabled = reason.isEmpty();
    m_command->setEnabled(enabled);
    m_run->setEnabled(enabled);
    m_disabledReason->setText(reason);
    m_disabledReason->setVisible(!enabled && !m_session.isNull());
    m_command->setToolTip(enabled ? QString() : reason);
}

} // namespace banata
