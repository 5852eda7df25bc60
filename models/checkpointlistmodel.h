// SPDX-License-Identifier: MIT
#pragma once

#include "core/checkpoint.h"
#include "models/newestfirsttablemodel.h"

namespace banata {

/// A sandbox's checkpoints, newest first (the Checkpoints tab): label, time, size, files.
class CheckpointListModel final : public NewestFirstTableModel<Checkpoint, &Checkpoint::id>
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CheckpointListModel)

public:
    enum Column
    {
        LabelColumn,
        CreatedColumn,
        SizeColumn,
        FilesColumn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role
    {
        IdRole = Qt::UserRole + 1, ///< QString
        CreatedAtRole,             ///< qint64 epoch ms
        SizeRole,                  ///< qint64 bytes
        CheckpointRole,            ///< QVariant of banata::Checkpoint
    };
    Q_ENUM(Role)

    explicit CheckpointListModel(QObject *parent = nullptr);

    void setCheckpoints(QList<Checkpoint> checkpoints); // any order; kept newest first
    /// Inserts or updates one (by id), keeping newest first.
    void upsert(const Checkpoint &checkpoint);
    const QList<Checkpoint> &checkpoints() const { return rows(); }
    std::optional<Checkpoint> checkpointAt(int row) const;
    int rowOf(const QString &id) const; // -1 when absent

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

};

} // namespace banata
