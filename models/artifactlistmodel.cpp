// SPDX-License-Identifier: MIT
#include "models/artifactlistmodel.h"

#include <algorithm>

#include <QDateTime>

#include "models/metatypes.h"
#include "models/modeltext.h"

using namespace Qt::StringLiterals;

namespace banata {

ArtifactListModel::ArtifactListModel(QObject *parent)
    : NewestFirstTableModel(parent)
{}

void ArtifactListModel::setArtifacts(QList<Artifact> artifacts)
{
    resetRows(std::move(artifacts));
}

void ArtifactListModel::upsert(const Artifact &artifact)
{
    upsertRow(artifact);
}

std::optional<Artifact> ArtifactListModel::artifactAt(int row) const
{
    return rowAt(row);
}

int ArtifactListModel::rowOf(const QString &key) const
{
    return rowOfKey(key);
}

int ArtifactListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ArtifactListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Artifact &artifact = m_rows.at(index.row());
    switch (role) {
    case KeyRole:
        return artifact.key;
    case SizeRole:
        return artifact.sizeBytes;
    case CreatedAtRole:
        return artifact.createdAt;
    case ContentTypeRole:
        return artifact.contentType;
    case ArtifactRole:
        return QVariant::fromValue(artifact);
    default:
        break;
    }
    switch (index.column()) {
    case NameColumn:
        if (role == Qt::DisplayRole)
            return artifact.name.isEmpty() ? artifact.key : artifact.name;
        if (role == Qt::ToolTipRole) {
            QString tip = artifact.key;
            if (artifact.sourcePath)
                tip += u'\n' + tr("From %1").arg(*artifact.sourcePath);
            if (!artifact.sha256.isEmpty())
                tip += u'\n' + tr("SHA-256 %1").arg(artifact.sha256);
            return tip;
        }
        break;
    case SizeColumn:
        if (role == Qt::DisplayRole)
            return modeltext::sizeText(artifact.sizeBytes);
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        break;
    case CreatedColumn:
        if (role == Qt::DisplayRole)
            return modeltext::dateTimeText(artifact.createdAt);
        if (role == Qt::ToolTipRole)
            return QDateTime::fromMSecsSinceEpoch(artifact.createdAt).toString(Qt::ISODateWithMs);
        break;
    case OriginColumn:
        if (role == Qt::DisplayRole) {
            if (artifact.origin == u"document")
                return tr("Converted document");
            if (artifact.origin == u"api")
                return tr("Kept from the workspace");
            return modeltext::oneLine(artifact.origin, 40);
        }
        if (role == Qt::ToolTipRole)
            return artifact.sourcePath.value_or(QString());
        break;
    default:
        break;
    }
    return {};
}

QVariant ArtifactListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case SizeColumn:
        return tr("Size");
    case CreatedColumn:
        return tr("Created");
    case OriginColumn:
        return tr("Origin");
    default:
        return {};
    }
}

} // namespace banata
