// SPDX-License-Identifier: MIT
#include "statestyle.h"

#include "models/sandboxlistmodel.h"

#include <QFontMetricsF>
#include <QIcon>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>

using namespace Qt::StringLiterals;

namespace banata::StateStyle {

namespace {
constexpr qreal kPadding = 7.0;

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

QColor blend(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}
} // namespace

QColor color(SandboxStatus status)
{
    switch (status) {
    case SandboxStatus::Ready:
        return QColor(0x2e, 0x8b, 0x57);
    case SandboxStatus::Active:
        return QColor(0x2f, 0x6f, 0xc9);
    case SandboxStatus::Pausing:
    case SandboxStatus::Paused:
        return QColor(0xc7, 0x86, 0x10);
    case SandboxStatus::Failed:
        return QColor(0xc6, 0x33, 0x33);
    case SandboxStatus::Queued:
    case SandboxStatus::Assigning:
        return QColor(0x4f, 0x86, 0xa8);
    case SandboxStatus::Ending:
    case SandboxStatus::Ended:
        return QColor(0x80, 0x80, 0x80);
    }
    return QColor(0x80, 0x80, 0x80);
}

QString label(SandboxStatus status)
{
    // One table of state names for the whole app: the list model's.
    return SandboxListModel::stateText(status);
}

qreal badgeWidth(const QFontMetricsF &metrics, const QString &text)
{
    // A little slack, so a badge keeps its width when "Pausing…" settles into "Paused".
    return metrics.horizontalAdvance(text + u'\u2026') + 2 * kPadding;
}

void paintBadge(QPainter *painter, const QRectF &rect, SandboxStatus status, const QString &text,
                const QPalette &palette, qreal phase)
{
    const QColor hue = color(status);
    const QColor base = palette.color(QPalette::Base);
    const bool dark = isDark(palette);
    // Soft fills with a stronger outline: calm in a list of hundreds, still distinct.
    const QColor fill = blend(base, hue, dark ? 0.30 : 0.16);
    const QColor outline = blend(base, hue, dark ? 0.65 : 0.55);
    const QColor textColor = dark ? hue.lighter(150) : hue.darker(135);
    const bool transitional = isTransitional(status);

    const QFontMetricsF metrics(painter->font());
    const qreal height = qMin(rect.height() - 2, metrics.height() + 4);
    const qreal width = qMin(rect.width(), badgeWidth(metrics, text));
    const QRectF pill(rect.left(), rect.center().y() - height / 2, width, height);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    path.addRoundedRect(pill.adjusted(0.5, 0.5, -0.5, -0.5), height / 2, height / 2);
    painter->setPen(QPen(outline, 1));
    painter->setBrush(fill);
    painter->drawPath(path);

    if (transitional) {
        painter->setClipPath(path);
        QColor stripe = outline;
        stripe.setAlphaF(0.35f);
        painter->setPen(QPen(stripe, 3));
        const qreal step = 8.0;
        const qreal offset = phase * step;
        for (qreal x = pill.left() - pill.height() + offset - step; x < pill.right() + step; x += step)
            painter->drawLine(QPointF(x, pill.bottom()), QPointF(x + pill.height(), pill.top()));
        painter->setClipping(false);
    }

    painter->setPen(textColor);
    painter->drawText(pill.adjusted(kPadding, 0, -kPadding + 2, 0), Qt::AlignVCenter | Qt::AlignLeft,
                      metrics.elidedText(text, Qt::ElideRight, pill.width() - kPadding - 2));
    painter->restore();
}

QIcon dotIcon(const QColor &dotColor, int size)
{
    QPixmap pixmap(size * 2, size * 2);
    pixmap.setDevicePixelRatio(2.0);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(dotColor.darker(120), 1));
    painter.setBrush(dotColor);
    painter.drawEllipse(QRectF(1.5, 1.5, size - 3, size - 3));
    painter.end();
    return QIcon(pixmap);
}

} // namespace banata::StateStyle
