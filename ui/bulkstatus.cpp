// SPDX-License-Identifier: MIT
#include "bulkstatus.h"

#include <QHBoxLayout>
#include <QMap>
#include <QProgressBar>
#include <QStyle>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr int kDetailLines = 50;
constexpr int kSuccessAutoHideMs = 8000;

QString pastTense(SandboxAction action, int n)
{
    switch (action) {
    case SandboxAction::Pause:
        return BulkProgressWidget::tr("Paused %n", nullptr, n);
    case SandboxAction::Resume:
        return BulkProgressWidget::tr("Resumed %n", nullptr, n);
    case SandboxAction::Kill:
        return BulkProgressWidget::tr("Killed %n", nullptr, n);
    case SandboxAction::Checkpoint:
        return BulkProgressWidget::tr("Checkpointed %n", nullptr, n);
    }
    return {};
}

/// "1 skipped: Already paused" when every item shares the reason, else "2 skipped".
QString groupText(const QList<const BulkItemResult *> &items, bool skipped)
{
    const int n = int(items.size());
    QString reason = items.constFirst()->message;
    for (const BulkItemResult *item : items) {
        if (item->message != reason) {
            reason.clear();
            break;
        }
    }
    const QString head = skipped ? BulkProgressWidget::tr("%n skipped", nullptr, n)
                                 : BulkProgressWidget::tr("%n failed", nullptr, n);
    return reason.isEmpty() ? head : BulkProgressWidget::tr("%1: %2").arg(head, reason);
}
} // namespace

QString bulkProgressText(SandboxAction action, int done, int total)
{
    const int current = qMin(done + 1, total);
    switch (action) {
    case SandboxAction::Pause:
        return BulkProgressWidget::tr("Pausing %1 of %2…").arg(current).arg(total);
    case SandboxAction::Resume:
        return BulkProgressWidget::tr("Resuming %1 of %2…").arg(current).arg(total);
    case SandboxAction::Kill:
        return BulkProgressWidget::tr("Killing %1 of %2…").arg(current).arg(total);
    case SandboxAction::Checkpoint:
        return BulkProgressWidget::tr("Checkpointing %1 of %2…").arg(current).arg(total);
    }
    return {};
}

BulkSummary summarizeBulk(SandboxAction action, const QList<BulkItemResult> &results)
{
    QList<const BulkItemResult *> ok;
    QList<const BulkItemResult *> skipped;
    QList<const BulkItemResult *> failed;
    QStringList lines;
    for (const BulkItemResult &result : results) {
        if (result.ok)
            ok.append(&result);
        else if (result.skipped)
            skipped.append(&result);
        else
            failed.append(&result);
        if (lines.size() < kDetailLines) {
            const QString mark = result.ok ? u"✓"_s : result.skipped ? u"–"_s : u"✗"_s;
            lines.append(BulkProgressWidget::tr("%1 %2 — %3").arg(mark, result.label, result.message));
        }
    }
    if (results.size() > kDetailLines)
        lines.append(BulkProgressWidget::tr("… and %n more", nullptr, int(results.size() - kDetailLines)));

    BulkSummary summary;
    if (results.size() == 1) {
        const BulkItemResult &only = results.constFirst();
        if (only.ok)
            summary.text = BulkProgressWidget::tr("%1: %2").arg(only.label, only.message);
        else if (only.skipped)
            summary.text = BulkProgressWidget::tr("%1 skipped: %2").arg(only.label, only.message);
        else
            summary.text = BulkProgressWidget::tr("Could not %1 %2: %3")
                               .arg(actionName(action).toLower(), only.label, only.message);
    } else {
        QStringList parts;
        if (!ok.isEmpty() || (skipped.isEmpty() && failed.isEmpty()))
            parts.append(pastTense(action, int(ok.size())));
        if (!skipped.isEmpty())
            parts.append(groupText(skipped, true));
        if (!failed.isEmpty())
            parts.append(groupText(failed, false));
        summary.text = parts.join(u"; "_s);
        summary.details = lines.join(u'\n');
    }
    summary.type = !failed.isEmpty() ? MessageBar::Error : !skipped.isEmpty() ? MessageBar::Warning : MessageBar::Positive;
    // Good news leaves by itself; anything that needs reading stays until dismissed.
    summary.autoHideMs = summary.type == MessageBar::Positive ? kSuccessAutoHideMs : 0;
    return summary;
}

BulkProgressWidget::BulkProgressWidget(QWidget *parent)
    : QWidget(parent)
    , m_bar(new QProgressBar(this))
    , m_cancel(new QToolButton(this))
{
    setObjectName(u"bulkProgressWidget"_s);
    m_bar->setObjectName(u"bulkProgress"_s);
    m_bar->setTextVisible(true);
    m_bar->setMaximumWidth(260);
    m_bar->setMinimumWidth(180);
    m_cancel->setObjectName(u"bulkCancelButton"_s);
    m_cancel->setAutoRaise(true);
    m_cancel->setIcon(style()->standardIcon(QStyle::SP_DialogCancelButton));
    m_cancel->setToolTip(tr("Stop after the requests already sent"));
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        for (const QPointer<BulkOperation> &operation : std::as_const(m_operations)) {
            if (operation)
                operation->cancel();
        }
    });
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    hide();
}

void BulkProgressWidget::track(BulkOperation *operation)
{
    m_operations.append(operation);
    connect(operation, &BulkOperation::progressChanged, this, &BulkProgressWidget::refresh);
    connect(operation, &BulkOperation::finished, this, [this, operation] {
        m_operations.removeAll(operation);
        refresh();
    });
    refresh();
}

QString BulkProgressWidget::text() const
{
    return isVisible() ? m_bar->format() : QString();
}

void BulkProgressWidget::refresh()
{
    m_operations.removeAll(nullptr);
    if (m_operations.isEmpty()) {
        hide();
        return;
    }
    const BulkOperation *newest = m_operations.constLast();
    m_bar->setRange(0, newest->total());
    m_bar->setValue(newest->done());
    // The format is literal text here: the counts are already in it.
    m_bar->setFormat(bulkProgressText(newest->action(), newest->done(), newest->total()));
    show();
}

} // namespace banata
