// SPDX-License-Identifier: MIT
#include "downloaddelegate.h"

#include <QApplication>
#include <QHash>
#include <QMimeDatabase>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionProgressBar>

#include "core/downloads/downloaditem.h"
#include "models/downloadlistmodel.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {

constexpr int kMargin = 6;
constexpr int kIconSize = 32;
constexpr int kGap = 8;
constexpr int kBarHeight = 8;
constexpr int kLineGap = 3;

using State = DownloadItem::State;

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

/// The state line's colour: failures red, waits and questions amber, a verified file green.
QColor stateColor(State state, bool verified, const QStyleOptionViewItem &option)
{
    const bool dark = isDark(option.palette);
    switch (state) {
    case State::Failed:
        return dark ? QColor(0xff, 0x80, 0x80) : QColor(0xc6, 0x33, 0x33);
    case State::Waiting:
    case State::Conflict:
        return dark ? QColor(0xf0, 0xb0, 0x40) : QColor(0xa0, 0x5a, 0x00);
    case State::Completed:
        if (verified)
            return dark ? QColor(0x7c, 0xd0, 0x80) : QColor(0x2e, 0x7d, 0x32);
        break;
    default:
        break;
    }
    return option.palette.color(QPalette::Text);
}

/// The desktop's icon for the file's type, looked up once per type.
QIcon iconFor(const QString &fileName, DownloadRequest::Kind kind)
{
    static QHash<QString, QIcon> cache;
    static const QMimeDatabase mimes;
    const QMimeType mime = kind == DownloadRequest::Kind::Folder
                               ? mimes.mimeTypeForName(u"application/zip"_s)
                               : mimes.mimeTypeForFile(fileName, QMimeDatabase::MatchExtension);
    const auto it = cache.constFind(mime.name());
    if (it != cache.constEnd())
        return *it;
    QIcon icon = QIcon::fromTheme(mime.iconName(), QIcon::fromTheme(mime.genericIconName()));
    if (icon.isNull())
        icon = QApplication::style()->standardIcon(QStyle::SP_FileIcon);
    cache.insert(mime.name(), icon);
    return icon;
}

} // namespace

DownloadDelegate::DownloadDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{}

void DownloadDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // The selection and hover background, as any row has.
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const auto item = index.data(DownloadListModel::ItemRole).value<DownloadItem>();
    const bool selected = option.state & QStyle::State_Selected;
    const QColor text = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QColor faint = selected ? text : option.palette.color(QPalette::PlaceholderText);
    const QRect rect = option.rect.adjusted(kMargin, kMargin, -kMargin, -kMargin);

    painter->save();
    const QRect iconRect(rect.left(), rect.top(), kIconSize, kIconSize);
    iconFor(item.fileName, item.kind)
        .paint(painter, iconRect, Qt::AlignCenter,
               item.state == State::Cancelled ? QIcon::Disabled : QIcon::Normal);

    const int left = iconRect.right() + kGap;
    const int width = rect.right() - left;
    QFont nameFont = option.font;
    nameFont.setBold(true);
    const QFontMetrics nameMetrics(nameFont);
    const QFontMetrics metrics(option.font);
    int y = rect.top();

    painter->setFont(nameFont);
    painter->setPen(text);
    const QString name = index.data(DownloadListModel::FileNameRole).toString();
    painter->drawText(QRect(left, y, width, nameMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      nameMetrics.elidedText(name, Qt::ElideMiddle, width));
    y += nameMetrics.height() + kLineGap;

    painter->setFont(option.font);
    painter->setPen(faint);
    const QString source = index.data(DownloadListModel::SourceRole).toString();
    painter->drawText(QRect(left, y, width, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      metrics.elidedText(source, Qt::ElideMiddle, width));
    y += metrics.height() + kLineGap;

    QStyleOptionProgressBar bar;
    if (widget)
        bar.initFrom(widget);
    bar.palette = option.palette;
    bar.direction = option.direction;
    bar.rect = QRect(left, y, width, kBarHeight);
    bar.minimum = 0;
    bar.maximum = 1000;
    const int progress = index.data(DownloadListModel::ProgressRole).toInt();
    if (item.state == State::Completed)
        bar.progress = 1000;
    else if (progress < 0 && item.state == State::Running)
        bar.maximum = 0; // size unknown: the style's busy bar
    else
        bar.progress = qMax(0, progress);
    bar.textVisible = false;
    bar.state = QStyle::State_Horizontal;
    if (!item.isFinished())
        bar.state |= QStyle::State_Enabled;
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
    y += kBarHeight + kLineGap;

    painter->setPen(selected ? text : stateColor(item.state, item.verified, option));
    const QString state = index.data(DownloadListModel::StateTextRole).toString();
    painter->drawText(QRect(left, y, width, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      metrics.elidedText(state, Qt::ElideRight, width));
    painter->restore();
}

QSize DownloadDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    Q_UNUSED(index)
    QFont nameFont = option.font;
    nameFont.setBold(true);
    const int lines = QFontMetrics(nameFont).height() + 2 * QFontMetrics(option.font).height();
    const int height = kMargin * 2 + lines + kBarHeight + 3 * kLineGap;
    return {kMargin * 2 + kIconSize + kGap + 240, qMax(height, kIconSize + 2 * kMargin)};
}

} // namespace banata
