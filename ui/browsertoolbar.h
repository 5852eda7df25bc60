// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QWidget>

#include "session/browsersession.h"

class QLabel;
class QLineEdit;
class QToolButton;

namespace banata {

/**
 * The controls of a sandbox's live browser: the address (the remote page's URL; Enter
 * navigates), Reload, Fit to view (resizes the remote window to the view) and Start browser when
 * it is not running. Drives the BrowserSession; errors go out as messageRequested. Named
 * "browserToolBar"; parts "addressEdit", "reloadButton", "fitButton", "startBrowserButton",
 * "pageTitleLabel".
 */
class BrowserToolBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BrowserToolBar)

public:
    explicit BrowserToolBar(QWidget *parent = nullptr);

    void setSession(BrowserSession *session);

Q_SIGNALS:
    /// Fit to view was asked for: the panel knows the view's size.
    void fitRequested();
    void messageRequested(const QString &text, bool error);

private:
    void refresh();
    void navigate();
    void onFinished(BrowserSession::Operation operation, const QString &error);

    QPointer<BrowserSession> m_session;
    QLineEdit *m_address;
    QToolButton *m_reload;
    QToolButton *m_fit;
    QToolButton *m_start;
    QLabel *m_title;
};

} // namespace banata
