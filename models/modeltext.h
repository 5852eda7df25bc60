// SPDX-License-Identifier: MIT
#pragma once

#include "core/json.h"

#include <QString>

#include <optional>

/// Formatting and defensive JSON reading shared by the models (and the widgets that show the same
/// texts, so a reason or a duration reads the same everywhere).
namespace banata::modeltext {

/// The first line of \a text, trimmed and cut to \a maxChars with "…" when anything was dropped.
QString oneLine(QStringView text, qsizetype maxChars);
/// \a text cut to \a maxChars, with "…" when it was longer.
QString capped(const QString &text, qsizetype maxChars);
/// A span for people: "45 s", "2 min 5 s", "3 h 10 min", "2 d 4 h".
QString durationText(qint64 ms);
/// A short span for the list: "< 1 min", "3 min", "2 h", "5 d".
QString ageText(qint64 ms);
/// Local date and time for people ("2026-02-26 14:05:09").
QString dateTimeText(qint64 epochMs);
/// A byte count for people, in 1024s with one decimal below 10 units: "512 bytes", "3.2 MB", "42 KB".
QString sizeText(qint64 bytes);
/// The display name of a documented handoff reason ("mfa" → "MFA"); other reasons as given.
QString handoffReasonText(const QString &reason);
/// The display text of a handoff outcome ("needs_info" → "needs more information").
QString handoffOutcomeText(const QString &outcome);

/// Members of a JSON object that may be missing, null or of the wrong type (never throws).
QString jsonString(const Json &object, const char *key);
std::optional<qint64> jsonInt(const Json &object, const char *key);
std::optional<bool> jsonBool(const Json &object, const char *key);
/// Null when absent or not an object.
const Json *jsonObject(const Json &object, const char *key);
const Json *jsonArray(const Json &object, const char *key);
/// Indented JSON text, cut to \a maxChars; never throws on bad UTF-8.
QString prettyJson(const Json &value, qsizetype maxChars);

} // namespace banata::modeltext
