// SPDX-License-Identifier: MIT
#include "models/modeltext.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

#include <iterator>

using namespace Qt::StringLiterals;

namespace banata::modeltext {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("banata::ModelText", text);
}

constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;
} // namespace

QString oneLine(QStringView text, qsizetype maxChars)
{
    const qsizetype newline = text.indexOf(u'\n');
    QStringView line = newline >= 0 ? text.left(newline) : text;
    bool dropped = newline >= 0 && !text.mid(newline).trimmed().isEmpty();
    line = line.trimmed();
    if (line.size() > maxChars) {
        line = line.left(qMax<qsizetype>(0, maxChars - 1));
        dropped = true;
    }
    return dropped ? line.toString() + u'…' : line.toString();
}

QString capped(const QString &text, qsizetype maxChars)
{
    if (text.size() <= maxChars)
        return text;
    return QStringView(text).left(qMax<qsizetype>(0, maxChars - 1)).toString() + u'…';
}

QString durationText(qint64 ms)
{
    ms = qMax<qint64>(0, ms);
    if (ms < kSecond)
        return tr("%1 ms").arg(ms);
    if (ms < kMinute)
        return tr("%1 s").arg(ms / kSecond);
    if (ms < kHour)
        return tr("%1 min %2 s").arg(ms / kMinute).arg((ms % kMinute) / kSecond);
    if (ms < kDay)
        return tr("%1 h %2 min").arg(ms / kHour).arg((ms % kHour) / kMinute);
    return tr("%1 d %2 h").arg(ms / kDay).arg((ms % kDay) / kHour);
}

QString ageText(qint64 ms)
{
    if (ms < kMinute)
        return tr("< 1 min");
    if (ms < kHour)
        return tr("%1 min").arg(ms / kMinute);
    if (ms < kDay)
        return tr("%1 h").arg(ms / kHour);
    return tr("%1 d").arg(ms / kDay);
}

QString dateTimeText(qint64 epochMs)
{
    return QDateTime::fromMSecsSinceEpoch(epochMs).toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

QString sizeText(qint64 bytes)
{
    bytes = qMax<qint64>(0, bytes);
    if (bytes < 1024)
        return bytes == 1 ? tr("1 byte") : tr("%1 bytes").arg(bytes);
    static const char *const units[] = {QT_TRANSLATE_NOOP("banata::ModelText", "KB"),
                                        QT_TRANSLATE_NOOP("banata::ModelText", "MB"),
                                        QT_TRANSLATE_NOOP("banata::ModelText", "GB"),
                                        QT_TRANSLATE_NOOP("banata::ModelText", "TB"),
                                        QT_TRANSLATE_NOOP("banata::ModelText", "PB"),
                                        QT_TRANSLATE_NOOP("banata::ModelText", "EB")};
    double value = double(bytes) / 1024.0;
    size_t unit = 0;
    while (value >= 1023.95 && unit + 1 < std::size(units)) {
        value /= 1024.0;
        ++unit;
    }
    // "3.2 MB" but "42 KB": a tenth only where it changes what people read.
    const int precision = value < 9.95 ? 1 : 0;
    return tr("%1 %2").arg(QLocale().toString(value, 'f', precision), tr(units[unit]));
}

QString handoffReasonText(const QString &reason)
{
    if (reason == u"mfa")
        return tr("MFA");
    if (reason == u"captcha")
        return tr("CAPTCHA");
    if (reason == u"approval")
        return tr("Approval");
    if (reason == u"login_failed")
        return tr("Login failed");
    if (reason == u"ambiguous_ui")
        return tr("Unclear page");
    if (reason == u"file_download")
        return tr("File download");
    if (reason == u"custom" || reason.isEmpty())
        return tr("Other");
    return capped(reason, 40);
}

QString handoffOutcomeText(const QString &outcome)
{
    if (outcome == u"done")
        return tr("done");
    if (outcome == u"failed")
        return tr("failed");
    if (outcome == u"needs_info")
        return tr("needs more information");
    return capped(outcome, 40);
}

QString jsonString(const Json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string())
        return {};
    return fromStd(it->get_ref<const std::string &>());
}

std::optional<qint64> jsonInt(const Json &object, const char *key)
{
    if (!object.is_object())
        return std::nullopt;
    const auto it = object.find(key);
    if (it == object.end())
        return std::nullopt;
    if (it->is_number_integer())
        return it->get<qint64>();
    if (it->is_number_float()) {
        const double value = it->get<double>();
        if (value > -9.0e18 && value < 9.0e18)
            return qint64(value);
    }
    return std::nullopt;
}

std::optional<bool> jsonBool(const Json &object, const char *key)
{
    if (!object.is_object())
        return std::nullopt;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_boolean())
        return std::nullopt;
    return it->get<bool>();
}

const Json *jsonObject(const Json &object, const char *key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it != object.end() && it->is_object() ? &*it : nullptr;
}

const Json *jsonArray(const Json &object, const char *key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it != object.end() && it->is_array() ? &*it : nullptr;
}

QString prettyJson(const Json &value, qsizetype maxChars)
{
    const std::string text = value.dump(2, ' ', false, Json::error_handler_t::replace);
    return capped(fromStd(text), maxChars);
}

} // namespace banata::modeltext
