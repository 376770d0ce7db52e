#pragma once

#include "eventium/error.h"

#include <utility>
#include <variant>

namespace eventium {

// A value or a StoreError; the shape of every fallible store call.
template<typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    {
    }
    Result(StoreError error)
        : m_value(std::move(error))
    {
    }

    bool ok() const { return m_value.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(m_value); }
    T &value() & { return std::get<0>(m_value); }
    T &&value() && { return std::get<0>(std::move(m_value)); }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }

    const StoreError &error() const { return std::get<1>(m_value); }

private:
    std::variant<T, StoreError> m_value;
};

// For calls that return nothing on success.
struct Done
{
};

} // namespace eventium
