// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QStyledItemDelegate>
#include <QTimer>

class QAbstractItemView;

namespace banata {

/**
 * Paints the State column as a rounded pill coloured per state (StateStyle). Transitional states
 * (queued, assigning, pausing, ending) get moving stripes from one shared tick that repaints only
 * the visible transitional cells, and only while the model has any (setAnimating).
 */
class StateBadgeDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateBadgeDelegate)

public:
    /// \a view is the view this delegate paints for (its viewport gets the repaints).
    explicit StateBadgeDelegate(QAbstractItemView *view);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    /// Runs the shared tick while \a on (the caller knows whether any row is transitional).
    void setAnimating(bool on);
    bool isAnimating() const { return m_tick.isActive(); }

private:
    void tick();

    QPointer<QAbstractItemView> m_view;
    QTimer m_tick;
    qreal m_phase = 0.0;
};

} // namespace banata
