// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractListModel>
#include <QPointer>

#include "core/downloads/downloaditem.h"
#include "core/downloads/downloadmanager.h" // complete for QPointer

namespace banata {

/**
 * Every download of the app, in the order added (the downloads panel): one row per download with
 * its name, where it comes from, progress, speed, remaining time and state text. Follows a
 * DownloadManager; progress changes only repaint their row.
 */
class DownloadListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadListModel)

public:
    enum Role
    {
        IdRole = Qt::UserRole + 1, ///< int
        FileNameRole,              ///< QString: the local name
        SourceRole,    ///< QString: "demo · /workspace/out/report.pdf" (connection when not Local)
        StateRole,     ///< int: DownloadItem::State
        StateTextRole, ///< QString: "3.2 MB of 10 MB · 12.4 MB/s · 1 s left", "Verified", "Waiting for the
                       ///< server — retrying in 4 s", …
        ProgressRole,  ///< int 0..1000, -1 when the size is unknown
        ReceivedRole,  ///< qint64
        TotalRole,     ///< qint64 (-1 unknown)
        SpeedRole,     ///< double bytes/s
        RemainingMsRole, ///< qint64 (-1 unknown)
        LocalPathRole,   ///< QString
        ErrorRole,       ///< QString
        ItemRole,        ///< QVariant of banata::DownloadItem
    };
    Q_ENUM(Role)

    explicit DownloadListModel(DownloadManager *manager, QObject *parent = nullptr);

    DownloadManager *manager() const { return m_manager; }
    std::optional<DownloadItem> itemAt(int row) const;
    int rowOf(int id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    QPointer<DownloadManager> m_manager;
    QList<DownloadItem> m_rows;
};

/// "3.2 MB of 10 MB · 12.4 MB/s · 1 s left", "Verified · 10 MB", … (DownloadListModel's state text).
QString downloadStateText(const DownloadItem &item);

} // namespace banata
