// diagnostic.hpp - findings about an input: stable code, severity, position, text.
//
// A diagnostic is a value, never an exception. Sinks collect them with a cap so that a file with
// millions of errors cannot exhaust memory: past the cap only the counts go on. Each code carries
// the UN/EDIFACT syntax error code (data element 0085) that a CONTRL message would report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/core/position.hpp"

namespace edigate::core {

enum class severity : std::uint8_t {
    error,    ///< the input breaks the standard; the message or interchange is rejected
    warning,  ///< accepted, but a partner should hear about it (also: errors downgraded by a profile)
    info,     ///< worth knowing, nothing wrong
};

std::string_view to_string(severity s) noexcept;

/// One entry of a module's table of stable finding codes (`edigate codes` lists them all).
template <typename Code>
struct code_info {
    Code id;
    std::string_view name;     ///< "EDI-T001"
    severity level;            ///< default severity
    std::string_view summary;  ///< one line for `edigate codes`
};

/// One finding.
struct diagnostic {
    std::string code;                    ///< stable identifier, e.g. "EDI-E006"
    severity level = severity::error;    ///< after any partner-profile downgrade
    position where;                      ///< where it was found
    std::string text;                    ///< lower-case start, no final period: what was found, what was expected
    int syntax_error = 0;                ///< UN/EDIFACT 0085 code for CONTRL, 0 = none
    std::optional<position> expected_at; ///< for missing things: where it should have been
    std::string downgraded_by;           ///< profile that downgraded an error, empty = not downgraded
};

/// Collects diagnostics up to a cap; counts everything.
class diagnostic_sink {
public:
    explicit diagnostic_sink(std::size_t cap = 1000) : cap_(cap) {}

    void add(diagnostic d);
    const std::vector<diagnostic>& items() const noexcept { return items_; }
    std::size_t errors() const noexcept { return errors_; }
    std::size_t warnings() const noexcept { return warnings_; }
    std::size_t total() const noexcept { return total_; }
    bool truncated() const noexcept { return total_ > items_.size(); }
    void clear() noexcept;

private:
    std::size_t cap_;
    std::vector<diagnostic> items_;
    std::size_t errors_ = 0, warnings_ = 0, total_ = 0;
};

}  // namespace edigate::core
