// SPDX-License-Identifier: MIT
#include "models/taskmodel.h"

#include "models/modeltext.h"

#include <limits>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr qsizetype kPromptLine = 200;
constexpr qsizetype kTooltipChars = 2000;
constexpr qsizetype kMetadataChars = 64 * 1024;

/// Newest first; equal times by task id so the order never depends on arrival.
bool newerThan(const AgentTask &a, const AgentTask &b)
{
    if (a.createdAt != b.createdAt)
        return a.createdAt > b.createdAt;
    return a.taskId > b.taskId;
}

/// Roles that describe the whole task; they are answered on every column and announced on the
/// Status column when they change.
const QList<int> &rowRoles()
{
    static const QList<int> roles{TaskModel::TaskIdRole, TaskModel::StatusRole, TaskModel::OutputRole,
                                  TaskModel::ErrorOutputRole, TaskModel::MetadataRole, TaskModel::TaskRole};
    return roles;
}

const QList<int> &cellRoles()
{
    static const QList<int> roles{Qt::DisplayRole, Qt::ToolTipRole, TaskModel::SortRole};
    return roles;
}
} // namespace

TaskModel::TaskModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int TaskModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tasks.size());
}

int TaskModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TaskModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return cellData(m_tasks.at(index.row()), index.column(), role);
}

QVariant TaskModel::cellData(const AgentTask &task, int column, int role) const
{
    switch (role) {
    case TaskIdRole:
        return task.taskId;
    case StatusRole:
        return int(task.status);
    case OutputRole:
        return task.output;
    case ErrorOutputRole: {
        QString text = task.errorOutput;
        if (task.error && !task.error->isEmpty()) {
            if (!text.isEmpty() && !text.endsWith(u'\n'))
                text += u'\n';
            text += *task.error;
        }
        return text;
    }
    case MetadataRole:
        return modeltext::prettyJson(task.metadata, kMetadataChars);
    case TaskRole:
        return QVariant::fromValue(task);
    default:
        break;
    }

    const bool finished = isFinished(task.status);
    const std::optional<qint64> duration = task.startedAt && task.completedAt
        ? std::optional<qint64>(*task.completedAt - *task.startedAt)
        : std::nullopt;
    switch (column) {
    case StatusColumn:
        if (role == Qt::DisplayRole) {
            switch (task.status) {
            case TaskStatus::Queued:
                return tr("Queued");
            case TaskStatus::Running:
                return tr("Running…");
            case TaskStatus::Completed:
                return tr("Completed");
            case TaskStatus::Failed:
                return tr("Failed");
            }
        }
        if (role == Qt::ToolTipRole && task.error && !task.error->isEmpty())
            return modeltext::capped(*task.error, kTooltipChars);
        if (role == SortRole)
            return int(task.status);
        break;
    case PromptColumn:
        if (role == Qt::DisplayRole)
            return modeltext::oneLine(task.prompt, kPromptLine);
        if (role == Qt::ToolTipRole)
            return modeltext::capped(task.prompt, kTooltipChars);
        if (role == SortRole)
            return task.prompt.toLower();
        break;
    case CreatedColumn:
        if (role == Qt::DisplayRole)
            return modeltext::dateTimeText(task.createdAt);
        if (role == SortRole)
            return task.createdAt;
        break;
    case DurationColumn:
        if (role == Qt::DisplayRole) {
            if (duration)
                return modeltext::durationText(*duration);
            return task.status == TaskStatus::Running ? tr("running") : QString();
        }
        if (role == SortRole)
            return duration.value_or(-1);
        break;
    case ExitColumn:
        if (role == Qt::DisplayRole) {
            if (task.exitCode)
                return tr("exit %1").arg(*task.exitCode);
            return task.status == TaskStatus::Failed ? tr("failed") : QString();
        }
        if (role == Qt::ToolTipRole && finished && task.error && !task.error->isEmpty())
            return modeltext::capped(*task.error, kTooltipChars);
        if (role == SortRole)
            return task.exitCode ? qint64(*task.exitCode) : std::numeric_limits<qint64>::min();
        break;
    default:
        break;
    }
    return {};
}

QVariant TaskModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StatusColumn:
        return tr("Status");
    case PromptColumn:
        return tr("Prompt");
    case CreatedColumn:
        return tr("Created");
    case DurationColumn:
        return tr("Duration");
    case ExitColumn:
        return tr("Exit");
    default:
        return {};
    }
}

void TaskModel::reset(const QList<AgentTask> &tasks)
{
    beginResetModel();
    m_tasks.clear();
    m_tasks.reserve(tasks.size());
    // The server sends each task once, but a list merged from pages might not: keep the last.
    QHash<QString, qsizetype> seen;
    for (const AgentTask &task : tasks) {
        const auto it = seen.constFind(task.taskId);
        if (it != seen.cend()) {
            m_tasks[*it] = task;
            continue;
        }
        seen.insert(task.taskId, m_tasks.size());
        m_tasks.append(task);
    }
    std::stable_sort(m_tasks.begin(), m_tasks.end(), newerThan);
    endResetModel();
}

int TaskModel::insertionRow(const AgentTask &task) const
{
    return int(std::lower_bound(m_tasks.cbegin(), m_tasks.cend(), task, newerThan) - m_tasks.cbegin());
}

void TaskModel::upsert(const AgentTask &task)
{
    const int row = rowOf(task.taskId);
    if (row < 0) {
        const int at = insertionRow(task);
        beginInsertRows({}, at, at);
        m_tasks.insert(at, task);
        endInsertRows();
        return;
    }

    const AgentTask old = m_tasks.at(row);
    if (old == task)
        return;
    if (old.createdAt != task.createdAt) {
        // Its place changes: take it out and put it back where it now belongs.
        beginRemoveRows({}, row, row);
        m_tasks.removeAt(row);
        endRemoveRows();
        const int at = insertionRow(task);
        beginInsertRows({}, at, at);
        m_tasks.insert(at, task);
        endInsertRows();
        return;
    }

    m_tasks[row] = task;
    for (int column = 0; column < ColumnCount; ++column) {
        QList<int> roles;
        for (int role : cellRoles()) {
            if (cellData(old, column, role) != cellData(task, column, role))
                roles.append(role);
        }
        if (column == StatusColumn) {
            for (int role : rowRoles()) {
                if (role == TaskRole || cellData(old, column, role) != cellData(task, column, role))
                    roles.append(role);
            }
        }
        if (!roles.isEmpty())
            Q_EMIT dataChanged(index(row, column), index(row, column), roles);
    }
}

const AgentTask *TaskModel::taskAt(int row) const
{
    return row >= 0 && row < m_tasks.size() ? &m_tasks.at(row) : nullptr;
}

int TaskModel::rowOf(const QString &taskId) const
{
    for (qsizetype i = 0; i < m_tasks.size(); ++i) {
        if (m_tasks.at(i).taskId == taskId)
            return int(i);
    }
    return -1;
}

} // namespace banata
