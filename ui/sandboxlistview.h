// SPDX-License-Identifier: MIT
#pragma once

#include "models/sandboxkey.h"

#include <QList>
#include <QWidget>

class QAction;
class QLabel;
class QTreeView;

namespace banata {

class AppSettings;
class ConnectionManager;
class SandboxFilterBar;
class SandboxFilterProxy;
class SandboxListModel;
class StateBadgeDelegate;

/**
 * The sandbox list: filter bar over a sortable, multi-select tree view of every sandbox.
 * Keyboard: arrows, PageUp/Down, Home/End move; Enter opens the detail; typing a letter starts
 * a search; the window's actions (Delete, Ctrl+P, …) act on the selection.
 */
class SandboxListView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxListView)

public:
    SandboxListView(SandboxListModel *model, ConnectionManager *connections, AppSettings *settings,
                    QWidget *parent = nullptr);

    QTreeView *view() const { return m_view; }
    SandboxFilterBar *filterBar() const { return m_filterBar; }
    SandboxFilterProxy *proxy() const { return m_proxy; }

    /// Selected sandboxes in view order.
    QList<SandboxKey> selectedKeys() const;
    SandboxKey currentKey() const;
    /// Makes \a key the current and only selected row, clearing filters that hide it; false when
    /// the list has no such sandbox (yet).
    bool select(const SandboxKey &key);
    void focusList();

    /// Actions offered by the row context menu (the window's lifecycle actions).
    void setContextActions(const QList<QAction *> &actions);

    void restoreHeaderState();
    void saveHeaderState() const;

Q_SIGNALS:
    void currentChanged(const banata::SandboxKey &key);
    void selectionChanged();
    /// Enter or double-click on a row.
    void activated(const banata::SandboxKey &key);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showHeaderMenu(const QPoint &pos);
    void showRowMenu(const QPoint &pos);
    void updateEmptyState();
    void updateAnimation();

    SandboxListModel *m_model;
    AppSettings *m_settings;
    SandboxFilterProxy *m_proxy;
    SandboxFilterBar *m_filterBar;
    QTreeView *m_view;
    StateBadgeDelegate *m_badges;
    QLabel *m_emptyLabel;
    QList<QAction *> m_contextActions;
};

} // namespace banata
