// SPDX-License-Identifier: MIT
#include "models/downloadlistmodel.h"

#include <algorithm>

#include <QCoreApplication>

#include "core/downloads/downloadmanager.h"
#include "models/metatypes.h"
#include "models/modeltext.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("banata::DownloadListModel", text);
}

/// The local connection needs no name in the list; any other one does.
constexpr auto kLocalConnection = u"Local";

/// "3.2 MB of 10 MB", or "3.2 MB" while the size is unknown.
QString amountText(const DownloadItem &item)
{
    if (item.total >= 0)
        return tr("%1 of %2").arg(modeltext::sizeText(item.received), modeltext::sizeText(item.total));
    return modeltext::sizeText(item.received);
}

QString joined(const QStringList &parts)
{
    return parts.join(u" · "_s);
}
} // namespace

QString downloadStateText(const DownloadItem &item)
{
    switch (item.state) {
    case DownloadItem::State::Queued:
        return tr("Queued");
    case DownloadItem::State::Running: {
        QStringList parts{amountText(item)};
        if (item.bytesPerSecond > 0)
            parts.append(tr("%1/s").arg(modeltext::sizeText(qint64(item.bytesPerSecond))));
        if (item.remainingMs >= 0)
            parts.append(tr("%1 left").arg(modeltext::durationText(item.remainingMs)));
        return joined(parts);
    }
    case DownloadItem::State::Waiting: {
        QStringList parts{item.error.isEmpty() ? tr("Waiting for the server") : item.error};
        if (item.received > 0)
            parts.append(amountText(item));
        return joined(parts);
    }
    case DownloadItem::State::Verifying:
        return joined({tr("Verifying…"), modeltext::sizeText(item.received)});
    case DownloadItem::State::Conflict:
        return tr("“%1” already exists in this folder: replace it, keep both or skip").arg(item.fileName);
    case DownloadItem::State::Completed: {
        const QString size = modeltext::sizeText(item.total >= 0 ? item.total : item.received);
        return item.verified ? joined({tr("Verified"), size})
                             : joined({tr("Done (the server gave no checksum)"), size});
    }
    case DownloadItem::State::Failed:
        return item.error.isEmpty() ? tr("Failed") : tr("Failed: %1").arg(item.error);
    case DownloadItem::State::Cancelled:
        return tr("Cancelled");
    }
    return {};
}

DownloadListModel::DownloadListModel(DownloadManager *manager, QObject *parent)
    : QAbstractListModel(parent)
    , m_manager(manager)
{
    if (!m_manager)
        return;
    m_rows = m_manager->items();
    connect(m_manager, &DownloadManager::itemAdded, this, [this](const DownloadItem &item) {
        if (rowOf(item.id) >= 0)
            return;
        const int row = int(m_rows.size());
        beginInsertRows({}, row, row);
        m_rows.append(item);
        endInsertRows();
    });
    connect(m_manager, &DownloadManager::itemChanged, this, [this](const DownloadItem &item) {
        const int row = rowOf(item.id);
        if (row < 0)
            return;
        m_rows[row] = item;
        const QModelIndex cell = index(row);
        Q_EMIT dataChanged(cell, cell);
    });
    connect(m_manager, &DownloadManager::itemRemoved, this, [this](int id) {
        const int row = rowOf(id);
        if (row < 0)
            return;
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    });
    connect(m_manager, &QObject::destroyed, this, [this] {
        beginResetModel();
        m_rows.clear();
        endResetModel();
    });
}

std::optional<DownloadItem> DownloadListModel::itemAt(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return std::nullopt;
    return m_rows.at(row);
}

int DownloadListModel::rowOf(int id) const
{
    // Newest last, and the newest change the most: search from the end.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (m_rows.at(row).id == id)
            return row;
    }
    return -1;
}

int DownloadListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant DownloadListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DownloadItem &item = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case FileNameRole:
        return item.fileName;
    case Qt::ToolTipRole:
        return item.localPath();
    case IdRole:
        return item.id;
    case SourceRole: {
        QStringList parts;
        if (!item.connectionName.isEmpty() && item.connectionName != kLocalConnection)
            parts.append(item.connectionName);
        parts.append(item.sandboxName.isEmpty() ? item.sandboxId : item.sandboxName);
        parts.append(item.remotePath);
        parts.removeAll(QString());
        return joined(parts);
    }
    case StateRole:
        return int(item.state);
    case StateTextRole:
        return downloadStateText(item);
    case ProgressRole:
        if (item.state == DownloadItem::State::Completed)
            return 1000;
        if (item.total <= 0)
            return item.total == 0 ? 1000 : -1;
        return int(std::clamp<qint64>(item.received * 1000 / item.total, 0, 1000));
    case ReceivedRole:
        return item.received;
    case TotalRole:
        return item.total;
    case SpeedRole:
        return item.bytesPerSecond;
    case RemainingMsRole:
        return item.remainingMs;
    case LocalPathRole:
        return item.localPath();
    case ErrorRole:
        return item.error;
    case ItemRole:
        return QVariant::fromValue(item);
    default:
        return {};
    }
}

QHash<int, QByteArray> DownloadListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    const std::pair<int, const char *> extra[] = {
        {IdRole, "downloadId"},       {FileNameRole, "fileName"},
        {SourceRole, "source"},       {StateRole, "state"},
        {StateTextRole, "stateText"}, {ProgressRole, "progress"},
        {ReceivedRole, "received"},   {TotalRole, "total"},
        {SpeedRole, "speed"},         {RemainingMsRole, "remainingMs"},
        {LocalPathRole, "localPath"}, {ErrorRole, "error"},
        {ItemRole, "item"},
    };
    for (const auto &[role, name] : extra)
        names.insert(role, QByteArray(name));
    return names;
}

} // namespace banata
