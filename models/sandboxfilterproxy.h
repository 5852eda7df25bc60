// SPDX-License-Identifier: MIT
#pragma once

#include "core/sandbox.h"

#include <QSet>
#include <QSortFilterProxyModel>

namespace banata {

class SandboxListModel;

/// The list as the operator filtered and sorted it; typed filters only. Sorts by SortRole.
class SandboxFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxFilterProxy)

public:
    explicit SandboxFilterProxy(QObject *parent = nullptr);

    /// Case-insensitive substring of name, id, connection, region or a metadata value; words
    /// separated by spaces must all match.
    void setTextFilter(const QString &text);
    QString textFilter() const { return m_filter.text.join(u' '); }
    /// Only these states; empty: all.
    void setStateFilter(const QSet<SandboxStatus> &states);
    QSet<SandboxStatus> stateFilter() const { return m_filter.states; }
    /// Only this connection; empty: all.
    void setConnectionFilter(const QString &connectionId);
    QString connectionFilter() const { return m_filter.connectionId; }
    /// Only sandboxes with a pending handoff.
    void setNeedsYouOnly(bool on);
    bool needsYouOnly() const { return m_filter.needsYouOnly; }

    /// A SandboxListModel source is read directly (much faster on big lists); any other model
    /// through the SandboxListModel roles.
    void setSourceModel(QAbstractItemModel *sourceModel) override;

Q_SIGNALS:
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    /// What a row must match; the old and new one are compared to pick how to refilter.
    struct Filter
    {
        QStringList text; // lower-case words
        QSet<SandboxStatus> states;
        QString connectionId;
        bool needsYouOnly = false;
        friend bool operator==(const Filter &, const Filter &) = default;
    };

    void apply(Filter next);
    bool accepts(const Filter &filter, int sourceRow, const QModelIndex &sourceParent) const;
    bool lessThanByRoles(const QModelIndex &left, const QModelIndex &right) const;

    const SandboxListModel *m_list = nullptr; // the source when it is one
    Filter m_filter;
    // While apply() refilters: each row's verdict under the new filter, worked out once (the rows
    // are read once per keystroke, not again by QSortFilterProxyModel).
    QList<bool> m_verdicts;
    bool m_useVerdicts = false;
};

} // namespace banata
