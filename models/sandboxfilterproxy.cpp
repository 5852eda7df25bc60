// SPDX-License-Identifier: MIT
#include "models/sandboxfilterproxy.h"

#include "models/sandboxlistmodel.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace banata {

Q_LOGGING_CATEGORY(lcFilterProxy, "banata.models.filterproxy")

namespace {
/// Hostile input (a pasted novel) must not make every row check thousands of words.
constexpr qsizetype kMaxWords = 16;
constexpr qsizetype kMaxWordChars = 256;
/// Up to this many rows appearing or disappearing are announced row by row; past it one layout
/// change is far cheaper (QSortFilterProxyModel pays for every removed range separately).
constexpr int kPreciseChangeLimit = 64;

/// Negative, zero or positive like strcmp; numbers as numbers, texts as texts.
int compareValues(const QVariant &a, const QVariant &b)
{
    const int ta = a.typeId();
    const int tb = b.typeId();
    if (ta == QMetaType::QString && tb == QMetaType::QString)
        return QString::compare(*static_cast<const QString *>(a.constData()), *static_cast<const QString *>(b.constData()));
    const auto isNumber = [](int type) {
        return type == QMetaType::Int || type == QMetaType::LongLong || type == QMetaType::Bool ||
            type == QMetaType::UInt || type == QMetaType::ULongLong;
    };
    if (isNumber(ta) && isNumber(tb)) {
        const qint64 x = a.toLongLong();
        const qint64 y = b.toLongLong();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    // Anything else (an invalid value sorts first).
    if (!a.isValid() || !b.isValid())
        return int(a.isValid()) - int(b.isValid());
    const QPartialOrdering order = QVariant::compare(a, b);
    return order == QPartialOrdering::Less ? -1 : order == QPartialOrdering::Greater ? 1 : 0;
}
} // namespace

SandboxFilterProxy::SandboxFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setSortRole(SandboxListModel::SortRole);
}

void SandboxFilterProxy::setTextFilter(const QString &text)
{
    // Any white space separates words; repeated words add nothing.
    Filter next = m_filter;
    next.text.clear();
    const QStringList words = text.toLower().simplified().split(u' ', Qt::SkipEmptyParts);
    for (const QString &word : words) {
        if (next.text.size() < kMaxWords && !next.text.contains(word.left(kMaxWordChars)))
            next.text.append(word.left(kMaxWordChars));
    }
    apply(std::move(next));
}

void SandboxFilterProxy::setStateFilter(const QSet<SandboxStatus> &states)
{
    Filter next = m_filter;
    next.states = states;
    apply(std::move(next));
}

void SandboxFilterProxy::setConnectionFilter(const QString &connectionId)
{
    Filter next = m_filter;
    next.connectionId = connectionId;
    apply(std::move(next));
}

void SandboxFilterProxy::setNeedsYouOnly(bool on)
{
    Filter next = m_filter;
    next.needsYouOnly = on;
    apply(std::move(next));
}

void SandboxFilterProxy::apply(Filter next)
{
    if (next == m_filter)
        return;
    if (!m_list) {
        m_filter = std::move(next);
        invalidateRowsFilter();
        Q_EMIT filterChanged();
        return;
    }

    // Which rows come or go: shown now (the proxy's mapping, made with the old filter if it was
    // not made yet) against the new verdict, read from the list once.
    const int rows = m_list->rowCount();
    QList<bool> shown(rows);
    for (int row = 0; row < rows; ++row)
        shown[row] = mapFromSource(m_list->index(row, 0)).isValid();
    m_filter = std::move(next);
    m_verdicts.resize(rows);
    int changed = 0;
    for (int row = 0; row < rows; ++row) {
        m_verdicts[row] = accepts(m_filter, row, {});
        changed += m_verdicts[row] != shown[row];
    }

    m_useVerdicts = true;
    if (changed > kPreciseChangeLimit) {
        qCDebug(lcFilterProxy) << changed << "rows come or go: one layout change";
        invalidate(); // persistent indexes (selection, current) survive; hidden rows drop out
        rowCount();   // rebuild the mapping now, from the verdicts, rather than on the view's next ask
    } else {
        invalidateRowsFilter();
    }
    m_useVerdicts = false;
    m_verdicts.clear();
    Q_EMIT filterChanged();
}

void SandboxFilterProxy::setSourceModel(QAbstractItemModel *sourceModel)
{
    m_list = qobject_cast<const SandboxListModel *>(sourceModel);
    QSortFilterProxyModel::setSourceModel(sourceModel);
}

bool SandboxFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_useVerdicts && sourceRow < m_verdicts.size())
        return m_verdicts.at(sourceRow);
    return accepts(m_filter, sourceRow, sourceParent);
}

bool SandboxFilterProxy::accepts(const Filter &filter, int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_list) {
        const Sandbox *sandbox = m_list->sandboxAt(sourceRow);
        if (!sandbox)
            return false;
        if (!filter.connectionId.isEmpty() && m_list->keyAt(sourceRow).connectionId != filter.connectionId)
            return false;
        if (!filter.states.isEmpty() && !filter.states.contains(sandbox->status))
            return false;
        if (filter.needsYouOnly && !m_list->needsYouAt(sourceRow))
            return false;
        const QStringView haystack = m_list->searchTextAt(sourceRow);
        for (const QString &word : filter.text) {
            if (!haystack.contains(word))
                return false;
        }
        return true;
    }

    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!filter.connectionId.isEmpty() && index.data(SandboxListModel::ConnectionIdRole).toString() != filter.connectionId)
        return false;
    if (!filter.states.isEmpty() &&
        !filter.states.contains(SandboxStatus(index.data(SandboxListModel::StatusRole).toInt())))
        return false;
    if (filter.needsYouOnly && !index.data(SandboxListModel::NeedsYouRole).toBool())
        return false;
    if (filter.text.isEmpty())
        return true;
    const QVariant text = index.data(SandboxListModel::SearchTextRole);
    if (text.typeId() != QMetaType::QString)
        return false;
    const QString &haystack = *static_cast<const QString *>(text.constData());
    for (const QString &word : filter.text) {
        if (!haystack.contains(word))
            return false;
    }
    return true;
}

bool SandboxFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (!m_list || sortRole() != SandboxListModel::SortRole)
        return lessThanByRoles(left, right);
    int order = m_list->compareSortKeys(left.row(), right.row(), left.column());
    // Equal keys keep one fixed order (by id, then connection), not whatever the last sort left.
    if (order == 0) {
        const SandboxKey a = m_list->keyAt(left.row());
        const SandboxKey b = m_list->keyAt(right.row());
        order = QString::compare(a.sandboxId, b.sandboxId);
        if (order == 0)
            order = QString::compare(a.connectionId, b.connectionId);
    }
    return order < 0;
}

bool SandboxFilterProxy::lessThanByRoles(const QModelIndex &left, const QModelIndex &right) const
{
    int order = compareValues(left.data(sortRole()), right.data(sortRole()));
    if (order == 0) {
        order = QString::compare(left.data(SandboxListModel::SandboxIdRole).toString(),
                                 right.data(SandboxListModel::SandboxIdRole).toString());
    }
    if (order == 0) {
        order = QString::compare(left.data(SandboxListModel::ConnectionIdRole).toString(),
                                 right.data(SandboxListModel::ConnectionIdRole).toString());
    }
    return order < 0;
}

} // namespace banata
