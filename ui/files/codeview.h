// SPDX-License-Identifier: MIT
#pragma once

#include <QPlainTextEdit>

namespace banata {

/**
 * A read-only view of source or text with a line-number gutter: monospace, no wrapping, the
 * current line's number in bold. Used by the Files tab's preview for text and JSON.
 */
class CodeView final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CodeView)

public:
    explicit CodeView(QWidget *parent = nullptr);

    /// The gutter's width in pixels (0 only while there is no document).
    int gutterWidth() const;
    /// Paints the gutter; called by its widget.
    void paintGutter(QPaintEvent *event);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateGutterWidth();
    void updateGutter(const QRect &rect, int dy);

    QWidget *m_gutter;
};

} // namespace banata
