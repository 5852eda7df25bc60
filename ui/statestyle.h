// SPDX-License-Identifier: MIT
#pragma once

#include "core/sandbox.h"

#include <QColor>
#include <QRectF>
#include <QString>

class QFontMetricsF;
class QIcon;
class QPainter;
class QPalette;

namespace banata {

/// How a sandbox state looks everywhere in the app (list badge, chips, detail header), so that
/// "paused" is the same amber in every place.
namespace StateStyle {

/// The state's hue: ready green, active blue, paused amber, failed red, ended grey.
QColor color(SandboxStatus status);
/// "Paused", translated.
QString label(SandboxStatus status);
/// Width a badge needs for \a text in the current font of \a painter's device.
qreal badgeWidth(const QFontMetricsF &metrics, const QString &text);
/// Paints a rounded pill in \a rect. Transitional states get diagonal stripes shifted by \a phase
/// (0..1) and a trailing ellipsis, so "in progress" reads without colour alone.
void paintBadge(QPainter *painter, const QRectF &rect, SandboxStatus status, const QString &text,
                const QPalette &palette, qreal phase = 0.0);
/// A filled dot of \a color, \a size px: for connection status and chips.
QIcon dotIcon(const QColor &color, int size = 10);

} // namespace StateStyle

} // namespace banata
