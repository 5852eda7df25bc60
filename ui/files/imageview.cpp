// SPDX-License-Identifier: MIT
#include "imageview.h"

#include <QEvent>
#include <QLabel>
#include <QPixmap>

using namespace Qt::StringLiterals;

namespace banata {

ImageView::ImageView(QWidget *parent)
    : QScrollArea(parent)
    , m_label(new QLabel(this))
{
    m_label->setObjectName(u"previewImageLabel"_s);
    m_label->setAlignment(Qt::AlignCenter);
    m_label->installEventFilter(this);
    setWidget(m_label);
    setWidgetResizable(false);
    setAlignment(Qt::AlignCenter);
    setFrameShape(QFrame::NoFrame);
    setBackgroundRole(QPalette::Dark);
    setToolTip(tr("Double-click to switch between fit and actual size"));
}

void ImageView::setImage(const QImage &image)
{
    m_image = image;
    relayout();
}

QSize ImageView::shownSize() const
{
    return m_label->pixmap().isNull() ? QSize() : m_label->pixmap().deviceIndependentSize().toSize();
}

void ImageView::setActualSize(bool actual)
{
    if (m_actualSize == actual)
        return;
    m_actualSize = actual;
    relayout();
    Q_EMIT actualSizeChanged(actual);
}

void ImageView::resizeEvent(QResizeEvent *event)
{
    QScrollArea::resizeEvent(event);
    if (!m_actualSize)
        relayout();
}

bool ImageView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_label && event->type() == QEvent::MouseButtonDblClick) {
        setActualSize(!m_actualSize);
        return true;
    }
    return QScrollArea::eventFilter(watched, event);
}

void ImageView::relayout()
{
    if (m_image.isNull()) {
        m_label->clear();
        m_label->resize(0, 0);
        return;
    }
    QSize target = m_image.size();
    if (!m_actualSize) {
        // Fit: only ever scale down; a 16-pixel icon stays 16 pixels, not a blur.
        const QSize room = viewport()->size();
        if (target.width() > room.width() || target.height() > room.height())
            target = target.scaled(room.expandedTo(QSize(1, 1)), Qt::KeepAspectRatio);
    }
    const qreal ratio = devicePixelRatioF();
    QPixmap pixmap =
        QPixmap::fromImage(target == m_image.size() ? m_image
                                                    : m_image.scaled(target * ratio, Qt::KeepAspectRatio,
                                                                     Qt::SmoothTransformation));
    if (target != m_image.size())
        pixmap.setDevicePixelRatio(ratio);
    m_label->setPixmap(pixmap);
    m_label->resize(target);
    setHorizontalScrollBarPolicy(m_actualSize ? Qt::ScrollBarAsNeeded : Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(m_actualSize ? Qt::ScrollBarAsNeeded : Qt::ScrollBarAlwaysOff);
}

} // namespace banata
