// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "core/json.h"

namespace banata::server {

// Chromium runs inside the sandbox, where an agent may replace it with anything that speaks
// WebSocket: its CDP messages are read as carefully as any network input. nlohmann's value()
// throws on a member of another type, which inside a slot would end banata-local; these never do.

/// The string member \a key of \a object; empty when \a object is not an object or the member is
/// missing or not a string.
std::string cdpString(const banata::Json &object, const char *key);
/// The object member \a key of \a object; an empty object otherwise.
const banata::Json &cdpObject(const banata::Json &object, const char *key);
/// The integer member \a key of \a object; \a fallback when missing, not an integer or out of
/// [INT_MIN, INT_MAX].
int cdpInt(const banata::Json &object, const char *key, int fallback = 0);

} // namespace banata::server
