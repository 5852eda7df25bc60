// SPDX-License-Identifier: MIT
#pragma once

#include <utility>
#include <variant>

namespace banata {

/// A value or an error: the result type of parsers and API jobs (errors are data, not exceptions).
template <typename T, typename E>
class Expected
{
public:
    Expected(T value)
        : m_storage(std::in_place_index<0>, std::move(value))
    {}
    static Expected failure(E error) { return Expected(std::in_place_index<1>, std::move(error)); }

    bool ok() const { return m_storage.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(m_storage); }
    T &value() & { return std::get<0>(m_storage); }
    T &&value() && { return std::get<0>(std::move(m_storage)); }
    const T *operator->() const { return &std::get<0>(m_storage); }
    const T &operator*() const & { return value(); }

    const E &error() const { return std::get<1>(m_storage); }

private:
    template <std::size_t I, typename V>
    Expected(std::in_place_index_t<I> tag, V &&v)
        : m_storage(tag, std::forward<V>(v))
    {}
    std::variant<T, E> m_storage;
};

} // namespace banata
