// SPDX-License-Identifier: MIT
#include "models/artifactlistmodel.h"

#include <algorithm>

#include <QDateTime>
#include <QSet>

#include "models/metatypes.h"
#include "models/modeltext.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
/// Newest first; equal times by key so the order never depends on arrival.
bool newerThan(const Artifact &a, const Artifact &b)
{
    if (a.createdAt != b.createdAt)
        return a.createdAt > b.createdAt;
    return a.key > b.key;
}
} // namespace

ArtifactListModel::ArtifactListModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ArtifactListModel::setArtifacts(QList<Artifact> artifacts)
{
    QSet<QString> seen; // one row per key, whatever the answer holds
    artifacts.removeIf([&seen](const Artifact &artifact) {
        if (seen.contains(artifact.key))
            return true;
        seen.insert(artifact.key);
        return false;
    });
    std::sort(artifacts.begin(), artifacts.end(), newerThan);
    beginResetModel();
    m_rows = std::move(artifacts);
    endResetModel();
}

void ArtifactListModel::upsert(const Artifact &artifact)
{
    const int existing = rowOf(artifact.key);
    if (existing >= 0) {
        if (m_rows.at(existing) == artifact)
            return;
        if (m_rows.at(existing).createdAt == artifact.createdAt) {
            m_rows[existing] = artifact;
            Q_EMIT dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
            return;
        }
        // Kept again under the same key: it moves to where its new time puts it.
        beginRemoveRows({}, existing, existing);
        m_rows.removeAt(existing);
        endRemoveRows();
    }
    const int at =
        int(std::upper_bound(m_rows.cbegin(), m_rows.cend(), artifact, newerThan) - m_rows.cbegin());
    beginInsertRows({}, at, at);
    m_rows.insert(at, artifact);
    endInsertRows();
}

std::optional<Artifact> ArtifactListModel::artifactAt(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return std::nullopt;
    return m_rows.at(row);
}

int ArtifactListModel::rowOf(const QString &key) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).key == key)
            return row;
    }
    return -1;
}

int ArtifactListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
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
