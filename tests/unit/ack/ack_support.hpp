// ack_support.hpp - read a text into interchange records and write their acknowledgements, for tests.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "edigate/ack/aperak.hpp"
#include "edigate/ack/collector.hpp"
#include "edigate/ack/contrl.hpp"
#include "edigate/edifact/reader.hpp"

namespace edigate::test {

inline std::vector<ack::interchange_record> collect(std::string_view text, edifact::reader_options o = {}) {
    ack::collector c;
    edifact::reader(o).read(text, c);
    return std::move(c.interchanges());
}

inline ack::contrl_options contrl_opts(std::string reference = "ACK1") {
    ack::contrl_options o;
    o.control_reference = std::move(reference);
    o.date = "261127";
    o.time = "1200";
    return o;
}

/// The CONTRL written for the first interchange of `text`, with its result.
inline std::string contrl_of(std::string_view text, ack::write_result* result = nullptr, edifact::reader_options o = {}) {
    auto records = collect(text, o);
    if (records.empty()) return "(no interchange)";
    std::ostringstream out;
    auto r = ack::write_contrl(records.front(), out, contrl_opts());
    if (result) *result = r;
    return out.str();
}

}  // namespace edigate::test
