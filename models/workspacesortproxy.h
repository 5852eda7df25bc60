// SPDX-License-Identifier: MIT
#pragma once

#include <QSortFilterProxyModel>

namespace banata {

class WorkspaceTreeModel;

/**
 * Sorts the workspace tree with folders first (then by the column: name naturally and
 * case-insensitively, size, modified time, type) and filters it by a name fragment: a folder
 * stays visible while anything loaded under it matches, the contents of a matching folder stay
 * visible, and Loading / Error rows always stay (first, in either order).
 */
class WorkspaceSortProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkspaceSortProxy)

public:
    explicit WorkspaceSortProxy(QObject *parent = nullptr);

    /// Case-insensitive substring of the name; empty shows everything.
    void setNameFilter(const QString &text);
    QString nameFilter() const { return m_filter; }
    void setSourceModel(QAbstractItemModel *sourceModel) override;

    /// Case-insensitive comparison with digit runs compared by value: "file2" < "File10".
    static int naturalCompare(QStringView a, QStringView b);

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_filter;
    const WorkspaceTreeModel *m_tree = nullptr; // the source when it is one: entries without QVariants
};

} // namespace banata
