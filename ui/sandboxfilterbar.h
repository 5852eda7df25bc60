// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QComboBox;
class QLineEdit;
class QToolButton;

namespace banata {

class AppSettings;
class Connection;
class ConnectionManager;
class SandboxFilterProxy;
class SandboxListModel;
class StateCountsBar;

/**
 * The controls above the sandbox list: text search, state chips with counts, the connection
 * picker (only with more than one connection), "Needs you" and "Hide ended". Everything it does
 * goes through the proxy's typed setters.
 */
class SandboxFilterBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxFilterBar)

public:
    SandboxFilterBar(SandboxFilterProxy *proxy, SandboxListModel *model, ConnectionManager *connections,
                     AppSettings *settings, QWidget *parent = nullptr);

    QLineEdit *searchEdit() const { return m_search; }
    /// Focuses the search field with its text selected (Ctrl+F).
    void focusSearch();
    /// Type-to-search from the list: focuses the field and appends \a text.
    void typeIntoSearch(const QString &text);
    /// Removes every filter but "Hide ended" (a preference, not a filter of the moment).
    void clearFilters();
    /// True when some filter of the moment hides rows.
    bool isFiltering() const;

Q_SIGNALS:
    /// Escape or Down in the search field: the list should take the focus.
    void leaveSearchRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyStateFilter();
    void updateCounts();
    void rebuildConnections();

    SandboxFilterProxy *m_proxy;
    SandboxListModel *m_model;
    ConnectionManager *m_connections;
    AppSettings *m_settings;
    QLineEdit *m_search;
    StateCountsBar *m_counts;
    QComboBox *m_connectionCombo;
    QToolButton *m_needsYou;
    QToolButton *m_hideEnded;
};

} // namespace banata
