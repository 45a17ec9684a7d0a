// reader.hpp - XML documents into the generic node tree (Xerces-C++ SAX2, streaming, hardened).
//
// The same core::node tree the EDIFACT side builds: element names are local names with the
// namespace URI beside them, attributes keep document order, text is UTF-8 whatever the input
// encoding (UTF-8, UTF-16, GB18030/GBK, ISO 8859-x: whatever the declaration or BOM says), and
// text that is only white space between child elements is dropped.
//
// Streaming: with split_depth N, every element at depth N (the root is depth 1) is handed over as
// its own tree when it ends and then dropped, so memory stays flat in the file size; the elements
// above it stay as shells (name and attributes) and come last, with the root.
//
// Hardened by default: a DOCTYPE is refused before its internal subset is read (so no entity is
// declared, expanded or fetched), no schema location in the document is ever followed, and the
// document size, nesting depth, length of one tag with its attributes and length of one text
// value are bounded. Bounds are checked on the raw bytes as they are read, before Xerces buffers
// them, so a 2 GB attribute is refused after its first MiB. Problems are diagnostics with line,
// column and element path (EDI-X codes, see codes.hpp), never exceptions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "edigate/core/diagnostic.hpp"
#include "edigate/core/node.hpp"

namespace edigate::xml {

class grammar_set;  // schemas.hpp

struct limits {
    std::size_t max_depth = 256;                 ///< element nesting
    std::uint64_t max_bytes = 4ull << 30;        ///< whole document, raw bytes
    std::size_t max_markup = 1u << 20;           ///< one tag with its attributes, comment or processing instruction
    std::size_t max_value = 64u << 20;           ///< one text value kept in a tree (bytes of UTF-8)
};

struct read_options {
    limits bounds;
    std::size_t split_depth = 0;                 ///< 0: the whole document is one tree; N: each element at depth N alone
    bool build_tree = true;                      ///< false: check only, subtree() is never called
    std::string encoding;                        ///< read as this encoding whatever the document declares (partner setting)
    std::shared_ptr<const grammar_set> schema;   ///< validate against these grammars; null: well-formedness only
};

/// Receives what the reader finds, in document order.
class document_handler {
public:
    virtual ~document_handler() = default;
    /// The root element has started (name, namespace, attributes; no children yet).
    virtual void root(const core::node&) {}
    /// A completed tree: an element at the split depth, or (last) the root with what is left.
    /// `path` is the element's XPath-like location, e.g. "/Interchange/M_CUSCAR[3]".
    virtual void subtree(core::node&, const std::string& /*path*/) {}
    virtual void finding(const core::diagnostic&) = 0;
    /// Bytes read so far, for progress meters.
    virtual void progress(std::uint64_t) {}
};

struct read_result {
    bool complete = false;        ///< read to the end: well-formed and within the bounds
    std::uint64_t bytes = 0;
    std::uint64_t elements = 0;
    std::string root_ns, root_name;
};

/// Reads one document; findings go to the handler (schema findings too, when a schema is given).
read_result read(const std::filesystem::path& file, document_handler& handler, const read_options& options = {});

/// The same for a document in memory (an output about to be written); `name` is used in messages.
read_result read_memory(std::string_view document, const std::string& name, document_handler& handler, const read_options& options = {});

/// The whole document as one tree; nullopt with `problem` filled when it cannot be read.
std::optional<core::node> read_file(const std::filesystem::path& file, core::diagnostic& problem, read_options options = {});

/// The root element's namespace URI and local name, read from the start of the document only.
/// nullopt with `problem` filled when the document has no readable root element.
std::optional<std::pair<std::string, std::string>> peek_root(const std::filesystem::path& file, core::diagnostic& problem,
                                                             const read_options& options = {});

}  // namespace edigate::xml
