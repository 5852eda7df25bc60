// SPDX-License-Identifier: MIT
#include "messagebar.h"

#include <QApplication>
#include <QGridLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace banata {

MessageBar::MessageBar(QWidget *parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_details(new QLabel(this))
    , m_detailsButton(new QToolButton(this))
    , m_closeButton(new QToolButton(this))
    , m_autoHide(new QTimer(this))
{
    setFrameShape(QFrame::StyledPanel);
    m_text->setObjectName(u"messageText"_s);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_details->setObjectName(u"messageDetails"_s);
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::PlainText);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->hide();

    m_detailsButton->setObjectName(u"messageDetailsButton"_s);
    m_detailsButton->setText(tr("Details"));
    m_detailsButton->setCheckable(true);
    m_detailsButton->setAutoRaise(true);
    m_detailsButton->hide();
    connect(m_detailsButton, &QToolButton::toggled, m_details, &QLabel::setVisible);

    m_closeButton->setObjectName(u"messageCloseButton"_s);
    m_closeButton->setAutoRaise(true);
    m_closeButton->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_closeButton->setToolTip(tr("Dismiss"));
    connect(m_closeButton, &QToolButton::clicked, this, &MessageBar::dismiss);

    m_autoHide->setSingleShot(true);
    connect(m_autoHide, &QTimer::timeout, this, &MessageBar::dismiss);

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->setHorizontalSpacing(8);
    layout->setVerticalSpacing(2);
    layout->addWidget(m_icon, 0, 0, Qt::AlignTop);
    layout->addWidget(m_text, 0, 1);
    layout->addWidget(m_detailsButton, 0, 2, Qt::AlignTop);
    layout->addWidget(m_closeButton, 0, 3, Qt::AlignTop);
    layout->addWidget(m_details, 1, 1, 1, 2);
    hide();
}

void MessageBar::showMessage(const QString &text, Type type, int autoHideMs)
{
    m_type = type;
    m_text->setText(text);
    setDetails({});
    applyStyle();
    show();
    if (autoHideMs > 0)
        m_autoHide->start(autoHideMs);
    else
        m_autoHide->stop();
}

void MessageBar::setDetails(const QString &details)
{
    m_detailsText = details;
    m_details->setText(details);
    m_detailsButton->setVisible(!details.isEmpty());
    m_detailsButton->setChecked(false);
    m_details->hide();
    setToolTip(details);
    // Someone reading the details must not lose them to the timer.
    if (!details.isEmpty())
        m_autoHide->stop();
}

void MessageBar::dismiss()
{
    m_autoHide->stop();
    if (isHidden())
        return;
    hide();
    Q_EMIT dismissed();
}

QString MessageBar::text() const
{
    return m_text->text();
}

void MessageBar::applyStyle()
{
    QColor tint;
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    switch (m_type) {
    case Info:
        tint = QColor(0x2f, 0x6f, 0xc9);
        break;
    case Positive:
        tint = QColor(0x2e, 0x8b, 0x57);
        break;
    case Warning:
        tint = QColor(0xc7, 0x86, 0x10);
        icon = QStyle::SP_MessageBoxWarning;
        break;
    case Error:
        tint = QColor(0xc6, 0x33, 0x33);
        icon = QStyle::SP_MessageBoxCritical;
        break;
    }
    const QPalette base = QApplication::palette();
    const QColor window = base.color(QPalette::Window);
    const float t = 0.14f;
    const QColor background = QColor::fromRgbF(window.redF() + (tint.redF() - window.redF()) * t,
                                               window.greenF() + (tint.greenF() - window.greenF()) * t,
                                               window.blueF() + (tint.blueF() - window.blueF()) * t);
    setStyleSheet(u"banata--MessageBar { border: 1px solid %1; border-radius: 4px; background-color: %2; }"_s.arg(
        tint.name(), background.name()));
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(size, size));
}

} // namespace banata
