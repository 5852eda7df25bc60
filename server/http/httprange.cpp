// SPDX-License-Identifier: MIT
#include "httprange.h"

#include <QStringBuilder>

#include <limits>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {

// Digits only (no sign, no spaces); nullopt on overflow so a huge offset cannot wrap around.
std::optional<qint64> parseOffset(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        if (value > (std::numeric_limits<qint64>::max() - (c - '0')) / 10)
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

QByteArray ByteRange::contentRange(qint64 size) const
{
    if (!satisfiable)
        return "bytes */"_ba + QByteArray::number(size);
    return "bytes "_ba + QByteArray::number(first) + '-' + QByteArray::number(last) + '/'
         + QByteArray::number(size);
}

std::optional<ByteRange> parseRangeHeader(QByteArrayView header, qint64 size)
{
    const QByteArrayView trimmed = header.trimmed();
    if (size < 0 || trimmed.size() < 6 || trimmed.first(6).compare("bytes=", Qt::CaseInsensitive) != 0)
        return std::nullopt;
    const QByteArrayView spec = trimmed.sliced(6).trimmed();
    // Several ranges would need multipart/byteranges; sending the whole body is allowed instead.
    if (spec.contains(','))
        return std::nullopt;
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0)
        return std::nullopt;
    const QByteArrayView firstText = spec.first(dash).trimmed();
    const QByteArrayView lastText = spec.sliced(dash + 1).trimmed();

    if (firstText.isEmpty()) { // suffix: the last N bytes
        const auto suffix = parseOffset(lastText);
        if (!suffix)
            return std::nullopt;
        if (*suffix == 0 || size == 0)
            return ByteRange::unsatisfiable();
        return ByteRange{std::max<qint64>(0, size - *suffix), size - 1, true};
    }

    const auto first = parseOffset(firstText);
    if (!first)
        return std::nullopt;
    qint64 last = size - 1;
    if (!lastText.isEmpty()) {
        const auto requestedLast = parseOffset(lastText);
        if (!requestedLast || *requestedLast < *first)
            return std::nullopt;
        last = std::min(*requestedLast, size - 1);
    }
    if (*first >= size)
        return ByteRange::unsatisfiable();
    return ByteRange{*first, last, true};
}

} // namespace banata::server
