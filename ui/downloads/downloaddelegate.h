// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

namespace banata {

/**
 * Paints one row of the downloads list from DownloadListModel's roles: the file's icon and name,
 * where it comes from, a progress bar, and the state text (speed and time left while running,
 * "Verified" when done; waits in amber, failures in red). Only paints: actions live in the panel.
 */
class DownloadDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadDelegate)

public:
    explicit DownloadDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace banata
