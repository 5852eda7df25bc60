// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

namespace banata::test {

/// \a size pseudo-random bytes, the same on every run (fixed seed).
QByteArray randomBytes(qsizetype size);

} // namespace banata::test
