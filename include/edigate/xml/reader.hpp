// reader.hpp - XML documents into the generic node tree (Xerces-C++ SAX2, hardened).
//
// Element names are local names; attributes keep document order; text is UTF-8, and text that is
// only white space between child elements is dropped. Hardened by default: a DOCTYPE is refused,
// no external entity or schema is ever fetched, and nesting depth is bounded. Problems are
// diagnostics with line and column (EDI-X001), never exceptions.
#pragma once

#include <filesystem>
#include <optional>

#include "edigate/core/diagnostic.hpp"
#include "edigate/core/node.hpp"

namespace edigate::xml {

struct read_options {
    std::size_t max_depth = 256;
};

/// The document's root element as a node tree; nullopt with `problem` filled when it cannot be read.
std::optional<core::node> read_file(const std::filesystem::path& file, core::diagnostic& problem, read_options options = {});

}  // namespace edigate::xml
