// SPDX-License-Identifier: MIT
#include "json.h"

#include <QStringList>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace banata {

QString fromStd(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

std::string toStd(const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    return std::string(utf8.constData(), size_t(utf8.size()));
}

Parsed<Json> parseJson(const QByteArray &bytes)
{
    Json value = Json::parse(bytes.cbegin(), bytes.cend(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded())
        return Parsed<Json>::failure(u"malformed JSON"_s);
    return value;
}

QByteArray dumpJson(const Json &value)
{
    const std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    return QByteArray(text.data(), qsizetype(text.size()));
}

Json toJsonObject(const QMap<QString, QString> &map)
{
    Json out = Json::object();
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        out[toStd(it.key())] = toStd(it.value());
    return out;
}

void appendJsonString(QByteArray &out, QStringView text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8(); // unpaired surrogates become U+FFFD, as nlohmann's replace does
    out.append('"');
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.append('\\');
            out.append(c);
        } else if (byte < 0x20) {
            out.append("\\u00", 4);
            out.append(kHex[byte >> 4]);
            out.append(kHex[byte & 0xf]);
        } else {
            out.append(c);
        }
    }
    out.append('"');
}

namespace {
QString typeName(const Json &v)
{
    return QString::fromLatin1(v.type_name());
}
} // namespace

JsonReader::JsonReader(const Json &object, QString context)
    : m_object(object)
    , m_context(std::move(context))
{
    if (!m_object.is_object())
        m_error = m_context + u": expected an object, got "_s + typeName(m_object);
}

QString JsonReader::path(const char *key) const
{
    return m_context + u'.' + QLatin1StringView(key);
}

void JsonReader::fail(const char *key, const QString &message)
{
    if (m_error.isEmpty())
        m_error = path(key) + u": "_s + message;
}

bool JsonReader::has(const char *key) const
{
    const Json *v = field(key);
    return v && !v->is_null();
}

const Json *JsonReader::field(const char *key) const
{
    if (!m_object.is_object())
        return nullptr;
    const auto it = m_object.find(key);
    return it == m_object.end() ? nullptr : &*it;
}

QString JsonReader::requiredString(const char *key)
{
    const Json *v = field(key);
    if (!v) {
        fail(key, u"missing"_s);
        return {};
    }
    if (!v->is_string()) {
        fail(key, u"expected a string, got "_s + typeName(*v));
        return {};
    }
    return fromStd(v->get_ref<const std::string &>());
}

std::optional<QString> JsonReader::optionalString(const char *key)
{
    const Json *v = field(key);
    if (!v || v->is_null())
        return std::nullopt;
    if (!v->is_string()) {
        fail(key, u"expected a string, got "_s + typeName(*v));
        return std::nullopt;
    }
    return fromStd(v->get_ref<const std::string &>());
}

qint64 JsonReader::requiredInt(const char *key)
{
    const Json *v = field(key);
    if (!v) {
        fail(key, u"missing"_s);
        return 0;
    }
    const auto value = optionalInt(key);
    return value.value_or(0);
}

std::optional<qint64> JsonReader::optionalInt(const char *key)
{
    const Json *v = field(key);
    if (!v || v->is_null())
        return std::nullopt;
    if (v->is_number_unsigned()) {
        // Above 2^63 - 1 it would wrap around to a negative number.
        const auto value = v->get<quint64>();
        if (value <= quint64(std::numeric_limits<qint64>::max()))
            return qint64(value);
        fail(key, u"expected an integer, got %1 (out of range)"_s.arg(value));
        return std::nullopt;
    }
    if (v->is_number_integer())
        return v->get<qint64>();
    // JSON has one number type: accept integral doubles (1.0), reject fractions and overflow.
    // The range is checked before converting: a double outside qint64 does not convert (UB).
    if (v->is_number_float()) {
        const double d = v->get<double>();
        if (d > -9.2e18 && d < 9.2e18 && d == std::trunc(d))
            return qint64(d);
        fail(key, u"expected an integer, got "_s + QString::number(d));
        return std::nullopt;
    }
    fail(key, u"expected an integer, got "_s + typeName(*v));
    return std::nullopt;
}

bool JsonReader::requiredBool(const char *key)
{
    const Json *v = field(key);
    if (!v) {
        fail(key, u"missing"_s);
        return false;
    }
    return optionalBool(key).value_or(false);
}

std::optional<bool> JsonReader::optionalBool(const char *key)
{
    const Json *v = field(key);
    if (!v || v->is_null())
        return std::nullopt;
    if (!v->is_boolean()) {
        fail(key, u"expected a boolean, got "_s + typeName(*v));
        return std::nullopt;
    }
    return v->get<bool>();
}

const Json *JsonReader::optionalObject(const char *key)
{
    const Json *v = field(key);
    if (!v || v->is_null())
        return nullptr;
    if (!v->is_object()) {
        fail(key, u"expected an object, got "_s + typeName(*v));
        return nullptr;
    }
    return v;
}

const Json *JsonReader::optionalArray(const char *key)
{
    const Json *v = field(key);
    if (!v || v->is_null())
        return nullptr;
    if (!v->is_array()) {
        fail(key, u"expected an array, got "_s + typeName(*v));
        return nullptr;
    }
    return v;
}

std::optional<QStringList> JsonReader::optionalStringList(const char *key)
{
    const Json *array = optionalArray(key);
    if (!array)
        return std::nullopt;
    QStringList out;
    out.reserve(qsizetype(array->size()));
    for (const Json &item : *array) {
        if (!item.is_string()) {
            fail(key, u"expected an array of strings, found "_s + typeName(item));
            return std::nullopt;
        }
        out.append(fromStd(item.get_ref<const std::string &>()));
    }
    return out;
}

} // namespace banata
