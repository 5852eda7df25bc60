// SPDX-License-Identifier: MIT
#pragma once

#include "models/sandboxkey.h"

#include <QWidget>

class QTableView;
class QToolButton;

namespace banata {

class AppSettings;
class HandoffInboxModel;

/**
 * The "Needs you" inbox above the list: every pending handoff, oldest first, urgent ones (about
 * to expire) highlighted. Hidden while empty; its title carries the count and folds the table.
 */
class InboxView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxView)

public:
    InboxView(HandoffInboxModel *inbox, AppSettings *settings, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    int count() const;
    /// Unfolds and focuses the table (Ctrl+1); false when the inbox is empty.
    bool focusTable();

    void restoreHeaderState();
    void saveHeaderState() const;

Q_SIGNALS:
    /// Enter or double-click on a row.
    void openRequested(const banata::SandboxKey &key);
    /// The inbox became empty or non-empty (the window may resize its splitter).
    void emptyChanged(bool empty);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateTitle();
    void openRow(int row);

    HandoffInboxModel *m_inbox;
    AppSettings *m_settings;
    QToolButton *m_title;
    QTableView *m_table;
    bool m_wasEmpty = true;
};

} // namespace banata
