// SPDX-License-Identifier: MIT
#pragma once

#include <QImage>
#include <QScrollArea>

class QLabel;

namespace banata {

/**
 * An image in the preview pane: scaled down to fit (aspect kept, never blown up) until the
 * operator asks for actual size (double-click or setActualSize), then 1:1 with scroll bars.
 */
class ImageView final : public QScrollArea
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageView)

public:
    explicit ImageView(QWidget *parent = nullptr);

    /// Shows \a image (a null image clears the view).
    void setImage(const QImage &image);
    QSize imageSize() const { return m_image.size(); }
    /// The size the image is drawn at now.
    QSize shownSize() const;

    void setActualSize(bool actual);
    bool isActualSize() const { return m_actualSize; }

Q_SIGNALS:
    void actualSizeChanged(bool actual);

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void relayout();

    QLabel *m_label;
    QImage m_image;
    bool m_actualSize = false;
};

} // namespace banata
