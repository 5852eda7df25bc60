// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractTableModel>

#include "core/artifact.h"

namespace banata {

/// A sandbox's artifacts, newest first (the Files tab's Artifacts list): name, size, created, origin.
class ArtifactListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArtifactListModel)

public:
    enum Column
    {
        NameColumn,
        SizeColumn,
        CreatedColumn,
        OriginColumn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role
    {
        KeyRole = Qt::UserRole + 1, ///< QString
        SizeRole,                   ///< qint64
        CreatedAtRole,              ///< qint64 epoch ms
        ContentTypeRole,            ///< QString
        ArtifactRole,               ///< QVariant of banata::Artifact
    };
    Q_ENUM(Role)

    explicit ArtifactListModel(QObject *parent = nullptr);

    void setArtifacts(QList<Artifact> artifacts); // any order; kept newest first
    void upsert(const Artifact &artifact);        // by key
    const QList<Artifact> &artifacts() const { return m_rows; }
    std::optional<Artifact> artifactAt(int row) const;
    int rowOf(const QString &key) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Artifact> m_rows;
};

} // namespace banata
