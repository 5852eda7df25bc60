// SPDX-License-Identifier: MIT
#include "models/checkpointlistmodel.h"

#include <algorithm>

#include <QDateTime>
#include <QLocale>

#include "models/metatypes.h"
#include "models/modeltext.h"

using namespace Qt::StringLiterals;

namespace banata {

CheckpointListModel::CheckpointListModel(QObject *parent)
    : NewestFirstTableModel(parent)
{}

void CheckpointListModel::setCheckpoints(QList<Checkpoint> checkpoints)
{
    resetRows(std::move(checkpoints));
}

void CheckpointListModel::upsert(const Checkpoint &checkpoint)
{
    upsertRow(checkpoint);
}

std::optional<Checkpoint> CheckpointListModel::checkpointAt(int row) const
{
    return rowAt(row);
}

int CheckpointListModel::rowOf(const QString &id) const
{
    return rowOfKey(id);
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
