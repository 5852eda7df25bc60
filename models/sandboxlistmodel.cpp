// SPDX-License-Identifier: MIT
// The list's data: what each cell shows, sorts by and tells in its tooltip, and which cells a
// change touches. The row bookkeeping (upsert, remove, reset) is in sandboxlistrows.cpp.
#include "models/sandboxlistmodel.h"

#include "models/modeltext.h"
#include "models/sandboxlistrow_p.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr qsizetype kDisplayChars = 256;
constexpr qsizetype kTooltipChars = 1000;
constexpr int kAgeRefreshMs = 30 * 1000;

/// The text as is when it fits on one line, else its first line cut short.
QString displayText(const QString &text)
{
    if (text.size() <= kDisplayChars && !text.contains(u'\n'))
        return text;
    return modeltext::oneLine(text, kDisplayChars);
}

enum HandoffSort { HandoffPendingSort, HandoffAcceptedSort, HandoffNoneSort };
} // namespace

SandboxListModel::SandboxListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_ageTimer.setInterval(kAgeRefreshMs);
    connect(&m_ageTimer, &QTimer::timeout, this, &SandboxListModel::refreshAges);
    m_ageTimer.start();
}

SandboxListModel::~SandboxListModel()
{
    qDeleteAll(m_rows);
}

QString SandboxListModel::stateText(SandboxStatus status)
{
    switch (status) {
    case SandboxStatus::Queued:
        return tr("Queued");
    case SandboxStatus::Assigning:
        return tr("Assigning");
    case SandboxStatus::Ready:
        return tr("Ready");
    case SandboxStatus::Active:
        return tr("Active");
    case SandboxStatus::Pausing:
        return tr("Pausing…");
    case SandboxStatus::Paused:
        return tr("Paused");
    case SandboxStatus::Ending:
        return tr("Ending…");
    case SandboxStatus::Ended:
        return tr("Ended");
    case SandboxStatus::Failed:
        return tr("Failed");
    }
    return {};
}

int SandboxListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SandboxListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SandboxListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || index.row() >= m_rows.size() || index.column() >= ColumnCount)
        return {};
    return cellData(*m_rows.at(index.row()), index.column(), role);
}

QVariant SandboxListModel::cellData(const Row &row, int column, int role) const
{
    const Sandbox &s = row.sandbox;
    // Roles about the whole sandbox: the same on every column.
    switch (role) {
    case KeyRole:
        return QVariant::fromValue(row.key);
    case SandboxIdRole:
        return row.key.sandboxId;
    case ConnectionIdRole:
        return row.key.connectionId;
    case StatusRole:
        return int(s.status);
    case TransitionalRole:
        return isTransitional(s.status);
    case StatusReasonRole:
        return s.statusReason.value_or(QString());
    case NeedsYouRole:
        return row.needsYou();
    case HandoffRole:
        return row.handoff ? QVariant::fromValue(*row.handoff) : QVariant();
    case CreatedAtRole:
        return s.createdAt;
    case SearchTextRole:
        return row.searchText;
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
    case SortRole:
        break;
    default:
        return {};
    }

    switch (column) {
    case StateColumn:
        if (role == Qt::DisplayRole)
            return stateText(s.status);
        if (role == SortRole)
            return int(s.status); // the enum follows the lifecycle
        if (s.statusReason && !s.statusReason->isEmpty()) {
            const QString reason = modeltext::capped(*s.statusReason, kTooltipChars);
            return s.status == SandboxStatus::Failed ? tr("Failed: %1").arg(reason) : reason;
        }
        return isTransitional(s.status) ? tr("In progress") : QVariant();
    case NameColumn:
        if (role == Qt::DisplayRole)
            return displayText(s.name && !s.name->isEmpty() ? *s.name : s.id);
        if (role == SortRole)
            return row.sortName;
        if (s.name && !s.name->isEmpty())
            return tr("%1\nID: %2").arg(modeltext::capped(*s.name, kTooltipChars), s.id);
        return s.id;
    case IdColumn:
        if (role == SortRole)
            return s.id.toLower();
        return role == Qt::DisplayRole ? displayText(s.id) : s.id;
    case ConnectionColumn: {
        const QString name = connectionName(row.key.connectionId);
        if (role == Qt::DisplayRole)
            return displayText(name);
        if (role == SortRole)
            return name.toLower();
        return name == row.key.connectionId ? name : tr("%1 (%2)").arg(name, row.key.connectionId);
    }
    case RegionColumn:
        if (role == Qt::DisplayRole)
            return displayText(s.region.value_or(QString()));
        if (role == SortRole)
            return s.region.value_or(QString()).toLower();
        return {};
    case CapabilitiesColumn:
        if (role == SortRole)
            return row.capabilities.toLower();
        return row.capabilities;
    case TaskColumn:
        if (role == Qt::DisplayRole)
            return displayText(row.task);
        if (role == SortRole)
            return row.taskSort;
        return row.task.isEmpty() ? QVariant() : QVariant(row.task);
    case HandoffColumn:
        if (!row.handoff)
            return role == SortRole ? QVariant(int(HandoffNoneSort)) : role == Qt::DisplayRole ? QVariant(QString()) : QVariant();
        if (role == SortRole)
            return int(row.needsYou() ? HandoffPendingSort : HandoffAcceptedSort);
        if (row.needsYou()) {
            const QString reason = modeltext::handoffReasonText(row.handoff->reason);
            if (role == Qt::DisplayRole)
                return tr("Needs you: %1").arg(reason);
            return tr("%1: %2").arg(reason, modeltext::capped(row.handoff->message, kTooltipChars));
        }
        if (role == Qt::DisplayRole) {
            const QString controller = displayText(row.handoff->controller.value_or(QString()));
            return controller.isEmpty() ? tr("Taken") : tr("Taken by %1").arg(controller);
        }
        return modeltext::capped(row.handoff->message, kTooltipChars);
    case AgeColumn:
        if (role == SortRole)
            return s.createdAt;
        if (s.createdAt <= 0)
            return role == Qt::DisplayRole ? QVariant(QString()) : QVariant();
        if (role == Qt::DisplayRole)
            return modeltext::ageText(QDateTime::currentMSecsSinceEpoch() - s.createdAt);
        return tr("Created %1").arg(modeltext::dateTimeText(s.createdAt));
    default:
        return {};
    }
}

QVariant SandboxListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StateColumn:
        return tr("State");
    case NameColumn:
        return tr("Name");
    case IdColumn:
        return tr("ID");
    case ConnectionColumn:
        return tr("Connection");
    case RegionColumn:
        return tr("Region");
    case CapabilitiesColumn:
        return tr("Capabilities");
    case TaskColumn:
        return tr("Task");
    case HandoffColumn:
        return tr("Handoff");
    case AgeColumn:
        return tr("Age");
    default:
        return {};
    }
}

/**
 * The cells whose data differs between two versions of a row, and which roles. Roles about the
 * whole sandbox are announced on the column they belong to: status roles on State, handoff roles
 * on Handoff, CreatedAtRole on Age, SearchTextRole on Name.
 */
QList<SandboxListModel::CellChange> SandboxListModel::diff(const Row &before, const Row &after) const
{
    static const QList<int> cellRoles{Qt::DisplayRole, Qt::ToolTipRole, SortRole};
    static const std::array<QList<int>, ColumnCount> rowRoles{
        QList<int>{StatusRole, TransitionalRole, StatusReasonRole}, // State
        QList<int>{SearchTextRole},                                 // Name
        QList<int>{}, QList<int>{}, QList<int>{}, QList<int>{}, QList<int>{},
        QList<int>{NeedsYouRole, HandoffRole},                      // Handoff
        QList<int>{CreatedAtRole},                                  // Age
    };
    QList<CellChange> changes;
    for (int column = 0; column < ColumnCount; ++column) {
        QList<int> roles;
        for (const QList<int> *list : {&cellRoles, &rowRoles[size_t(column)]}) {
            for (int role : *list) {
                if (cellData(before, column, role) != cellData(after, column, role))
                    roles.append(role);
            }
        }
        if (!roles.isEmpty())
            changes.append({column, roles});
    }
    return changes;
}

void SandboxListModel::emitRowChanged(int row, const QList<CellChange> &changes)
{
    // Neighbouring columns with the same roles go out as one signal.
    for (qsizetype i = 0; i < changes.size();) {
        qsizetype last = i;
        while (last + 1 < changes.size() && changes.at(last + 1).column == changes.at(last).column + 1 &&
               changes.at(last + 1).roles == changes.at(i).roles)
            ++last;
        Q_EMIT dataChanged(index(row, changes.at(i).column), index(row, changes.at(last).column), changes.at(i).roles);
        i = last + 1;
    }
}

void SandboxListModel::refreshAges()
{
    if (m_rows.isEmpty())
        return;
    Q_EMIT dataChanged(index(0, AgeColumn), index(int(m_rows.size()) - 1, AgeColumn), {Qt::DisplayRole});
}

int SandboxListModel::rowOf(const SandboxKey &key) const
{
    auto it = m_rowOfKey.constFind(key);
    if (it == m_rowOfKey.cend())
        return -1;
    if (*it < m_rowOfKeyStaleFrom)
        return *it;
    reindexFrom(m_rowOfKeyStaleFrom);
    it = m_rowOfKey.constFind(key);
    return it == m_rowOfKey.cend() ? -1 : *it;
}

void SandboxListModel::reindexFrom(int row) const
{
    for (int i = row; i < m_rows.size(); ++i)
        m_rowOfKey[m_rows.at(i)->key] = i;
    m_rowOfKeyStaleFrom = std::numeric_limits<int>::max();
}

QModelIndex SandboxListModel::indexOf(const SandboxKey &key, int column) const
{
    const int row = rowOf(key);
    return row < 0 ? QModelIndex() : index(row, column);
}

const Sandbox *SandboxListModel::sandboxAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row)->sandbox : nullptr;
}

SandboxKey SandboxListModel::keyAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row)->key : SandboxKey();
}

QStringView SandboxListModel::searchTextAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? QStringView(m_rows.at(row)->searchText) : QStringView();
}

bool SandboxListModel::needsYouAt(int row) const
{
    return row >= 0 && row < m_rows.size() && m_rows.at(row)->needsYou();
}

int SandboxListModel::compareSortKeys(int leftRow, int rightRow, int column) const
{
    const Row &a = *m_rows.at(leftRow);
    const Row &b = *m_rows.at(rightRow);
    const auto numbers = [](qint64 x, qint64 y) { return x < y ? -1 : x > y ? 1 : 0; };
    const auto handoffSort = [](const Row &row) {
        return !row.handoff ? HandoffNoneSort : row.needsYou() ? HandoffPendingSort : HandoffAcceptedSort;
    };
    // Texts compare as their lower-case forms, as SortRole gives them.
    const auto texts = [](const QString &x, const QString &y) { return QString::compare(x, y, Qt::CaseInsensitive); };
    switch (column) {
    case StateColumn:
        return numbers(int(a.sandbox.status), int(b.sandbox.status));
    case NameColumn:
        return QString::compare(a.sortName, b.sortName);
    case IdColumn:
        return texts(a.sandbox.id, b.sandbox.id);
    case ConnectionColumn:
        return a.key.connectionId == b.key.connectionId
            ? 0
            : texts(connectionName(a.key.connectionId), connectionName(b.key.connectionId));
    case RegionColumn:
        return texts(a.sandbox.region.value_or(QString()), b.sandbox.region.value_or(QString()));
    case CapabilitiesColumn:
        return texts(a.capabilities, b.capabilities);
    case TaskColumn:
        return QString::compare(a.taskSort, b.taskSort);
    case HandoffColumn:
        return numbers(handoffSort(a), handoffSort(b));
    case AgeColumn:
        return numbers(a.sandbox.createdAt, b.sandbox.createdAt);
    default:
        return 0;
    }
}

int SandboxListModel::needsYouCount() const
{
    return m_needsYou;
}

QString SandboxListModel::connectionName(const QString &connectionId) const
{
    const auto it = m_connectionNames.constFind(connectionId);
    return it == m_connectionNames.cend() || it->isEmpty() ? connectionId : *it;
}

void SandboxListModel::setConnectionName(const QString &connectionId, const QString &name)
{
    if (m_connectionNames.value(connectionId) == name)
        return;
    m_connectionNames.insert(connectionId, name);
    // The name is shown and searched: refresh both on that connection's rows, announced as one
    // span (a rename is rare; ten thousand single-row signals through a sorting proxy are not).
    int first = -1;
    int last = -1;
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &row = *m_rows[i];
        if (row.key.connectionId != connectionId)
            continue;
        row.searchText = searchText(row.key, row.sandbox);
        first = first < 0 ? i : first;
        last = i;
    }
    if (first >= 0)
        Q_EMIT dataChanged(index(first, NameColumn), index(last, ConnectionColumn),
                           {Qt::DisplayRole, Qt::ToolTipRole, SortRole, SearchTextRole});
}

} // namespace banata
