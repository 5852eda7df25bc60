// SPDX-License-Identifier: MIT
#include "models/workspacesortproxy.h"

#include "models/workspacetreemodel.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
bool isAsciiDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

char16_t folded(QChar c)
{
    const char16_t u = c.unicode();
    if (u < 0x80) // the common case, without the Unicode tables
        return u >= u'A' && u <= u'Z' ? char16_t(u + 32) : u;
    return c.toCaseFolded().unicode();
}

/// Placeholder rows before folders before everything else.
int rank(const FileEntry *entry)
{
    if (!entry)
        return 0;
    return entry->type == FileEntry::Type::Directory ? 1 : 2;
}

template <typename T> int compareValues(const T &a, const T &b)
{
    return a < b ? -1 : (b < a ? 1 : 0);
}
} // namespace

WorkspaceSortProxy::WorkspaceSortProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(WorkspaceTreeModel::SortRole);
    setRecursiveFilteringEnabled(true); // a folder stays while something under it matches
    setAutoAcceptChildRows(true);       // and a matching folder shows what it holds
    setDynamicSortFilter(true);
}

void WorkspaceSortProxy::setSourceModel(QAbstractItemModel *sourceModel)
{
    m_tree = qobject_cast<const WorkspaceTreeModel *>(sourceModel);
    QSortFilterProxyModel::setSourceModel(sourceModel);
}

void WorkspaceSortProxy::setNameFilter(const QString &text)
{
    if (text == m_filter)
        return;
    m_filter = text;
    invalidateFilter();
}

int WorkspaceSortProxy::naturalCompare(QStringView a, QStringView b)
{
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < a.size() && j < b.size()) {
        if (isAsciiDigit(a[i]) && isAsciiDigit(b[j])) {
            qsizetype ai = i;
            qsizetype bj = j;
            while (ai < a.size() && a[ai] == u'0')
                ++ai;
            while (bj < b.size() && b[bj] == u'0')
                ++bj;
            qsizetype aEnd = ai;
            qsizetype bEnd = bj;
            while (aEnd < a.size() && isAsciiDigit(a[aEnd]))
                ++aEnd;
            while (bEnd < b.size() && isAsciiDigit(b[bEnd]))
                ++bEnd;
            // Without leading zeros, the longer run is the larger number.
            if (aEnd - ai != bEnd - bj)
                return aEnd - ai < bEnd - bj ? -1 : 1;
            for (; ai < aEnd; ++ai, ++bj) {
                if (a[ai] != b[bj])
                    return a[ai] < b[bj] ? -1 : 1;
            }
            i = aEnd;
            j = bEnd;
            continue;
        }
        const char16_t ca = folded(a[i]);
        const char16_t cb = folded(b[j]);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        ++i;
        ++j;
    }
    return compareValues(a.size() - i, b.size() - j);
}

bool WorkspaceSortProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (!m_tree)
        return QSortFilterProxyModel::lessThan(left, right);
    const FileEntry *a = m_tree->peekEntry(left);
    const FileEntry *b = m_tree->peekEntry(right);
    const int rankA = rank(a);
    const int rankB = rank(b);
    if (rankA != rankB) {
        // A descending sort asks lessThan(right, left): keep folders first either way.
        return sortOrder() == Qt::AscendingOrder ? rankA < rankB : rankA > rankB;
    }
    if (!a || !b)
        return false;
    int order = 0;
    switch (left.column()) {
    case WorkspaceTreeModel::SizeColumn:
        order = a->type == FileEntry::Type::Directory ? 0 : compareValues(a->size, b->size);
        break;
    case WorkspaceTreeModel::ModifiedColumn:
        order = compareValues(a->mtime, b->mtime);
        break;
    case WorkspaceTreeModel::TypeColumn:
        order = QString::compare(left.data(WorkspaceTreeModel::SortRole).toString(),
                                 right.data(WorkspaceTreeModel::SortRole).toString(), Qt::CaseInsensitive);
        break;
    default:
        break;
    }
    if (order == 0)
        order = naturalCompare(a->name, b->name);
    if (order == 0)
        order = compareValues(a->name, b->name); // "a1" and "A01": still one order, always the same
    return order < 0;
}

bool WorkspaceSortProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_filter.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, WorkspaceTreeModel::NameColumn, sourceParent);
    if (!m_tree)
        return index.data().toString().contains(m_filter, Qt::CaseInsensitive);
    const FileEntry *entry = m_tree->peekEntry(index);
    if (!entry)
        return true; // Loading and Error rows
    return entry->name.contains(m_filter, Qt::CaseInsensitive);
}

} // namespace banata
