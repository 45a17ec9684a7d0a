// test_support.hpp - a handler that records everything the reader hands on, for tests.
#pragma once

#include <string>
#include <vector>

#include "edigate/edifact/reader.hpp"

namespace edigate::test {

struct recorder : edifact::handler {
    std::vector<edifact::interchange_header> interchanges;
    std::vector<edifact::interchange_trailer> trailers;
    std::vector<edifact::group_header> groups;
    std::vector<edifact::message> messages;
    std::vector<core::diagnostic> findings;

    void interchange_begin(const edifact::interchange_header& h) override { interchanges.push_back(h); }
    void interchange_end(const edifact::interchange_trailer& t) override { trailers.push_back(t); }
    void group_begin(const edifact::group_header& g) override { groups.push_back(g); }
    void message_end(const edifact::message& m) override { messages.push_back(m); }
    void finding(const core::diagnostic& d) override { findings.push_back(d); }

    std::size_t count(const std::string& code) const {
        std::size_t n = 0;
        for (const auto& f : findings) n += f.code == code;
        return n;
    }
    std::size_t errors() const {
        std::size_t n = 0;
        for (const auto& f : findings) n += f.level == core::severity::error;
        return n;
    }
};

inline recorder read(std::string_view text, edifact::reader_options o = {}) {
    recorder r;
    edifact::reader(o).read(text, r);
    return r;
}

}  // namespace edigate::test
