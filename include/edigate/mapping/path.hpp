// path.hpp - source paths over the generic tree, the same for EDIFACT and XML input.
//
// A path is a list of steps separated by '/', each step a child name with optional predicates:
//
//   SG2/NAD[3035='CN']/C082/3039      the party id of the consignee NAD in any SG2
//   SG1/NAD[3035='MS']/C080/3036[2]   the second repetition of the party name line
//   SG6[2]/RFF[C506/1153='BM']/C506/1154
//   Head/MessageID                    XML: element local names (namespaces are not spelled)
//   BorderTransportMeans/@unitCode    an attribute, as the last step
//   *                                 any child; '.' the context node itself
//
// Predicates: a 1-based position among the step's matches ([2]), a comparison of a relative
// path's value with a quoted literal ([3035='CN'], [1153!='ZZZ']) or a variable of the mapping
// ([C237/8260=$container]), or a relative path that must be present ([C082/3039]: with text, or
// an element with children). Several predicates apply in order. A path starting with '/' starts at the
// root of the tree the evaluation was given, otherwise at the context node. A path starting with
// '//' starts at the interchange the message came in: its children are the interchange's messages
// (`//Message[@type='CUSCAR'][BGM/1004=$ref]/SG6`), for lookups across the messages of one
// interchange; without an interchange (none given to the evaluation) it selects nothing.
//
// Paths are compiled once (parse errors carry the offset in the text) and evaluated many times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/core/node.hpp"

namespace edigate::mapping {

struct path_builder;

/// Named values a mapping run provides ($sender, loop variables); predicates may compare with them.
using variables = std::map<std::string, std::string, std::less<>>;

/// What an evaluation reads $names from: the run's variables under those the rules set on the way
/// (a stack, the newest shadowing the older and the run's). A rule's set is undone by going back
/// to the mark taken before it; the stack keeps its strings' memory for the next message.
class bindings {
public:
    bindings() = default;
    explicit bindings(const variables* base) : base_(base) {}
    /// The value of $name, or nullptr when it has none.
    const std::string* find(std::string_view name) const noexcept {
        for (std::size_t i = used_; i-- > 0;)
            if (local_[i].name == name) return local_[i].set ? &local_[i].value : nullptr;
        if (!base_) return nullptr;
        auto it = base_->find(name);
        return it == base_->end() ? nullptr : &it->second;
    }
    bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
    /// Sets $name (nullopt: without a value) until undo_to() a mark taken before. `name` must
    /// outlive the binding (the rule's name, a literal).
    void set(std::string_view name, std::optional<std::string_view> v) {
        if (used_ == local_.size()) local_.emplace_back();
        auto& l = local_[used_++];
        l.name = name;
        l.set = v.has_value();
        l.value.assign(v.value_or(std::string_view()));
    }
    std::size_t mark() const noexcept { return used_; }
    void undo_to(std::size_t mark) noexcept { used_ = mark < used_ ? mark : used_; }

private:
    struct local {
        std::string_view name;
        std::string value;
        bool set = false;
    };
    const variables* base_ = nullptr;
    std::vector<local> local_;
    std::size_t used_ = 0;
};

/// A parse error in a path: what, and the 0-based offset in the path text.
struct path_error {
    std::string text;
    std::size_t offset = 0;
};

/// What a path selects: elements, or (after an @ step) attribute values of elements.
struct selected {
    const core::node* element = nullptr;
    const std::string* attribute = nullptr;  ///< set for @name steps

    const std::string& value() const { return attribute ? *attribute : element->value; }
    /// Something is there: text, or an element with children. EDIFACT trees keep empty element
    /// positions as empty nodes, and those do not count.
    bool present() const { return !value().empty() || (!attribute && !element->children.empty()); }
};

/// The selections of path prefixes a mapping run has walked, for the later paths that share them:
/// a mapping reads many fields below one qualified segment (SG3/TDT[8051='20']/C222/8213,
/// .../C222/8212, .../8028), and the qualified part is walked once per context node. Only
/// prefixes whose predicates compare with literals are kept ($variables change during a run).
/// And the indexes of joins: a path from the message or the interchange whose first step's first
/// predicate compares a relative path of plain names with a $variable
/// (/SG3[EQD/C237/8260=$container]) looks the variable's value up in an index of that step's
/// nodes, made once per tree, where it would walk every one of them: a loop over n containers
/// joining n others is then n lookups, not n x n walks.
/// Valid for one source tree: renew() before each run (a message's tree is refilled in place, at
/// the same addresses as the last one's).
class path_memo {
public:
    /// This thread's memo: a run is single-threaded, and the gateway runs several at once.
    static path_memo& this_thread();
    void renew() noexcept { ++generation_; }

private:
    friend class path;
    struct entry {
        std::uint64_t generation = 0;
        const core::node* start = nullptr;
        std::vector<selected> found;
    };
    std::vector<entry> entries_;  ///< by prefix id (path.cpp)
    /// A join's index: the children of `start` a first step names, by the values of the relative
    /// path its first predicate compares with a $variable (SG6[SG7/RFF/C506/1154=$bill]); each
    /// value's nodes in document order.
    struct index {
        std::uint64_t generation = 0;
        const core::node* start = nullptr;
        std::vector<std::pair<std::string_view, const core::node*>> by_value;  ///< sorted by value, stable
    };
    std::vector<index> indexes_;  ///< by join id (path.cpp)
    std::uint64_t generation_ = 1;
    bool busy_ = false;  ///< a visit is going over an entry: the visits its callback makes do without
};

class path {
public:
    /// Compiles `text`; on error returns nullopt and fills `error`.
    static std::optional<path> compile(std::string_view text, path_error& error);

    /// Everything the path selects from `context` (document order). `root` serves absolute paths,
    /// `interchange` the paths that start with '//'; `vars` the $name comparisons (an unknown
    /// variable matches nothing).
    std::vector<selected> select(const core::node& context, const core::node& root, const bindings* vars = nullptr,
                                 const core::node* interchange = nullptr) const;
    std::vector<selected> select(const core::node& context) const { return select(context, context); }
    /// The first selection's value, or nullopt when nothing is selected.
    std::optional<std::string> value(const core::node& context, const core::node& root, const bindings* vars = nullptr,
                                     const core::node* interchange = nullptr) const;
    std::optional<std::string> value(const core::node& context) const { return value(context, context); }
    /// Calls `f(const selected&)` for each selection in document order, without collecting them,
    /// until it returns true; returns whether it did. What select() and value() are made of.
    /// With a `memo`, a path whose qualified part another path of the run walked from the same
    /// node reuses what that walk selected.
    template <class F>
    bool visit(const core::node& context, const core::node& root, const bindings* vars, const core::node* interchange, F&& f) const {
        return visit(context, root, vars, interchange, [](void* fn, const selected& s) { return (*static_cast<F*>(fn))(s); }, &f);
    }
    template <class F>
    bool visit(const core::node& context, const core::node& root, const bindings* vars, const core::node* interchange, path_memo* memo,
               F&& f) const {
        return visit(context, root, vars, interchange, [](void* fn, const selected& s) { return (*static_cast<F*>(fn))(s); }, &f, memo);
    }
    bool visit(const core::node& context, const core::node& root, const bindings* vars, const core::node* interchange,
               bool (*f)(void*, const selected&), void* fn, path_memo* memo = nullptr) const;

    const std::string& text() const noexcept { return text_; }
    /// Whether the path, or a path in one of its predicates, reads the interchange ('//').
    bool reads_interchange() const noexcept;

    struct step;  // compiled form, see path.cpp
    enum class origin { context, message, interchange };  ///< where the first step starts: '', '/', '//'

private:
    friend struct path_builder;
    /// visit() of a join through its index in `memo` (see path_memo).
    bool joined(const core::node& start, const core::node& root, const bindings* vars, const core::node* interchange,
                bool (*f)(void*, const selected&), void* fn, path_memo& memo) const;

    std::string text_;
    origin origin_ = origin::context;
    std::shared_ptr<const std::vector<step>> steps_;  ///< one block: a walk reads them in order
    std::vector<core::symbol> plain_;  ///< the names, when every step is a child step without predicates (walked without the walker)
    // The qualified part a path_memo keeps: the steps up to the last one with predicates (or that
    // is not a plain child step), when none of their predicates reads a variable; then the plain
    // names after it. Paths of one prefix text share its id.
    static constexpr std::size_t no_prefix = static_cast<std::size_t>(-1);
    std::size_t prefix_id_ = no_prefix;
    std::size_t prefix_steps_ = 0;
    std::vector<core::symbol> tail_;
    std::size_t join_id_ = no_prefix;  ///< a join's index (see path_memo); paths of one first step share it
};

}  // namespace edigate::mapping
