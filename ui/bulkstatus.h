// SPDX-License-Identifier: MIT
#pragma once

#include "session/sandboxactions.h"
#include "ui/messagebar.h"

#include <QList>
#include <QPointer>
#include <QWidget>

class QProgressBar;
class QToolButton;

namespace banata {

/// What a finished bulk action says in the message bar: "Paused 4; 1 skipped: Already paused".
struct BulkSummary
{
    QString text;
    QString details; ///< one line per sandbox
    MessageBar::Type type = MessageBar::Positive;
    int autoHideMs = 0;
};

BulkSummary summarizeBulk(SandboxAction action, const QList<BulkItemResult> &results);
/// "Pausing 3 of 5…"
QString bulkProgressText(SandboxAction action, int done, int total);

/// The status bar's progress for running bulk actions: one bar ("Pausing 3 of 5…") and a cancel
/// button, following the newest operation until every one has finished.
class BulkProgressWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BulkProgressWidget)

public:
    explicit BulkProgressWidget(QWidget *parent = nullptr);

    void track(BulkOperation *operation);
    QString text() const;

private:
    void refresh();

    QProgressBar *m_bar;
    QToolButton *m_cancel;
    QList<QPointer<BulkOperation>> m_operations;
};

} // namespace banata
