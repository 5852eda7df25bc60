// SPDX-License-Identifier: MIT
// BrowserService's commands on a running Chromium: navigate and resize the page the preview follows.
#include "browserservice.h"
#include "browserservice_p.h"

#include "cdpconnection.h"
#include "cdpjson.h"

#include "server/sandboxmanager.h"

#include <QLoggingCategory>
#include <QPointer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBrowserCommands, "banata.server.browser.commands", QtInfoMsg)

namespace banata::server {

namespace {
using Result = Expected<PreviewState, ApiError>;

ApiError cdpFailure(const Json &error)
{
    return {ApiError::Kind::Http, 502, u"The browser refused: "_s + fromStd(cdpString(error, "message").empty() ? std::string("unknown") : cdpString(error, "message")),
            u"BROWSER_ERROR"_s, {}};
}
} // namespace

std::optional<ApiError> BrowserService::checkRunning(const QString &sandboxId) const
{
    if (auto refusal = m_sandboxes->checkAcceptsWork(sandboxId))
        return refusal;
    const Instance *inst = instance(sandboxId);
    if (!inst || inst->state.status != u"running" || !inst->cdp || inst->activeSession.isEmpty())
        return ApiError{ApiError::Kind::Http, 409, u"The browser is not running; start it with preview/start"_s,
                        u"BROWSER_NOT_RUNNING"_s, {}};
    return std::nullopt;
}

void BrowserService::navigate(const QString &sandboxId, const QUrl &url, QObject *context, StateCallback done)
{
    if (auto refusal = checkRunning(sandboxId)) {
        done(Result::failure(*refusal));
        return;
    }
    Instance *inst = instance(sandboxId);
    qCInfo(lcBrowserCommands).noquote() << sandboxId << "navigate" << url.toDisplayString();
    inst->cdp->send(
        u"Page.navigate"_s, {{"url", toStd(url.toString(QUrl::FullyEncoded))}},
        [this, sandboxId, context = QPointer<QObject>(context), done](bool ok, const Json &result) {
            if (!context)
                return;
            if (!ok) {
                done(Result::failure(cdpFailure(result)));
                return;
            }
            // Chromium answers errorText for pages that cannot load (refused, DNS): an error to
            // the caller, though the tab now shows Chromium's error page.
            if (const std::string errorText = cdpString(result, "errorText"); !errorText.empty()) {
                done(Result::failure({ApiError::Kind::Http, 502, u"Navigation failed: "_s + fromStd(errorText),
                                      u"NAVIGATION_FAILED"_s, {}}));
                return;
            }
            done(state(sandboxId));
        },
        inst->activeSession);
}

void BrowserService::resize(const QString &sandboxId, int width, int height, QObject *context, StateCallback done)
{
    if (auto refusal = checkRunning(sandboxId)) {
        done(Result::failure(*refusal));
        return;
    }
    Instance *inst = instance(sandboxId);
    CdpConnection *cdp = inst->cdp;
    const auto answer = [this, sandboxId, width, height, context = QPointer<QObject>(context), done](bool ok,
                                                                                                   const Json &result) {
        if (!context)
            return;
        if (!ok) {
            done(Result::failure(cdpFailure(result)));
            return;
        }
        if (Instance *current = instance(sandboxId)) {
            current->state.viewport = {width, height};
            changed(*current);
        }
        done(state(sandboxId));
    };
    // The window, not an emulation override of one tab: new tabs get the same size.
    cdp->send(u"Browser.getWindowForTarget"_s, {{"targetId", toStd(inst->activeTarget)}},
              [cdp = QPointer<CdpConnection>(cdp), width, height, answer](bool ok, const Json &result) {
                  if (!ok || !cdp) {
                      answer(false, result);
                      return;
                  }
                  cdp->send(u"Browser.setWindowBounds"_s,
                            {{"windowId", cdpInt(result, "windowId")},
                             {"bounds", {{"width", width}, {"height", height}, {"windowState", "normal"}}}},
                            answer);
              });
}

} // namespace banata::server
