// SPDX-License-Identifier: MIT
// Fuzz target `download_headers`: the headers of a download answer the client acts on. Input:
// a Content-Range value on the first line, a Repr-Digest value after.
// Invariants: no crash or UB; an accepted Content-Range is a real range (first <= last < total)
// whose numbers are exactly the header's digits (no wrap-around past 2^63), and reads back the
// same when written canonically; a Repr-Digest gives either nothing or 64 lowercase hex digits
// that read back from their own canonical header.
#include "core/client/transferheaders.h"
#include "core/files.h"
#include "fuzzcheck.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {

// The digits of \a number as a header would carry them, leading zeros dropped.
bool sameNumber(QByteArrayView digits, qint64 number)
{
    while (digits.size() > 1 && digits.front() == '0')
        digits = digits.sliced(1);
    return digits == QByteArray::number(number);
}

void checkContentRange(QByteArrayView header)
{
    const auto range = parseContentRange(header);
    if (!range)
        return;
    FUZZ_CHECK(range->first >= 0 && range->first <= range->last);
    FUZZ_CHECK(range->total == -1 || range->last < range->total);
    // The numbers are the header's: split "bytes F-L/T" by hand and compare the digits.
    const QByteArray text = header.trimmed().toByteArray();
    const qsizetype dash = text.indexOf('-');
    const qsizetype slash = text.indexOf('/');
    FUZZ_CHECK(dash > 0 && slash > dash);
    const QByteArray first = text.first(dash).sliced(5).trimmed();
    FUZZ_CHECK_MSG(sameNumber(first, range->first), QString::fromLatin1(text));
    FUZZ_CHECK_MSG(sameNumber(text.sliced(dash + 1, slash - dash - 1), range->last),
                   QString::fromLatin1(text));
    if (range->total >= 0)
        FUZZ_CHECK_MSG(sameNumber(text.sliced(slash + 1), range->total), QString::fromLatin1(text));
    const QByteArray canonical = "bytes "_ba + QByteArray::number(range->first) + '-' +
                                 QByteArray::number(range->last) + '/' +
                                 (range->total < 0 ? "*"_ba : QByteArray::number(range->total));
    FUZZ_CHECK(parseContentRange(canonical) == range);
}

void checkReprDigest(QByteArrayView header)
{
    const QString hex = sha256FromReprDigest(header);
    if (hex.isEmpty())
        return;
    FUZZ_CHECK_MSG(isSha256Hex(hex), hex);
    const QByteArray canonical = "sha-256=:"_ba + QByteArray::fromHex(hex.toLatin1()).toBase64() + ':';
    FUZZ_CHECK(sha256FromReprDigest(canonical) == hex);
    FUZZ_CHECK(sha256FromReprDigest(QByteArray("sha-512=:AAAA:, "_ba + canonical + ";p=1"_ba)) == hex);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::bytes(data, size);
    const qsizetype newline = input.indexOf('\n');
    const QByteArrayView contentRange = newline < 0 ? input : input.first(newline);
    const QByteArrayView reprDigest = newline < 0 ? input : input.sliced(newline + 1);
    checkContentRange(contentRange);
    checkReprDigest(reprDigest);
    return 0;
}
