// SPDX-License-Identifier: MIT
#include "webhookrequest.h"

#include <algorithm>

#include <QRegularExpression>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr int kMaxUrlLength = 2048;
constexpr int kMaxDescriptionLength = 500;
constexpr int kMaxEventTypes = 100;
} // namespace

bool isWebhookEventTypePattern(const QString &pattern)
{
    static const QRegularExpression re(u"^(\\*|[a-z0-9_-]+(\\.[a-z0-9_-]+)*(\\.\\*)?)$"_s);
    return pattern.size() <= 200 && re.match(pattern).hasMatch();
}

Expected<CreateWebhookRequest, QString> parseCreateWebhookRequest(const Json &body)
{
    using Result = Expected<CreateWebhookRequest, QString>;
    JsonReader r(body, u"body"_s);
    CreateWebhookRequest request;
    request.url = r.requiredString("url");
    request.description = r.optionalString("description");
    if (r.has("eventTypes") && r.has("event_types"))
        return Result::failure(u"body: give either eventTypes or event_types, not both"_s);
    request.eventTypes =
        r.optionalStringList(r.has("event_types") ? "event_types" : "eventTypes").value_or(QStringList());
    request.enabled = r.optionalBool("enabled");
    if (!r.ok())
        return Result::failure(r.error());

    const QUrl url(request.url, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (request.url.size() > kMaxUrlLength || !url.isValid() || url.isRelative() || url.host().isEmpty() ||
        (scheme != u"http" && scheme != u"https")) {
        return Result::failure(
            u"Invalid url: '%1'. Must be an absolute http or https URL"_s.arg(request.url.left(200)));
    }
    if (request.description && request.description->size() > kMaxDescriptionLength)
        return Result::failure(u"body.description: at most %1 characters"_s.arg(kMaxDescriptionLength));
    if (request.eventTypes.size() > kMaxEventTypes)
        return Result::failure(u"body.eventTypes: at most %1 entries"_s.arg(kMaxEventTypes));
    for (const QString &pattern : std::as_const(request.eventTypes)) {
        if (!isWebhookEventTypePattern(pattern)) {
            return Result::failure(u"Invalid event type: '%1'. Use a name like sandbox.ready, a prefix like "
                                   u"sandbox.handoff.* or *"_s.arg(pattern.left(200)));
        }
    }
    request.eventTypes.removeDuplicates();
    return request;
}

std::optional<std::chrono::milliseconds> parseWebhookRetryAfter(QByteArrayView value, const QDateTime &now)
{
    const QByteArrayView trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = trimmed.toLongLong(&ok);
    if (ok && seconds >= 0)
        return std::chrono::milliseconds(std::min<qint64>(seconds, 86400) * 1000);
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(trimmed), Qt::RFC2822Date);
    if (!when.isValid())
        return std::nullopt;
    return std::chrono::milliseconds(std::max<qint64>(0, now.msecsTo(when)));
}

} // namespace banata::server
