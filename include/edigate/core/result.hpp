// result.hpp - value or diagnostics, for functions that fail because of their input.
//
// An in-house stand-in for std::expected (C++23). A failed result holds at least one diagnostic;
// reading value() of a failed result is a programmer error and throws std::logic_error.
#pragma once

#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "edigate/core/diagnostic.hpp"

namespace edigate::core {

template <class T>
class [[nodiscard]] result {
public:
    result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
    result(diagnostic d) { errors_.push_back(std::move(d)); }  // NOLINT
    explicit result(std::vector<diagnostic> ds) : errors_(std::move(ds)) {}

    bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    T& value() & { check(); return *value_; }
    const T& value() const& { check(); return *value_; }
    T&& value() && { check(); return std::move(*value_); }
    const std::vector<diagnostic>& errors() const noexcept { return errors_; }

private:
    void check() const {
        if (!value_) throw std::logic_error("result: value() of a failed result");
    }
    std::optional<T> value_;
    std::vector<diagnostic> errors_;
};

}  // namespace edigate::core
