// SPDX-License-Identifier: MIT
#pragma once

#include "core/artifact.h"
#include "models/newestfirsttablemodel.h"

namespace banata {

/// A sandbox's artifacts, newest first (the Files tab's Artifacts list): name, size, created, origin.
class ArtifactListModel final : public NewestFirstTableModel<Artifact, &Artifact::key>
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
    const QList<Artifact> &artifacts() const { return rows(); }
    std::optional<Artifact> artifactAt(int row) const;
    int rowOf(const QString &key) const;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

};

} // namespace banata
