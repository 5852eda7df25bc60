// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include "core/json.h"

// Invariant checks for the fuzz targets: a broken invariant prints what broke and aborts, which
// libFuzzer reports as a crash (with the input saved) and the replay test as a failure.
#define FUZZ_CHECK(condition)                                                                                \
    do {                                                                                                     \
        if (!(condition))                                                                                    \
            ::banata::fuzz::failCheck(__FILE__, __LINE__, #condition, QString());                            \
    } while (false)
#define FUZZ_CHECK_MSG(condition, detail)                                                                    \
    do {                                                                                                     \
        if (!(condition))                                                                                    \
            ::banata::fuzz::failCheck(__FILE__, __LINE__, #condition, (detail));                             \
    } while (false)

namespace banata::fuzz {

/// The longest parser message an operator may be shown: longer ones flood the UI (and a hostile
/// server could make them as long as its body).
inline constexpr qsizetype kMaxErrorLength = 600;

[[noreturn]] void failCheck(const char *file, int line, const char *condition, const QString &detail);

/// The fuzzer's bytes as a view (no copy).
QByteArrayView bytes(const uint8_t *data, size_t size);

/// Checks that a parser's error is data an operator can read: not empty, not a flood.
void checkError(const QString &error);

/// The JSON a parser accepted, written and read back: the bytes a peer would send.
Json reparsed(const Json &json);

} // namespace banata::fuzz
