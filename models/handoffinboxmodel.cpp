// SPDX-License-Identifier: MIT
#include "models/handoffinboxmodel.h"

#include "models/modeltext.h"

#include <QDateTime>

#include <limits>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr int kTickMs = 1000;
constexpr qint64 kUrgentMs = 2 * 60 * 1000;
constexpr qsizetype kDisplayChars = 256;
constexpr qsizetype kTooltipChars = 4000;
} // namespace

struct HandoffInboxModel::Row
{
    SandboxKey key;
    Handoff handoff;
};

namespace {
/// Oldest request first; the request id settles ties so the order never depends on arrival.
bool requestedBefore(const Handoff &a, const Handoff &b)
{
    if (a.requestedAt != b.requestedAt)
        return a.requestedAt < b.requestedAt;
    return a.requestId < b.requestId;
}

QString waitingText(qint64 ms)
{
    if (ms < 1000)
        return HandoffInboxModel::tr("just now");
    return modeltext::durationText(ms / 1000 * 1000);
}

QString expiresText(qint64 remainingMs)
{
    if (remainingMs <= 0)
        return HandoffInboxModel::tr("expired");
    if (remainingMs < 60 * 1000)
        return HandoffInboxModel::tr("in %1 s").arg((remainingMs + 999) / 1000);
    const qint64 minutes = (remainingMs + 59999) / 60000; // "in 1 min" until it is under a minute
    if (minutes < 60)
        return HandoffInboxModel::tr("in %1 min").arg(minutes);
    return HandoffInboxModel::tr("in %1 h %2 min").arg(minutes / 60).arg(minutes % 60);
}
} // namespace

HandoffInboxModel::HandoffInboxModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_tick.setInterval(kTickMs);
    connect(&m_tick, &QTimer::timeout, this, &HandoffInboxModel::tick);
}

HandoffInboxModel::~HandoffInboxModel()
{
    qDeleteAll(m_rows);
}

QString HandoffInboxModel::reasonText(const QString &reason)
{
    return modeltext::handoffReasonText(reason);
}

int HandoffInboxModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HandoffInboxModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HandoffInboxModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return cellData(*m_rows.at(index.row()), index.column(), role, QDateTime::currentMSecsSinceEpoch());
}

QVariant HandoffInboxModel::cellData(const Row &row, int column, int role, qint64 now) const
{
    const Handoff &h = row.handoff;
    switch (role) {
    case KeyRole:
        return QVariant::fromValue(row.key);
    case RequestIdRole:
        return h.requestId;
    case HandoffRole:
        return QVariant::fromValue(h);
    case RequestedAtRole:
        return h.requestedAt;
    case ExpiresAtRole:
        return h.expiresAt ? QVariant(*h.expiresAt) : QVariant();
    case UrgentRole:
        return h.expiresAt && *h.expiresAt - now <= kUrgentMs;
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
    case SortRole:
        break;
    default:
        return {};
    }

    switch (column) {
    case SandboxColumn: {
        const QString name = sandboxName(row.key);
        if (role == Qt::DisplayRole)
            return modeltext::oneLine(name, kDisplayChars);
        if (role == SortRole)
            return name.toLower();
        return name == row.key.sandboxId ? name : tr("%1\nID: %2").arg(modeltext::capped(name, kTooltipChars), row.key.sandboxId);
    }
    case ReasonColumn:
        if (role == SortRole)
            return reasonText(h.reason).toLower();
        return reasonText(h.reason);
    case MessageColumn:
        if (role == Qt::DisplayRole)
            return modeltext::oneLine(h.message, kDisplayChars);
        if (role == SortRole)
            return modeltext::capped(h.message, kDisplayChars).toLower();
        return modeltext::capped(h.message, kTooltipChars);
    case WaitingColumn:
        if (role == Qt::DisplayRole)
            return waitingText(now - h.requestedAt);
        if (role == SortRole)
            return -h.requestedAt; // the longest waiting last, like any duration
        return tr("Requested %1 by %2").arg(modeltext::dateTimeText(h.requestedAt), modeltext::oneLine(h.requestedBy, 40));
    case ExpiresColumn:
        if (role == SortRole)
            return h.expiresAt.value_or(std::numeric_limits<qint64>::max());
        if (!h.expiresAt)
            return role == Qt::DisplayRole ? QVariant(QString()) : QVariant();
        if (role == Qt::DisplayRole)
            return expiresText(*h.expiresAt - now);
        return tr("Expires %1").arg(modeltext::dateTimeText(*h.expiresAt));
    case ConnectionColumn: {
        const QString name = connectionName(row.key.connectionId);
        if (role == SortRole)
            return name.toLower();
        return modeltext::oneLine(name, kDisplayChars);
    }
    default:
        return {};
    }
}

QVariant HandoffInboxModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SandboxColumn:
        return tr("Sandbox");
    case ReasonColumn:
        return tr("Reason");
    case MessageColumn:
        return tr("Message");
    case WaitingColumn:
        return tr("Waiting");
    case ExpiresColumn:
        return tr("Expires");
    case ConnectionColumn:
        return tr("Connection");
    default:
        return {};
    }
}

SandboxKey HandoffInboxModel::keyAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row)->key : SandboxKey();
}

const Handoff *HandoffInboxModel::handoffAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row)->handoff : nullptr;
}

int HandoffInboxModel::rowOf(const SandboxKey &key) const
{
    return m_rowOfKey.value(key, -1);
}

QString HandoffInboxModel::sandboxName(const SandboxKey &key) const
{
    const auto it = m_sandboxNames.constFind(key);
    return it == m_sandboxNames.cend() ? key.sandboxId : *it;
}

QString HandoffInboxModel::connectionName(const QString &connectionId) const
{
    const auto it = m_connectionNames.constFind(connectionId);
    return it == m_connectionNames.cend() || it->isEmpty() ? connectionId : *it;
}

void HandoffInboxModel::setConnectionName(const QString &connectionId, const QString &name)
{
    if (m_connectionNames.value(connectionId) == name)
        return;
    m_connectionNames.insert(connectionId, name);
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i)->key.connectionId == connectionId)
            Q_EMIT dataChanged(index(i, ConnectionColumn), index(i, ConnectionColumn),
                               {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
    }
}

void HandoffInboxModel::setSandboxName(const SandboxKey &key, const QString &name)
{
    if (sandboxName(key) == (name.isEmpty() ? key.sandboxId : name))
        return;
    if (name.isEmpty())
        m_sandboxNames.remove(key);
    else
        m_sandboxNames.insert(key, name);
    const int row = rowOf(key);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, SandboxColumn), index(row, SandboxColumn), {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
}

void HandoffInboxModel::apply(const SandboxKey &key, const Handoff &handoff)
{
    if (!key.isValid())
        return;
    const bool pending = handoff.status == HandoffStatus::Pending;
    const int row = rowOf(key);
    if (row < 0) {
        if (!pending) {
            m_finished.insert(key, handoff.requestId);
            return;
        }
        if (m_finished.value(key) == handoff.requestId)
            return; // it has left already; this is an old snapshot
        insertRow(key, handoff);
        Q_EMIT handoffArrived(key, handoff);
        Q_EMIT pendingCountChanged(int(m_rows.size()));
        return;
    }

    const Handoff current = m_rows.at(row)->handoff;
    if (current.requestId != handoff.requestId) {
        // One active handoff per sandbox: a different one that is over is an older one; a
        // different pending one means the shown one ended without our hearing of it.
        if (!pending || m_finished.value(key) == handoff.requestId)
            return;
        removeRowAt(row);
        insertRow(key, handoff);
        Q_EMIT handoffArrived(key, handoff);
        return;
    }

    if (!pending) {
        removeRowAt(row);
        m_finished.insert(key, handoff.requestId);
        if (handoff.status == HandoffStatus::Accepted)
            Q_EMIT handoffTaken(key, handoff);
        Q_EMIT pendingCountChanged(int(m_rows.size()));
        return;
    }
    if (current == handoff || (handoff.updatedAt > 0 && handoff.updatedAt < current.updatedAt))
        return;
    if (current.requestedAt != handoff.requestedAt) {
        removeRowAt(row); // its place in the order changes
        insertRow(key, handoff);
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const Row before{key, current};
    const Row after{key, handoff};
    m_rows[row]->handoff = handoff;
    // Roles about the whole handoff are announced on the first column, cell roles where they changed.
    static const QList<int> cellRoles{Qt::DisplayRole, Qt::ToolTipRole, SortRole};
    static const QList<int> rowRoles{RequestedAtRole, ExpiresAtRole, UrgentRole};
    for (int column = 0; column < ColumnCount; ++column) {
        QList<int> changed;
        for (int role : cellRoles) {
            if (cellData(before, column, role, now) != cellData(after, column, role, now))
                changed.append(role);
        }
        if (column == SandboxColumn) {
            changed.append(HandoffRole);
            for (int role : rowRoles) {
                if (cellData(before, column, role, now) != cellData(after, column, role, now))
                    changed.append(role);
            }
        }
        if (!changed.isEmpty())
            Q_EMIT dataChanged(index(row, column), index(row, column), changed);
    }
}

void HandoffInboxModel::remove(const SandboxKey &key)
{
    m_sandboxNames.remove(key);
    m_finished.remove(key);
    const int row = rowOf(key);
    if (row < 0)
        return;
    removeRowAt(row);
    Q_EMIT pendingCountChanged(int(m_rows.size()));
}

void HandoffInboxModel::removeConnection(const QString &connectionId)
{
    const auto dropKeys = [&connectionId](QHash<SandboxKey, QString> &hash) {
        hash.removeIf([&connectionId](const QHash<SandboxKey, QString>::iterator it) {
            return it.key().connectionId == connectionId;
        });
    };
    dropKeys(m_sandboxNames);
    dropKeys(m_finished);
    bool removed = false;
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (m_rows.at(i)->key.connectionId == connectionId) {
            removeRowAt(i);
            removed = true;
        }
    }
    if (removed)
        Q_EMIT pendingCountChanged(int(m_rows.size()));
}

void HandoffInboxModel::insertRow(const SandboxKey &key, const Handoff &handoff)
{
    const auto at = int(std::upper_bound(m_rows.cbegin(), m_rows.cend(), handoff,
                                         [](const Handoff &h, const Row *row) { return requestedBefore(h, row->handoff); }) -
                        m_rows.cbegin());
    beginInsertRows({}, at, at);
    m_rows.insert(at, new Row{key, handoff});
    reindexFrom(at);
    endInsertRows();
    updateTimer();
}

void HandoffInboxModel::removeRowAt(int row)
{
    beginRemoveRows({}, row, row);
    m_rowOfKey.remove(m_rows.at(row)->key);
    delete m_rows.takeAt(row);
    reindexFrom(row);
    endRemoveRows();
    updateTimer();
}

void HandoffInboxModel::reindexFrom(int row)
{
    for (int i = row; i < m_rows.size(); ++i)
        m_rowOfKey.insert(m_rows.at(i)->key, i);
}

void HandoffInboxModel::updateTimer()
{
    if (m_rows.isEmpty())
        m_tick.stop();
    else if (!m_tick.isActive())
        m_tick.start();
}

void HandoffInboxModel::tick()
{
    if (m_rows.isEmpty()) {
        m_tick.stop();
        return;
    }
    Q_EMIT dataChanged(index(0, WaitingColumn), index(int(m_rows.size()) - 1, ExpiresColumn), {Qt::DisplayRole, UrgentRole});
}

} // namespace banata
