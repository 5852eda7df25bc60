// SPDX-License-Identifier: MIT
#pragma once

#include "core/task.h"
#include "models/metatypes.h"

#include <QAbstractTableModel>
#include <QList>

namespace banata {

/// One sandbox's agent tasks, newest first.
class TaskModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskModel)

public:
    enum Column { StatusColumn, PromptColumn, CreatedColumn, DurationColumn, ExitColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        SortRole = Qt::UserRole,
        TaskIdRole,
        StatusRole,      ///< int(TaskStatus)
        OutputRole,      ///< stdout
        ErrorOutputRole, ///< stderr, then the failure reason
        MetadataRole,    ///< the metadata as indented JSON text
        TaskRole,        ///< QVariant::fromValue(AgentTask)
    };
    Q_ENUM(Role)

    explicit TaskModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void reset(const QList<AgentTask> &tasks);
    /// Inserts (at its place by createdAt) or updates by taskId.
    void upsert(const AgentTask &task);
    const AgentTask *taskAt(int row) const;
    int rowOf(const QString &taskId) const;

private:
    QVariant cellData(const AgentTask &task, int column, int role) const;
    int insertionRow(const AgentTask &task) const;

    QList<AgentTask> m_tasks;
};

} // namespace banata
