// service_tables.hpp - ISO 9735 service segment definitions, per syntax version.
//
// Loaded once from the tables generated into edifact/syntax/ (embedded at build time). A table
// that fails to load is a build defect, reported by std::logic_error on first use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edigate::edifact::detail {

struct value_format {
    bool alpha = false, numeric = false;  ///< a, n, or both (an)
    unsigned min = 0, max = 0;
    std::string text;                     ///< as written, e.g. "an..35"
};

struct component_def {
    std::string id, name;
    bool mandatory = false;
    value_format format;
};

struct element_def {
    std::string id, name;
    bool mandatory = false;
    unsigned repeat = 1;
    bool composite = false;
    value_format format;                  ///< simple elements only
    std::vector<component_def> components;
};

struct segment_def {
    std::string tag, name;
    std::vector<element_def> elements;
};

/// Definition of a service segment for syntax version 1-4 (others use 4), or nullptr.
const segment_def* service_segment(std::string_view tag, int syntax_version);
value_format parse_format(std::string_view text);

}  // namespace edigate::edifact::detail
