// SPDX-License-Identifier: MIT
#include "statebadgedelegate.h"

#include "models/sandboxlistmodel.h"
#include "ui/statestyle.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QPainter>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr int kTickMs = 80;
constexpr qreal kPhaseStep = 0.125;
} // namespace

StateBadgeDelegate::StateBadgeDelegate(QAbstractItemView *view)
    : QStyledItemDelegate(view)
    , m_view(view)
{
    m_tick.setInterval(kTickMs);
    connect(&m_tick, &QTimer::timeout, this, &StateBadgeDelegate::tick);
}

void StateBadgeDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    // Background, selection and focus as the style draws them; the pill replaces the text.
    const QString text = opt.text;
    opt.text.clear();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QVariant statusValue = index.data(SandboxListModel::StatusRole);
    if (!statusValue.isValid())
        return;
    const auto status = SandboxStatus(statusValue.toInt());
    const QRect area = opt.rect.adjusted(4, 1, -4, -1);
    painter->save();
    painter->setFont(opt.font);
    StateStyle::paintBadge(painter, area, status, text, opt.palette, isTransitional(status) ? m_phase : 0.0);
    painter->restore();
}

QSize StateBadgeDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const QFontMetricsF metrics(option.font);
    size.setWidth(int(StateStyle::badgeWidth(metrics, index.data(Qt::DisplayRole).toString())) + 8);
    size.setHeight(qMax(size.height(), int(metrics.height()) + 6));
    return size;
}

void StateBadgeDelegate::setAnimating(bool on)
{
    if (on && !m_tick.isActive())
        m_tick.start();
    else if (!on)
        m_tick.stop();
}

void StateBadgeDelegate::tick()
{
    if (!m_view || !m_view->model() || !m_view->isVisible())
        return;
    m_phase += kPhaseStep;
    if (m_phase >= 1.0)
        m_phase -= 1.0;
    // Only the visible rows: walk from the top row down until we leave the viewport.
    QWidget *viewport = m_view->viewport();
    const QModelIndex top = m_view->indexAt(QPoint(1, 1));
    if (!top.isValid())
        return;
    const QAbstractItemModel *model = m_view->model();
    const int column = SandboxListModel::StateColumn;
    for (int row = top.row(); row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, column);
        const QRect rect = m_view->visualRect(index);
        if (rect.top() > viewport->height())
            break;
        if (index.data(SandboxListModel::TransitionalRole).toBool())
            viewport->update(rect);
    }
}

} // namespace banata
