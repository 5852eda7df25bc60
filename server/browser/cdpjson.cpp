// SPDX-License-Identifier: MIT
#include "cdpjson.h"

#include <limits>

namespace banata::server {

namespace {
const banata::Json *member(const banata::Json &object, const char *key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it != object.end() ? &*it : nullptr;
}
} // namespace

std::string cdpString(const banata::Json &object, const char *key)
{
    const banata::Json *value = member(object, key);
    return value && value->is_string() ? value->get<std::string>() : std::string();
}

const banata::Json &cdpObject(const banata::Json &object, const char *key)
{
    static const banata::Json empty = banata::Json::object();
    const banata::Json *value = member(object, key);
    return value && value->is_object() ? *value : empty;
}

int cdpInt(const banata::Json &object, const char *key, int fallback)
{
    const banata::Json *value = member(object, key);
    if (!value || !value->is_number_integer())
        return fallback;
    if (value->is_number_unsigned()) {
        const auto number = value->get<std::uint64_t>();
        return number <= std::uint64_t(std::numeric_limits<int>::max()) ? int(number) : fallback;
    }
    const auto number = value->get<std::int64_t>();
    return number >= std::numeric_limits<int>::min() && number <= std::numeric_limits<int>::max()
               ? int(number)
               : fallback;
}

} // namespace banata::server
