// SPDX-License-Identifier: MIT
#include "sandboxactionset.h"

#include "models/sandboxlistmodel.h"
#include "session/appsettings.h"
#include "session/connectionmanager.h"
#include "ui/confirm.h"
#include "ui/icons.h"

#include <QAction>
#include <QLoggingCategory>
#include <QWidget>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSandboxActions, "banata.ui.actions")

namespace banata {

namespace {
struct ActionSpec
{
    SandboxAction action;
    const char *objectName;
    Icons::Id icon;
    QKeySequence shortcut;
};

const std::array<ActionSpec, 4> &specs()
{
    static const std::array<ActionSpec, 4> table = {{
        {SandboxAction::Pause, "pauseAction", Icons::Id::Pause, QKeySequence(Qt::CTRL | Qt::Key_P)},
        {SandboxAction::Resume, "resumeAction", Icons::Id::Resume, QKeySequence(Qt::CTRL | Qt::Key_R)},
        {SandboxAction::Kill, "killAction", Icons::Id::Kill, QKeySequence(Qt::Key_Delete)},
        {SandboxAction::Checkpoint, "checkpointAction", Icons::Id::Checkpoint, QKeySequence(Qt::CTRL | Qt::Key_K)},
    }};
    return table;
}
} // namespace

SandboxActionSet::SandboxActionSet(ConnectionManager *connections, SandboxListModel *sandboxes,
                                   OperatorJournal *journal, AppSettings *settings, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_connections(connections)
    , m_sandboxes(sandboxes)
    , m_journal(journal)
    , m_settings(settings)
    , m_dialogParent(dialogParent)
{
    for (const ActionSpec &spec : specs()) {
        auto *qaction = new QAction(Icons::icon(spec.icon), actionName(spec.action) + (spec.action == SandboxAction::Kill ? u"…"_s : QString()), this);
        qaction->setObjectName(QString::fromLatin1(spec.objectName));
        qaction->setShortcut(spec.shortcut);
        const SandboxAction which = spec.action;
        connect(qaction, &QAction::triggered, this, [this, which] { run(which); });
        m_actions[size_t(spec.action)] = qaction;
    }
    m_update.setSingleShot(true);
    m_update.setInterval(0);
    connect(&m_update, &QTimer::timeout, this, &SandboxActionSet::updateAvailability);
    updateAvailability();
}

QList<QAction *> SandboxActionSet::actions() const
{
    return {m_actions.begin(), m_actions.end()};
}

void SandboxActionSet::setSelection(const QList<SandboxKey> &keys)
{
    m_selection = keys;
    updateAvailability();
}

void SandboxActionSet::scheduleUpdate()
{
    if (!m_update.isActive())
        m_update.start();
}

void SandboxActionSet::run(SandboxAction action)
{
    const QList<SandboxKey> keys = m_selection;
    if (keys.isEmpty() || !m_actions[size_t(action)]->isEnabled())
        return;
    if (action != SandboxAction::Kill) {
        start(action, keys);
        return;
    }
    QStringList labels;
    QStringList skipped;
    for (const SandboxKey &key : keys) {
        const int row = m_sandboxes->rowOf(key);
        const Sandbox *sandbox = row >= 0 ? m_sandboxes->sandboxAt(row) : nullptr;
        const ActionAvailability availability =
            sandbox ? banata::actionAvailability(action, *sandbox, m_connections->connection(key.connectionId))
                    : ActionAvailability{false, tr("No longer listed")};
        if (availability.enabled)
            labels.append(labelOf(key));
        else
            skipped.append(tr("%1 — %2").arg(labelOf(key), availability.reason));
    }
    if (labels.isEmpty())
        return;
    confirmKill(m_dialogParent, labels, skipped, this, [this, keys] { start(SandboxAction::Kill, keys); });
}

void SandboxActionSet::updateAvailability()
{
    for (const ActionSpec &spec : specs()) {
        QAction *qaction = m_actions[size_t(spec.action)];
        ActionAvailability availability;
        if (m_selection.isEmpty())
            availability = {false, tr("Select a sandbox first")};
        else
            availability = banata::actionAvailability(spec.action, m_selection, *m_connections);
        qaction->setEnabled(availability.enabled);
        const QString tip = availability.enabled ? enabledTip(spec.action) : availability.reason;
        qaction->setToolTip(tip);
        qaction->setStatusTip(tip);
    }
}

void SandboxActionSet::start(SandboxAction action, const QList<SandboxKey> &keys)
{
    qCDebug(lcSandboxActions) << "starting" << actionName(action) << "on" << keys.size() << "sandboxes";
    auto *operation = new BulkOperation(action, keys, m_connections, m_journal, m_settings->operatorName(), this);
    connect(operation, &BulkOperation::finished, this, [this, operation] {
        Q_EMIT operationFinished(operation);
        operation->deleteLater();
        scheduleUpdate();
    });
    Q_EMIT operationStarted(operation);
    operation->start();
}

QString SandboxActionSet::labelOf(const SandboxKey &key) const
{
    const int row = m_sandboxes->rowOf(key);
    const Sandbox *sandbox = row >= 0 ? m_sandboxes->sandboxAt(row) : nullptr;
    if (sandbox && sandbox->name && !sandbox->name->isEmpty())
        return *sandbox->name;
    return key.sandboxId;
}

QString SandboxActionSet::enabledTip(SandboxAction action) const
{
    const QString shortcut = m_actions[size_t(action)]->shortcut().toString(QKeySequence::NativeText);
    // One sandbox or several: two source texts, as English has no "(s)" that reads well.
    const int n = int(m_selection.size());
    switch (action) {
    case SandboxAction::Pause:
        return (n == 1 ? tr("Pause the sandbox: every process stops until resumed (%1)")
                       : tr("Pause %n sandboxes: every process stops until resumed (%1)", nullptr, n))
            .arg(shortcut);
    case SandboxAction::Resume:
        return (n == 1 ? tr("Resume the sandbox where it stopped (%1)")
                       : tr("Resume %n sandboxes where they stopped (%1)", nullptr, n))
            .arg(shortcut);
    case SandboxAction::Kill:
        return (n == 1 ? tr("Kill the sandbox, after confirmation (%1)")
                       : tr("Kill %n sandboxes, after confirmation (%1)", nullptr, n))
            .arg(shortcut);
    case SandboxAction::Checkpoint:
        return (n == 1 ? tr("Checkpoint the sandbox: save its workspace as it is now (%1)")
                       : tr("Checkpoint %n sandboxes: save their workspaces as they are now (%1)", nullptr, n))
            .arg(shortcut);
    }
    return {};
}

} // namespace banata
