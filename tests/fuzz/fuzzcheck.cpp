// SPDX-License-Identifier: MIT
#include "fuzzcheck.h"

#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace banata::fuzz {

void failCheck(const char *file, int line, const char *condition, const QString &detail)
{
    std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, condition);
    if (!detail.isEmpty())
        std::fprintf(stderr, "  %s\n", detail.left(2000).toUtf8().constData());
    std::fflush(stderr);
    std::abort();
}

QByteArrayView bytes(const uint8_t *data, size_t size)
{
    return QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size));
}

void checkError(const QString &error)
{
    FUZZ_CHECK(!error.isEmpty());
    FUZZ_CHECK_MSG(error.size() <= kMaxErrorLength,
                   u"error of %1 characters: "_s.arg(error.size()) + error.left(200));
}

Json reparsed(const Json &json)
{
    const QByteArray written = dumpJson(json);
    auto parsed = parseJson(written);
    FUZZ_CHECK_MSG(parsed.ok(), QString::fromUtf8(written.left(400)));
    return std::move(parsed).value();
}

} // namespace banata::fuzz
