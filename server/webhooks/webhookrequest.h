// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>

#include <QByteArrayView>
#include <QDateTime>
#include <QString>

#include "core/expected.h"
#include "core/json.h"
#include "core/webhook.h"

namespace banata::server {

/// True for an event-type selector a webhook may subscribe with: "sandbox.ready",
/// "sandbox.handoff.*" or "*" (lowercase dotted names, a wildcard only at the end, ≤ 200 chars).
bool isWebhookEventTypePattern(const QString &pattern);

/// Parses and validates the body of `POST /v1/webhooks`: an absolute http(s) url (≤ 2048 chars),
/// an optional description (≤ 500), eventTypes or event_types (not both; ≤ 100 patterns,
/// duplicates dropped), optional enabled. The error is the message of the 400 answer.
banata::Expected<banata::CreateWebhookRequest, QString> parseCreateWebhookRequest(const banata::Json &body);

/// A receiver's `Retry-After` (delta-seconds, capped at a day, or an RFC 2822 date, relative to
/// \a now); nullopt when absent or unreadable. Never negative.
std::optional<std::chrono::milliseconds> parseWebhookRetryAfter(QByteArrayView value, const QDateTime &now);

} // namespace banata::server
