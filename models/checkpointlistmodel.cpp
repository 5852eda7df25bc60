// SPDX-License-Identifier: MIT
#include "models/checkpointlistmodel.h"

#include <algorithm>

#include <QDateTime>
#include <QLocale>
#include <QSet>

#include "models/metatypes.h"
#include "models/modeltext.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
/// Newest first; equal times by id so the order never depends on arrival.
bool newerThan(const Checkpoint &a, const Checkpoint &b)
{
    if (a.createdAt != b.createdAt)
        return a.createdAt > b.createdAt;
    return a.id > b.id;
}
} // namespace

CheckpointListModel::CheckpointListModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void CheckpointListModel::setCheckpoints(QList<Checkpoint> checkpoints)
{
    // One row per id: the server never repeats one, a broken answer might.
    QSet<QString> seen;
    checkpoints.removeIf([&seen](const Checkpoint &checkpoint) {
        if (seen.contains(checkpoint.id))
            return true;
        seen.insert(checkpoint.id);
        return false;
    });
    std::sort(checkpoints.begin(), checkpoints.end(), newerThan);
    beginResetModel();
    m_rows = std::move(checkpoints);
    endResetModel();
}

void CheckpointListModel::upsert(const Checkpoint &checkpoint)
{
    const int existing = rowOf(checkpoint.id);
    if (existing >= 0) {
        if (m_rows.at(existing) == checkpoint)
            return;
        if (m_rows.at(existing).createdAt == checkpoint.createdAt) {
            m_rows[existing] = checkpoint;
            Q_EMIT dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
            return;
        }
        beginRemoveRows({}, existing, existing);
        m_rows.removeAt(existing);
        endRemoveRows();
    }
    const int at =
        int(std::upper_bound(m_rows.cbegin(), m_rows.cend(), checkpoint, newerThan) - m_rows.cbegin());
    beginInsertRows({}, at, at);
    m_rows.insert(at, checkpoint);
    endInsertRows();
}

std::optional<Checkpoint> CheckpointListModel::checkpointAt(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return std::nullopt;
    return m_rows.at(row);
}

int CheckpointListModel::rowOf(const QString &id) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == id)
            return row;
    }
    return -1;
}

int CheckpointListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CheckpointListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CheckpointListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Checkpoint &checkpoint = m_rows.at(index.row());
    switch (role) {
    case IdRole:
        return checkpoint.id;
    case CreatedAtRole:
        return checkpoint.createdAt;
    case SizeRole:
        return checkpoint.sizeBytes;
    case CheckpointRole:
        return QVariant::fromValue(checkpoint);
    default:
        break;
    }
    switch (index.column()) {
    case LabelColumn:
        if (role == Qt::DisplayRole)
            return checkpoint.label.value_or(QString()).isEmpty()
                       ? tr("(no label)")
                       : modeltext::oneLine(*checkpoint.label, 200);
        if (role == Qt::ToolTipRole)
            return checkpoint.label.value_or(QString()).isEmpty()
                       ? checkpoint.id
                       : tr("%1\n%2").arg(*checkpoint.label, checkpoint.id);
        break;
    case CreatedColumn:
        if (role == Qt::DisplayRole)
            return modeltext::dateTimeText(checkpoint.createdAt);
        if (role == Qt::ToolTipRole)
            return QDateTime::fromMSecsSinceEpoch(checkpoint.createdAt).toString(Qt::ISODateWithMs);
        break;
    case SizeColumn:
        if (role == Qt::DisplayRole)
            return modeltext::sizeText(checkpoint.sizeBytes);
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        break;
    case FilesColumn:
        if (role == Qt::DisplayRole)
            return QLocale().toString(checkpoint.fileCount);
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        break;
    default:
        break;
    }
    return {};
}

QVariant CheckpointListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LabelColumn:
        return tr("Label");
    case CreatedColumn:
        return tr("Created");
    case SizeColumn:
        return tr("Size");
    case FilesColumn:
        return tr("Files");
    default:
        return {};
    }
}

} // namespace banata
