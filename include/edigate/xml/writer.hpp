// writer.hpp - streaming XML output: escaping, namespaces, compact or indented, UTF-8 or GB18030.
//
// Elements are written as they are started, so memory is the open-element stack whatever the
// document size. Output is deterministic: attributes in the order given, namespace declarations
// where first needed, the same input gives the same bytes. An element in a namespace that is not
// in scope declares it: with the prefix registered for that namespace (prefer()), else as the
// default namespace. Text that XML 1.0 cannot carry (control characters, invalid UTF-8) and
// invalid names are refused with write_error: nothing silently changes on the way out.
#pragma once

#include <array>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edigate/core/node.hpp"

namespace edigate::xml {

struct write_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct write_options {
    bool indent = false;             ///< two spaces per level, each element on its own line (not inside text)
    std::string encoding = "UTF-8";  ///< "UTF-8" or "GB18030": declared and written
    bool declaration = true;         ///< write <?xml version="1.0" encoding="..."?>
    bool replace_invalid = false;    ///< views only: write U+FFFD for what XML cannot carry instead of refusing
};

class writer {
public:
    /// Throws write_error for an encoding other than UTF-8 or GB18030.
    explicit writer(std::ostream& out, write_options options = {});
    /// The same, appending to `out` (a document built in memory, without a stream's copies). `out`
    /// is complete after finish() (or once the writer is gone); before, it may hold room past
    /// what is written.
    explicit writer(std::string& out, write_options options = {});
    ~writer();
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    /// Use this prefix when `uri` has to be declared (e.g. "ceb" for http://www.chinaport.gov.cn/ceb).
    void prefer(std::string uri, std::string prefix);
    void start(std::string_view name, std::string_view ns = {});
    /// On the element just started, before its content. `name` may carry a declared prefix (xsi:type).
    void attribute(std::string_view name, std::string_view value);
    void text(std::string_view utf8);
    void end();
    /// A whole tree: name, namespace, attributes, value, children.
    void node(const core::node& n);
    /// Closes what is open and flushes; the destructor does it too, without throwing.
    void finish();

private:
    struct frame {
        std::string qname;
        std::string_view name;  ///< node()'s elements: the end tag's name (the node's); empty: qname
        std::size_t bindings = 0;  ///< namespace bindings this element added
        bool children = false, text = false;
    };
    void open(std::string_view name, std::string_view ns);  ///< start() of a checked name
    /// Whether `ns` is the one namespace in scope, bound as the default: no prefix, nothing to
    /// declare. Known by the symbol's address after the first time.
    bool in_default_namespace(const core::symbol& ns) {
        if (ns.id() && ns.id() == default_ns_ && scope_.size() == 1) return true;
        return in_default_namespace_slow(ns);
    }
    bool in_default_namespace_slow(const core::symbol& ns);
    void close_start_tag();
    void newline_indent(std::size_t depth);
    void put(std::string_view s);
    void room(std::size_t n);  ///< makes *sink_ at least n bytes longer than what is written
    void escaped(std::string_view s, bool attribute);
    void leaf(const core::node& n);  ///< node() of a childless element in the default namespace
    void flush(bool all);
    std::string_view prefix_for(std::string_view ns, bool& declare);

    explicit writer(write_options& options);

    std::ostream* out_ = nullptr;
    std::string* text_ = nullptr;  ///< or this
    write_options options_;
    std::string buffer_;
    /// Where markup goes: buffer_, or *text_ when nothing is converted. It is kept longer than what
    /// is written (`used_` bytes), so that a write is a copy; flush(true) cuts it to what is written.
    std::string* sink_ = &buffer_;
    std::size_t used_ = 0;
    void* iconv_ = nullptr;
    std::vector<frame> stack_;  ///< the open elements are the first depth_ (frames are reused)
    std::size_t depth_ = 0;
    std::vector<std::pair<std::string, std::string>> scope_;       ///< prefix -> uri, innermost last ("" = default)
    std::vector<std::pair<std::string, std::string>> preferred_;   ///< uri -> prefix
    bool open_tag_ = false, started_ = false, finished_ = false;
    const void* default_ns_ = nullptr;  ///< a namespace in_default_namespace() found to be scope_'s only one (core::symbol::id)
};

}  // namespace edigate::xml
