// SPDX-License-Identifier: MIT
#include "apierror.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace banata {

std::optional<int> parseRetryAfter(const QByteArray &header)
{
    const QByteArray trimmed = header.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    bool ok = false;
    const int seconds = trimmed.toInt(&ok);
    if (ok)
        return seconds >= 0 ? std::optional<int>(std::min(seconds, 24 * 3600)) : std::nullopt;
    const QDateTime when = QLocale::c().toDateTime(QString::fromLatin1(trimmed), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s);
    if (!when.isValid())
        return std::nullopt;
    QDateTime utc = when;
    utc.setTimeSpec(Qt::UTC);
    const qint64 delta = QDateTime::currentDateTimeUtc().secsTo(utc);
    return int(std::clamp<qint64>(delta, 0, 24 * 3600));
}

ApiError ApiError::fromResponse(int httpStatus, const QByteArray &body, const QByteArray &retryAfterHeader)
{
    ApiError error;
    error.kind = Kind::Http;
    error.httpStatus = httpStatus;
    error.retryAfterSeconds = parseRetryAfter(retryAfterHeader);
    if (auto json = parseJson(body); json && json->is_object()) {
        JsonReader r(*json, u"error"_s);
        error.message = r.optionalString("error").value_or(QString());
        error.code = r.optionalString("code").value_or(QString());
    }
    if (error.message.isEmpty())
        error.message = u"HTTP %1"_s.arg(httpStatus);
    // Keep hostile servers from flooding the UI with one giant line.
    if (error.message.size() > 500)
        error.message = error.message.left(500) + u'…';
    return error;
}

bool ApiError::isTransient() const
{
    switch (kind) {
    case Kind::Network:
    case Kind::Timeout:
        return true;
    case Kind::Http:
        return httpStatus == 429 || httpStatus == 502 || httpStatus == 503 || httpStatus == 504;
    case Kind::Protocol:
    case Kind::Aborted:
        return false;
    }
    return false;
}

QString ApiError::displayText() const
{
    if (kind == Kind::Http && message != u"HTTP %1"_s.arg(httpStatus))
        return u"%1 (%2)"_s.arg(message).arg(httpStatus);
    return message;
}

Json ApiError::toJson() const
{
    Json out = {{"error", toStd(message)}};
    if (!code.isEmpty())
        out["code"] = toStd(code);
    return out;
}

} // namespace banata
