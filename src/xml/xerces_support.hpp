// xerces_support.hpp - what reader.cpp and schemas.cpp share about Xerces-C (private to src/xml).
#pragma once

#include <xercesc/framework/XMLGrammarPool.hpp>
#include <xercesc/util/XercesDefs.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "edigate/xml/schemas.hpp"

namespace edigate::xml::detail {

/// Initialises Xerces once per process (it is never terminated: grammar pools live until exit).
void init_xerces();

/// Appends UTF-16 text as UTF-8; a lone surrogate becomes U+FFFD.
void append_utf8(std::string& out, const XMLCh* s, std::size_t length);
std::string utf8(const XMLCh* s);

/// An owned, NUL-terminated XMLCh copy of a UTF-8 string.
std::u16string utf16(std::string_view s);
inline const XMLCh* xch(const std::u16string& s) { return reinterpret_cast<const XMLCh*>(s.c_str()); }

}  // namespace edigate::xml::detail

namespace edigate::xml {

class tree_schema;  // tree_check.cpp

/// Loaded, locked grammars: read-only after loading, so one set serves any number of parses.
struct grammar_set::impl {
    std::unique_ptr<xercesc::XMLGrammarPool> pool;
    std::once_flag tree_once;           ///< the grammars compiled for trees, on first use
    std::shared_ptr<const tree_schema> tree;
};

}  // namespace edigate::xml
