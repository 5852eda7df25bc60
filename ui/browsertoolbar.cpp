// SPDX-License-Identifier: MIT
#include "browsertoolbar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QStyle>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace banata {

BrowserToolBar::BrowserToolBar(QWidget *parent)
    : QWidget(parent)
    , m_address(new QLineEdit(this))
    , m_reload(new QToolButton(this))
    , m_fit(new QToolButton(this))
    , m_start(new QToolButton(this))
    , m_title(new QLabel(this))
{
    setObjectName(u"browserToolBar"_s);
    m_address->setObjectName(u"addressEdit"_s);
    m_address->setPlaceholderText(tr("Address of the sandbox's page — Enter to go"));
    m_address->setClearButtonEnabled(true);
    m_reload->setObjectName(u"reloadButton"_s);
    m_reload->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_reload->setToolTip(tr("Reload the page in the sandbox's browser"));
    m_fit->setObjectName(u"fitButton"_s);
    m_fit->setText(tr("Fit"));
    m_fit->setToolTip(tr("Resize the sandbox's browser window to this view, so its page is shown unscaled"));
    m_start->setObjectName(u"startBrowserButton"_s);
    m_start->setText(tr("Start browser"));
    m_start->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_title->setObjectName(u"pageTitleLabel"_s);
    m_title->setTextFormat(Qt::PlainText);
    m_title->setMaximumWidth(260);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_reload);
    layout->addWidget(m_address, 1);
    layout->addWidget(m_title);
    layout->addWidget(m_fit);
    layout->addWidget(m_start);

    connect(m_address, &QLineEdit::returnPressed, this, &BrowserToolBar::navigate);
    connect(m_reload, &QToolButton::clicked, this, [this] {
        if (m_session)
            m_session->reload();
    });
    connect(m_fit, &QToolButton::clicked, this, &BrowserToolBar::fitRequested);
    connect(m_start, &QToolButton::clicked, this, [this] {
        if (m_session)
            m_session->start();
    });
    refresh();
}

void BrowserToolBar::setSession(BrowserSession *session)
{
    if (m_session == session)
        return;
    if (m_session)
        m_session->disconnect(this);
    m_session = session;
    m_address->clear();
    if (session) {
        connect(session, &BrowserSession::previewChanged, this, &BrowserToolBar::refresh);
        connect(session, &BrowserSession::busyChanged, this, &BrowserToolBar::refresh);
        connect(session, &BrowserSession::operationFinished, this, &BrowserToolBar::onFinished);
    }
    refresh();
}

void BrowserToolBar::refresh()
{
    const auto &preview = m_session ? m_session->preview() : std::nullopt;
    const bool running = preview && preview->status == u"running"_s;
    const bool navigating = m_session && m_session->isBusy(BrowserSession::Operation::Navigate);
    // Never overwrite what the operator is typing.
    if (preview && !m_address->hasFocus() && !m_address->isModified())
        m_address->setText(preview->url);
    const QString title = preview ? preview->title : QString();
    m_title->setText(m_title->fontMetrics().elidedText(title, Qt::ElideRight, m_title->maximumWidth()));
    m_title->setToolTip(title);
    m_address->setEnabled(running && !navigating);
    m_reload->setEnabled(running && !navigating && m_session &&
                         !m_session->isBusy(BrowserSession::Operation::Reload));
    m_fit->setEnabled(running && m_session && !m_session->isBusy(BrowserSession::Operation::Resize));
    const bool canStart = preview && (preview->status == u"stopped"_s || preview->status == u"crashed"_s);
    m_start->setVisible(canStart || (m_session && m_session->isBusy(BrowserSession::Operation::Start)));
    m_start->setEnabled(canStart && !m_session->isBusy(BrowserSession::Operation::Start));
}

void BrowserToolBar::navigate()
{
    if (!m_session)
        return;
    QString error;
    if (!BrowserSession::navigationUrl(m_address->text(), &error)) {
        Q_EMIT messageRequested(error, true);
        return;
    }
    m_session->navigate(m_address->text());
}

void BrowserToolBar::onFinished(BrowserSession::Operation operation, const QString &error)
{
    if (operation == BrowserSession::Operation::Navigate && error.isEmpty())
        m_address->setModified(false);
    if (!error.isEmpty())
        Q_EMIT messageRequested(error, true);
    refresh();
}

} // namespace banata
