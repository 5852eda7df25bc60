// SPDX-License-Identifier: MIT
#pragma once

#include <QFrame>

class QLabel;
class QTimer;
class QToolButton;

namespace banata {

/**
 * An inline, dismissible message (KMessageWidget-like): errors and results are data shown where
 * the operator looks, not modal dialogs. Optional details expand under the text and also show on
 * hover; an optional timeout hides the bar by itself.
 *
 * Usage: m_bar->showMessage(tr("Could not pause: %1").arg(error), MessageBar::Error);
 */
class MessageBar final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageBar)

public:
    enum Type { Info, Positive, Warning, Error };
    Q_ENUM(Type)

    explicit MessageBar(QWidget *parent = nullptr);

    /// Shows \a text (plain) and replaces any earlier message; \a autoHideMs 0 keeps it up.
    void showMessage(const QString &text, Type type, int autoHideMs = 0);
    /// Extra lines behind a "Details" toggle (and the tooltip); empty removes the toggle.
    void setDetails(const QString &details);
    void dismiss();

    QString text() const;
    QString details() const { return m_detailsText; }
    Type type() const { return m_type; }

Q_SIGNALS:
    void dismissed();

private:
    void applyStyle();

    QLabel *m_icon;
    QLabel *m_text;
    QLabel *m_details;
    QToolButton *m_detailsButton;
    QToolButton *m_closeButton;
    QTimer *m_autoHide;
    QString m_detailsText;
    Type m_type = Info;
};

} // namespace banata
