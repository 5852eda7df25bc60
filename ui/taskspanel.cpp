// SPDX-License-Identifier: MIT
#include "taskspanel.h"

#include "models/taskmodel.h"
#include "session/connection.h"
#include "session/sandboxsession.h"
#include "ui/icons.h"
#include "ui/messagebar.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextCursor>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTasksPanel, "banata.ui.tasks")

namespace banata {

TasksPanel::TasksPanel(QWidget *parent)
    : QWidget(parent)
    , m_message(new MessageBar(this))
    , m_notice(new QLabel(this))
    , m_table(new QTableView(this))
    , m_output(new QPlainTextEdit(this))
    , m_prompt(new QPlainTextEdit(this))
    , m_metadata(new QLineEdit(this))
    , m_metadataError(new QLabel(this))
    , m_send(new QPushButton(Icons::icon(Icons::Id::Send), tr("Send"), this))
{
    setObjectName(u"tasksPanel"_s);
    m_message->setObjectName(u"tasksMessage"_s);
    m_notice->setObjectName(u"tasksNotice"_s);
    m_notice->setWordWrap(true);
    m_notice->hide();

    m_table->setObjectName(u"taskTable"_s);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(false);

    m_output->setObjectName(u"taskOutput"_s);
    m_output->setReadOnly(true);
    m_output->setUndoRedoEnabled(false);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setPlaceholderText(tr("Select a task to see its output."));

    m_prompt->setObjectName(u"promptEdit"_s);
    m_prompt->setPlaceholderText(tr("Tell the agent what to do… (Ctrl+Enter sends)"));
    m_prompt->setTabChangesFocus(true);
    m_prompt->setMaximumHeight(m_prompt->fontMetrics().lineSpacing() * 4 + 12);
    m_prompt->installEventFilter(this);
    m_metadata->setObjectName(u"promptMetadataEdit"_s);
    m_metadata->setPlaceholderText(tr("Metadata, optional: {\"ticket\": \"OPS-12\"}"));
    m_metadata->setToolTip(tr("A JSON object echoed in the task's events and webhooks"));
    m_metadataError->setObjectName(u"promptMetadataError"_s);
    m_metadataError->setWordWrap(true);
    m_metadataError->setStyleSheet(u"color: #c63333;"_s);
    m_metadataError->hide();
    m_send->setObjectName(u"sendPromptButton"_s);
    m_send->setToolTip(tr("Send the prompt to the sandbox's agent (Ctrl+Enter)"));
    connect(m_send, &QPushButton::clicked, this, &TasksPanel::send);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &TasksPanel::validate);
    connect(m_metadata, &QLineEdit::textChanged, this, &TasksPanel::validate);
    connect(m_metadata, &QLineEdit::returnPressed, this, &TasksPanel::send);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_table);
    splitter->addWidget(m_output);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);

    auto *sendRow = new QHBoxLayout;
    sendRow->setSpacing(4);
    sendRow->addWidget(m_metadata, 1);
    sendRow->addWidget(m_send);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_message);
    layout->addWidget(m_notice);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_prompt);
    layout->addLayout(sendRow);
    layout->addWidget(m_metadataError);
    validate();
}

void TasksPanel::setSession(SandboxSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_sending = false;
    m_pendingTaskSelection.clear();
    m_message->dismiss();
    m_table->setModel(session ? session->tasks() : nullptr);
    m_output->clear();
    if (session) {
        TaskModel *tasks = session->tasks();
        m_table->horizontalHeader()->setSectionResizeMode(TaskModel::PromptColumn, QHeaderView::Stretch);
        connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TasksPanel::showSelectedTask);
        connect(tasks, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
            const int row = m_table->currentIndex().row();
            if (row >= topLeft.row() && row <= bottomRight.row())
                showSelectedTask();
        });
        connect(tasks, &QAbstractItemModel::rowsInserted, this, [this, tasks] {
            if (m_pendingTaskSelection.isEmpty())
                return;
            const int row = tasks->rowOf(m_pendingTaskSelection);
            if (row >= 0) {
                m_pendingTaskSelection.clear();
                m_table->setCurrentIndex(tasks->index(row, 0));
            }
        });
        connect(session, &SandboxSession::promptSent, this, &TasksPanel::promptSent);
        connect(session, &SandboxSession::loadErrorChanged, this, [this](const QString &error) {
            if (error.isEmpty())
                m_message->dismiss();
            else
                m_message->showMessage(error, MessageBar::Warning);
        });
    }
    validate();
}

void TasksPanel::setSandbox(const Sandbox &sandbox)
{
    const bool hasAgent = sandbox.capabilities && sandbox.capabilities->agent && sandbox.capabilities->agent->enabled;
    m_blockedReason = isTerminal(sandbox.status) || sandbox.status == SandboxStatus::Ending
                          ? tr("The sandbox has ended: it takes no more prompts.")
                          : QString();
    // The stronger reason wins: an ended sandbox takes no prompt, agent or not.
    const QString notice = !m_blockedReason.isEmpty() ? m_blockedReason
                           : hasAgent                 ? QString()
                                                      : tr("This sandbox was created without the agent capability; "
                                                           "its server may refuse prompts.");
    m_notice->setText(notice);
    m_notice->setVisible(!notice.isEmpty());
    validate();
}

Parsed<Json> TasksPanel::parseMetadata(const QString &text)
{
    if (text.trimmed().isEmpty())
        return Json::object();
    auto parsed = parseJson(text.toUtf8());
    if (!parsed)
        return Parsed<Json>::failure(tr("Metadata is not valid JSON: %1").arg(parsed.error()));
    if (!parsed->is_object())
        return Parsed<Json>::failure(tr("Metadata must be a JSON object, like {\"ticket\": \"OPS-12\"}"));
    return *parsed;
}

bool TasksPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_prompt && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && (key->modifiers() & Qt::ControlModifier)) {
            send();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void TasksPanel::send()
{
    validate();
    if (!m_send->isEnabled() || !m_session)
        return;
    const auto metadata = parseMetadata(m_metadata->text());
    if (!metadata)
        return;
    m_sending = true;
    m_message->dismiss();
    validate();
    qCDebug(lcTasksPanel) << "sending a prompt to" << m_session->sandboxId();
    m_session->sendPrompt(m_prompt->toPlainText().trimmed(), *metadata);
}

void TasksPanel::promptSent(const QString &taskId, const QString &error)
{
    m_sending = false;
    if (!error.isEmpty()) {
        m_message->showMessage(tr("The agent did not take the prompt: %1").arg(error), MessageBar::Error);
    } else {
        m_prompt->clear();
        m_message->showMessage(tr("Prompt sent."), MessageBar::Positive, 4000);
        const int row = m_session ? m_session->tasks()->rowOf(taskId) : -1;
        if (row >= 0)
            m_table->setCurrentIndex(m_session->tasks()->index(row, 0));
        else
            m_pendingTaskSelection = taskId;
    }
    validate();
}

void TasksPanel::showSelectedTask()
{
    const QModelIndex index = m_table->currentIndex();
    if (!index.isValid()) {
        m_output->clear();
        return;
    }
    const bool dark = palette().color(QPalette::Base).lightnessF() < 0.5;
    QTextCharFormat plain;
    QTextCharFormat heading;
    heading.setFontWeight(QFont::Bold);
    QTextCharFormat error;
    error.setForeground(dark ? QColor(0xff, 0x80, 0x80) : QColor(0xb0, 0x20, 0x20));
    const auto task = index.data(TaskModel::TaskRole).value<AgentTask>();

    m_output->clear();
    QTextCursor cursor(m_output->document());
    cursor.insertText(tr("Prompt") + u'\n', heading);
    cursor.insertText(task.prompt + u"\n\n"_s, plain);
    const QString out = index.data(TaskModel::OutputRole).toString();
    cursor.insertText(tr("Output") + u'\n', heading);
    cursor.insertText((out.isEmpty() ? tr("(none yet)") : out) + u"\n\n"_s, plain);
    if (task.outputTruncated)
        cursor.insertText(tr("(output truncated by the server)") + u"\n\n"_s, plain);
    const QString err = index.data(TaskModel::ErrorOutputRole).toString();
    if (!err.isEmpty()) {
        cursor.insertText(tr("Errors") + u'\n', heading);
        cursor.insertText(err + u"\n\n"_s, error);
    }
    const QString metadata = index.data(TaskModel::MetadataRole).toString();
    if (!metadata.isEmpty() && metadata != u"{}"_s) {
        cursor.insertText(tr("Metadata") + u'\n', heading);
        cursor.insertText(metadata + u'\n', plain);
    }
}

void TasksPanel::validate()
{
    const auto metadata = parseMetadata(m_metadata->text());
    m_metadataError->setText(metadata ? QString() : metadata.error());
    m_metadataError->setVisible(!metadata);
    QString reason;
    if (!m_session)
        reason = tr("No sandbox selected.");
    else if (!m_blockedReason.isEmpty())
        reason = m_blockedReason;
    else if (m_sending)
        reason = tr("Sending…");
    else if (m_prompt->toPlainText().trimmed().isEmpty())
        reason = tr("Write a prompt first.");
    else if (!metadata)
        reason = metadata.error();
    m_send->setEnabled(reason.isEmpty());
    m_send->setToolTip(reason.isEmpty() ? tr("Send the prompt to the sandbox's agent (Ctrl+Enter)") : reason);
    m_prompt->setEnabled(!m_session.isNull() && m_blockedReason.isEmpty());
    m_metadata->setEnabled(!m_session.isNull() && m_blockedReason.isEmpty());
}

} // namespace banata
