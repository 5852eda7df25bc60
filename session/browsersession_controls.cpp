// SPDX-License-Identifier: MIT
// BrowserSession, part two: the browser controls (start, navigate, resize, reload) and what an
// address may be.
#include <QLoggingCategory>
#include <QRegularExpression>

#include "core/client/apiclient.h"
#include "session/browsersession.h"
#include "session/connection.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBrowserControls, "banata.session.browser.controls")

namespace banata {

namespace {
constexpr int kMinSide = 200; // what preview/resize accepts
constexpr int kMaxWidth = 3840;
constexpr int kMaxHeight = 2160;

quint32 bit(BrowserSession::Operation operation)
{
    return 1u << static_cast<int>(operation);
}
} // namespace

bool BrowserSession::isBusy(Operation operation) const
{
    return (m_busy & bit(operation)) != 0;
}

void BrowserSession::start()
{
    if (isBusy(Operation::Start)) {
        qCWarning(lcBrowserControls) << m_sandboxId << "start ignored: one is under way";
        return;
    }
    if (!canRequest()) {
        failLater(Operation::Start, unavailableReason());
        return;
    }
    run(Operation::Start, m_connection->client().startPreview(m_sandboxId));
}

void BrowserSession::navigate(const QString &text)
{
    if (isBusy(Operation::Navigate)) {
        qCWarning(lcBrowserControls) << m_sandboxId << "navigate ignored: one is under way";
        return;
    }
    QString error;
    const std::optional<QUrl> url = navigationUrl(text, &error);
    if (!url) {
        failLater(Operation::Navigate, error);
        return;
    }
    navigateTo(Operation::Navigate, url->toString(QUrl::FullyEncoded));
}

void BrowserSession::reload()
{
    if (isBusy(Operation::Reload)) {
        qCWarning(lcBrowserControls) << m_sandboxId << "reload ignored: one is under way";
        return;
    }
    if (!m_preview || m_preview->url.isEmpty()) {
        failLater(Operation::Reload, tr("There is no page to reload"));
        return;
    }
    navigateTo(Operation::Reload, m_preview->url);
}

void BrowserSession::navigateTo(Operation operation, const QString &url)
{
    if (!canRequest()) {
        failLater(operation, unavailableReason());
        return;
    }
    run(operation, m_connection->client().navigatePreview(m_sandboxId, url));
}

void BrowserSession::resize(const QSize &size)
{
    if (isBusy(Operation::Resize)) {
        qCWarning(lcBrowserControls) << m_sandboxId << "resize ignored: one is under way";
        return;
    }
    if (!canRequest()) {
        failLater(Operation::Resize, unavailableReason());
        return;
    }
    const int width = std::clamp(size.width(), kMinSide, kMaxWidth);
    const int height = std::clamp(size.height(), kMinSide, kMaxHeight);
    run(Operation::Resize, m_connection->client().resizePreview(m_sandboxId, width, height));
}

void BrowserSession::run(Operation operation, PreviewJob *job)
{
    setBusy(operation, true);
    connect(job, &PreviewJob::finished, this, [this, operation](const ApiResult<PreviewState> &result) {
        if (!result) {
            finishOperation(operation, result.error().displayText());
            return;
        }
        if (!m_preview || result->updatedAt == 0 || result->updatedAt >= m_preview->updatedAt)
            setPreview(result.value());
        finishOperation(operation, {});
    });
}

void BrowserSession::failLater(Operation operation, const QString &error)
{
    setBusy(operation, true);
    // Like every job's answer: never from inside the call that asked.
    QMetaObject::invokeMethod(
        this, [this, operation, error] { finishOperation(operation, error); }, Qt::QueuedConnection);
}

void BrowserSession::setBusy(Operation operation, bool busy)
{
    if (isBusy(operation) == busy)
        return;
    m_busy = busy ? (m_busy | bit(operation)) : (m_busy & ~bit(operation));
    Q_EMIT busyChanged(operation, busy);
}

void BrowserSession::finishOperation(Operation operation, const QString &error)
{
    if (!error.isEmpty())
        qCInfo(lcBrowserControls) << m_sandboxId << operation << "failed:" << error;
    setBusy(operation, false);
    Q_EMIT operationFinished(operation, error);
}

// ---- addresses ------------------------------------------------------------------------------

std::optional<QUrl> BrowserSession::navigationUrl(const QString &text, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::optional<QUrl>();
    };
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return fail(tr("Enter an address to open"));
    // "localhost:8080/x" names a host and a port, not a scheme called "localhost".
    static const QRegularExpression kScheme(u"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$"_s);
    static const QRegularExpression kPort(u"^\\d+([/?#].*)?$"_s);
    const QRegularExpressionMatch match = kScheme.match(trimmed);
    const bool hasScheme = match.hasMatch() && !kPort.match(match.captured(2)).hasMatch();
    const QUrl url(hasScheme ? trimmed : u"https://"_s + trimmed, QUrl::TolerantMode);
    const QString scheme = url.scheme().toLower();
    const QString notAllowed =
        tr("Only http and https addresses, file:/// paths and about:blank can be opened");
    if (!url.isValid())
        return fail(tr("“%1” is not a valid address").arg(trimmed));
    if (scheme == u"http" || scheme == u"https") {
        if (url.host().isEmpty())
            return fail(tr("“%1” has no host name").arg(trimmed));
        return url;
    }
    if (scheme == u"file") {
        if (!url.host().isEmpty() || !url.path().startsWith(u'/') ||
            !trimmed.startsWith(u"file:///"_s, Qt::CaseInsensitive))
            return fail(tr("Only files of the sandbox can be opened (file:///…)"));
        return url;
    }
    if (scheme == u"about" && url.path() == u"blank" && !url.hasQuery() && !url.hasFragment())
        return QUrl(u"about:blank"_s);
    return fail(notAllowed);
}

} // namespace banata
