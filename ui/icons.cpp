// SPDX-License-Identifier: MIT
#include "icons.h"

#include <QApplication>
#include <QHash>
#include <QPainter>
#include <QPixmap>
#include <QStyle>

using namespace Qt::StringLiterals;

namespace banata::Icons {

namespace {
struct Spec
{
    QString themeName;
    QStyle::StandardPixmap fallback;
};

Spec specFor(Id id)
{
    switch (id) {
    case Id::NewSandbox:
        return {u"list-add"_s, QStyle::SP_FileDialogNewFolder};
    case Id::Pause:
        return {u"media-playback-pause"_s, QStyle::SP_MediaPause};
    case Id::Resume:
        return {u"media-playback-start"_s, QStyle::SP_MediaPlay};
    case Id::Kill:
        return {u"process-stop"_s, QStyle::SP_BrowserStop};
    case Id::Checkpoint:
        return {u"document-save"_s, QStyle::SP_DialogSaveButton};
    case Id::Refresh:
        return {u"view-refresh"_s, QStyle::SP_BrowserReload};
    case Id::Search:
        return {u"edit-find"_s, QStyle::SP_FileDialogContentsView};
    case Id::Settings:
        return {u"preferences-system"_s, QStyle::SP_FileDialogDetailedView};
    case Id::Inbox:
        return {u"mail-unread"_s, QStyle::SP_MessageBoxInformation};
    case Id::Copy:
        return {u"edit-copy"_s, QStyle::SP_FileIcon};
    case Id::Export:
        return {u"document-save-as"_s, QStyle::SP_DialogSaveButton};
    case Id::Run:
        return {u"system-run"_s, QStyle::SP_MediaPlay};
    case Id::Send:
        return {u"mail-send"_s, QStyle::SP_ArrowRight};
    }
    return {QString(), QStyle::SP_FileIcon};
}

QPixmap paintAppIcon(int size, int count)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    // A rounded square with a "B": the app's mark when the theme has none.
    const QRectF square(size * 0.06, size * 0.06, size * 0.88, size * 0.88);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0x2f, 0x6f, 0xc9));
    painter.drawRoundedRect(square, size * 0.2, size * 0.2);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(qMax(6, int(size * 0.6)));
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(square, Qt::AlignCenter, u"B"_s);

    if (count > 0) {
        const QString text = count > 99 ? u"99+"_s : QString::number(count);
        QFont badgeFont = font;
        badgeFont.setPixelSize(qMax(6, int(size * 0.36)));
        painter.setFont(badgeFont);
        const qreal height = size * 0.5;
        const qreal width = qMax(height, QFontMetricsF(badgeFont).horizontalAdvance(text) + size * 0.16);
        const QRectF badge(size - width, 0, width, height);
        painter.setPen(QPen(Qt::white, qMax(1.0, size / 32.0)));
        painter.setBrush(QColor(0xd0, 0x30, 0x30));
        painter.drawRoundedRect(badge, height / 2, height / 2);
        painter.setPen(Qt::white);
        painter.drawText(badge, Qt::AlignCenter, text);
    }
    painter.end();
    return pixmap;
}
} // namespace

QIcon icon(Id id)
{
    static QHash<int, QIcon> cache;
    const auto it = cache.constFind(int(id));
    if (it != cache.constEnd())
        return *it;
    const Spec spec = specFor(id);
    QIcon result = QIcon::fromTheme(spec.themeName);
    if (result.isNull())
        result = QApplication::style()->standardIcon(spec.fallback);
    cache.insert(int(id), result);
    return result;
}

QIcon badgedAppIcon(int count)
{
    QIcon result;
    for (int size : {16, 22, 32, 48, 64})
        result.addPixmap(paintAppIcon(size, count));
    return result;
}

} // namespace banata::Icons
