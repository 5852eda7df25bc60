// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

namespace banata::test {

/// \a size pseudo-random bytes (incompressible), the same on every run for the same \a seed.
QByteArray randomBytes(qsizetype size, quint32 seed = 42);

} // namespace banata::test
