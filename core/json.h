// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QMap>
#include <QString>

#include <nlohmann/json.hpp>
#include <optional>

namespace banata {

using Json = nlohmann::json;

/// A parse result: the value, or a message naming the offending field ("sandbox.status: ...").
template <typename T>
using Parsed = Expected<T, QString>;

QString fromStd(const std::string &s);
std::string toStd(const QString &s);

/// Parses bytes that must hold one JSON value; never throws.
Parsed<Json> parseJson(const QByteArray &bytes);
/// Serialises compactly; invalid UTF-8 inside strings is replaced, never thrown on.
QByteArray dumpJson(const Json &value);

/// A JSON object with one string member per entry ({} for an empty map), e.g. an env.
Json toJsonObject(const QMap<QString, QString> &map);

/// Appends \a text as a JSON string literal (quotes included) to \a out, in UTF-8. For hot paths
/// that write large arrays directly instead of building a Json tree first.
void appendJsonString(QByteArray &out, QStringView text);

/**
 * Strict field reader over one JSON object. Wrong types and missing required fields are errors,
 * not defaults; the first error is kept with its field path. Usage:
 *   JsonReader r(json, u"sandbox"_s);
 *   auto id = r.requiredString("id");
 *   if (!r.ok()) return Parsed<Sandbox>::failure(r.error());
 */
class JsonReader
{
public:
    JsonReader(const Json &object, QString context);

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    void fail(const char *key, const QString &message);
    bool has(const char *key) const;

    QString requiredString(const char *key);
    std::optional<QString> optionalString(const char *key); // absent or null -> nullopt
    qint64 requiredInt(const char *key);
    std::optional<qint64> optionalInt(const char *key);
    bool requiredBool(const char *key);
    std::optional<bool> optionalBool(const char *key);
    /// Returns the value if present and an object; null when absent or null.
    const Json *optionalObject(const char *key);
    const Json *optionalArray(const char *key);
    std::optional<QStringList> optionalStringList(const char *key);

    QString path(const char *key) const;

private:
    const Json *field(const char *key) const;

    const Json &m_object;
    QString m_context;
    QString m_error;
};

} // namespace banata
