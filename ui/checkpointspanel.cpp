// SPDX-License-Identifier: MIT
#include "checkpointspanel.h"

#include <QAction>
#include <QCheckBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

#include "models/checkpointlistmodel.h"
#include "models/modeltext.h"
#include "session/appsettings.h"
#include "session/checkpointssession.h"
#include "session/sandboxsession.h"
#include "ui/icons.h"
#include "ui/messagebar.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCheckpointsPanel, "banata.ui.checkpoints")

namespace banata {

namespace {

constexpr int kAgeRefreshMs = 30 * 1000;
constexpr int kResultMessageMs = 8000;
constexpr qint64 kMinuteMs = 60 * 1000;

/// "2026-02-26 14:05:09 (3 min ago)": when, and how long ago without doing the sum.
QString createdText(qint64 epochMs)
{
    const qint64 age = QDateTime::currentMSecsSinceEpoch() - epochMs;
    if (age < kMinuteMs)
        return CheckpointsPanel::tr("%1 (just now)").arg(modeltext::dateTimeText(epochMs));
    return CheckpointsPanel::tr("%1 (%2 ago)").arg(modeltext::dateTimeText(epochMs), modeltext::ageText(age));
}

QString checkpointName(const Checkpoint &checkpoint)
{
    return checkpoint.label && !checkpoint.label->isEmpty() ? *checkpoint.label : checkpoint.id;
}

/// The Created column with its age; the model keeps the plain time (sorting, export).
class CreatedDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const qint64 createdAt = index.data(CheckpointListModel::CreatedAtRole).toLongLong();
        if (createdAt > 0)
            option->text = createdText(createdAt);
    }
};

} // namespace

CheckpointsPanel::CheckpointsPanel(SandboxSession *session, AppSettings *settings, QWidget *parent)
    : QWidget(parent)
    , m_settings(settings)
    , m_message(new MessageBar(this))
    , m_loadError(new MessageBar(this))
    , m_label(new QLineEdit(this))
    , m_create(new QPushButton(Icons::icon(Icons::Id::Checkpoint), tr("&Create checkpoint"), this))
    , m_table(new QTableView(this))
    , m_restore(new QPushButton(tr("&Restore…"), this))
    , m_restoreAction(new QAction(tr("&Restore…"), this))
{
    setObjectName(u"checkpointsPanel"_s);
    m_message->setObjectName(u"checkpointsMessage"_s);
    m_loadError->setObjectName(u"checkpointsLoadError"_s);

    m_label->setObjectName(u"checkpointLabelEdit"_s);
    m_label->setPlaceholderText(tr("Label, optional: before the migration"));
    m_label->setClearButtonEnabled(true);
    m_create->setObjectName(u"createCheckpointButton"_s);
    m_create->setToolTip(
        tr("Save the workspace and the browser profile as they are now (Enter in the label)"));
    connect(m_create, &QPushButton::clicked, this, &CheckpointsPanel::createCheckpoint);
    connect(m_label, &QLineEdit::returnPressed, this, &CheckpointsPanel::createCheckpoint);

    m_table->setObjectName(u"checkpointsView"_s);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setItemDelegateForColumn(CheckpointListModel::CreatedColumn, new CreatedDelegate(m_table));
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_table, &QAbstractItemView::doubleClicked, this, &CheckpointsPanel::confirmRestore);

    // Enter on a row restores, like a double-click; the action also makes the context menu.
    m_restoreAction->setObjectName(u"restoreCheckpointAction"_s);
    m_restoreAction->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)});
    m_restoreAction->setShortcutContext(Qt::WidgetShortcut);
    m_table->addAction(m_restoreAction);
    connect(m_restoreAction, &QAction::triggered, this, &CheckpointsPanel::confirmRestore);
    m_restore->setObjectName(u"restoreCheckpointButton"_s);
    connect(m_restore, &QPushButton::clicked, this, &CheckpointsPanel::confirmRestore);

    // Only the age moves with time: repaint that column now and then while shown.
    m_ageTimer.setInterval(kAgeRefreshMs);
    connect(&m_ageTimer, &QTimer::timeout, m_table->viewport(), qOverload<>(&QWidget::update));

    auto *createRow = new QHBoxLayout;
    createRow->setSpacing(4);
    createRow->addWidget(m_label, 1);
    createRow->addWidget(m_create);
    auto *restoreRow = new QHBoxLayout;
    restoreRow->addStretch(1);
    restoreRow->addWidget(m_restore);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_message);
    layout->addWidget(m_loadError);
    layout->addLayout(createRow);
    layout->addWidget(m_table, 1);
    layout->addLayout(restoreRow);

    setSession(session);
}

CheckpointsPanel::~CheckpointsPanel()
{
    // The table shows the session's model: let go of it before either goes.
    m_table->setModel(nullptr);
}

CheckpointsSession *CheckpointsPanel::checkpoints() const
{
    return m_session ? m_session->checkpoints() : nullptr;
}

void CheckpointsPanel::setSession(SandboxSession *session)
{
    if (session == m_session && session)
        return;
    if (CheckpointsSession *old = checkpoints()) {
        disconnect(old, nullptr, this, nullptr);
        old->setActive(false);
    }
    if (m_dialog)
        m_dialog->reject(); // it names a checkpoint of the sandbox that is no longer shown
    m_session = session;
    m_message->dismiss();
    m_loadError->dismiss();
    m_label->clear();
    CheckpointsSession *current = checkpoints();
    m_table->setModel(current ? current->model() : nullptr);
    if (current) {
        QHeaderView *header = m_table->horizontalHeader();
        header->setSectionResizeMode(CheckpointListModel::LabelColumn, QHeaderView::Stretch);
        for (int column : {CheckpointListModel::CreatedColumn, CheckpointListModel::SizeColumn,
                           CheckpointListModel::FilesColumn})
            header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
        connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
                &CheckpointsPanel::updateButtons);
        connect(current->model(), &QAbstractItemModel::rowsRemoved, this, &CheckpointsPanel::updateButtons);
        connect(current->model(), &QAbstractItemModel::modelReset, this, &CheckpointsPanel::updateButtons);
        connect(current, &CheckpointsSession::busyChanged, this, &CheckpointsPanel::updateButtons);
        connect(current, &CheckpointsSession::message, this, [this](const QString &text, bool isError) {
            if (isError)
                m_message->showMessage(text, MessageBar::Error);
            else
                m_message->showMessage(text, MessageBar::Positive, kResultMessageMs);
        });
        connect(current, &CheckpointsSession::loadErrorChanged, this, [this](const QString &error) {
            if (error.isEmpty())
                m_loadError->dismiss();
            else
                m_loadError->showMessage(tr("Could not load the checkpoints: %1").arg(error),
                                         MessageBar::Warning);
        });
        if (isVisible())
            current->setActive(true);
    }
    updateButtons();
}

void CheckpointsPanel::createCheckpoint()
{
    CheckpointsSession *current = checkpoints();
    if (!current || current->isBusy())
        return;
    const QString label = m_label->text().trimmed();
    qCDebug(lcCheckpointsPanel) << "creating a checkpoint of" << m_session->sandboxId();
    m_message->dismiss();
    current->create(label);
    m_label->clear();
}

QDialog *CheckpointsPanel::confirmRestore()
{
    CheckpointsSession *current = checkpoints();
    const QModelIndex index = m_table->currentIndex();
    if (!current || current->isBusy() || !index.isValid())
        return nullptr;
    if (m_dialog) {
        m_dialog->raise();
        m_dialog->activateWindow();
        return m_dialog;
    }
    const auto checkpoint = current->model()->checkpointAt(index.row());
    if (!checkpoint)
        return nullptr;

    auto *dialog = new QDialog(this);
    dialog->setObjectName(u"restoreConfirmDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setWindowTitle(tr("Restore checkpoint"));
    auto *question = new QLabel(
        tr("Restore “%1”, saved %2?").arg(checkpointName(*checkpoint), createdText(checkpoint->createdAt)),
        dialog);
    question->setObjectName(u"restoreConfirmText"_s);
    question->setTextFormat(Qt::PlainText);
    question->setWordWrap(true);
    QFont bold = question->font();
    bold.setBold(true);
    question->setFont(bold);
    auto *explanation =
        new QLabel(tr("The sandbox's workspace and its browser profile are replaced by the checkpoint's. "
                      "Whatever changed since then is lost, unless you save it first."),
                   dialog);
    explanation->setWordWrap(true);
    auto *checkpointFirst = new QCheckBox(tr("&Save the current state as a checkpoint first"), dialog);
    checkpointFirst->setObjectName(u"checkpointFirstCheck"_s);
    checkpointFirst->setChecked(m_settings->checkpointBeforeRestore());
    checkpointFirst->setToolTip(tr("Saved as “Before restoring: %1”, so this restore can be undone")
                                    .arg(checkpointName(*checkpoint)));

    auto *buttons = new QDialogButtonBox(dialog);
    QPushButton *confirm = buttons->addButton(tr("&Restore"), QDialogButtonBox::AcceptRole);
    confirm->setObjectName(u"restoreConfirm"_s);
    QPushButton *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(u"restoreCancel"_s);
    // Replacing a workspace is not a default answer.
    cancel->setDefault(true);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    // The session, not the panel, as the receiver: a sandbox switched meanwhile gets nothing.
    const QString id = checkpoint->id;
    connect(dialog, &QDialog::accepted, current, [this, current, id, checkpointFirst] {
        const bool first = checkpointFirst->isChecked();
        m_settings->setCheckpointBeforeRestore(first);
        m_message->dismiss();
        qCDebug(lcCheckpointsPanel) << "restoring" << id << "checkpoint first:" << first;
        current->restore(id, first);
    });

    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(question);
    layout->addWidget(explanation);
    layout->addSpacing(6);
    layout->addWidget(checkpointFirst);
    layout->addWidget(buttons);
    m_dialog = dialog;
    dialog->open();
    cancel->setFocus();
    return dialog;
}

void CheckpointsPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (CheckpointsSession *current = checkpoints())
        current->setActive(true);
    m_ageTimer.start();
}

void CheckpointsPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    if (CheckpointsSession *current = checkpoints())
        current->setActive(false);
    m_ageTimer.stop();
}

void CheckpointsPanel::updateButtons()
{
    CheckpointsSession *current = checkpoints();
    const bool busy = current && current->isBusy();
    const bool selected = current && m_table->currentIndex().isValid();
    m_create->setEnabled(current && !busy);
    m_label->setEnabled(current != nullptr);
    m_restore->setEnabled(selected && !busy);
    m_restoreAction->setEnabled(selected && !busy);
    m_restore->setToolTip(!current ? tr("No sandbox selected.")
                          : busy   ? tr("A checkpoint is being created or restored…")
                          : !selected
                              ? tr("Select a checkpoint first.")
                              : tr("Replace the workspace and browser profile with the selected checkpoint"));
    m_create->setText(busy ? tr("Working…") : tr("&Create checkpoint"));
}

} // namespace banata
