// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

#include "server/runtime/uniquefd.h"

namespace banata::sandboxd {

using posix::UniqueFd;

/// Milliseconds on CLOCK_MONOTONIC.
int64_t monotonicMs();
/// strerror text for errno value err.
std::string errnoText(int err);

} // namespace banata::sandboxd
