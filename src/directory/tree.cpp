// tree.cpp - message trees nested by segment group and named by directory codes (see tree.hpp).
#include "edigate/directory/tree.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "edigate/edifact/tree.hpp"

namespace edigate::directory {

void message_tree(core::node& root, const edifact::message& m, const edifact::interchange_header& ich, validator& v,
                  const validator::emit_fn& emit) {
    // The head (name and attributes) is written anew; the children are refilled in place.
    std::vector<core::node> children = std::move(root.children);
    root = edifact::message_node(m);
    root.children = std::move(children);
    std::size_t top = 0;  // children of root filled
    // The group nodes currently open (a parent's children do not move while a child is open), with
    // the occurrence each stands for and its children filled so far.
    struct open_group {
        std::uint32_t serial;
        core::node* node;
        std::size_t used;
    };
    std::vector<open_group> open;
    auto close_to = [&](std::size_t keep) {
        while (open.size() > keep) {
            open.back().node->trim(open.back().used);
            open.pop_back();
        }
    };
    auto next = [&]() -> core::node& { return open.empty() ? root.refill_child(top) : open.back().node->refill_child(open.back().used); };
    std::size_t placed = 0;
    validator::placement_fn place = [&](const edifact::segment& s, const structure_entry* matched, std::span<const group_occurrence> groups) {
        ++placed;
        std::size_t keep = 0;
        while (keep < open.size() && keep < groups.size() && open[keep].serial == groups[keep].serial) ++keep;
        close_to(keep);
        for (std::size_t i = keep; i < groups.size(); ++i) {
            const auto* def = groups[i].group;
            core::node& g = next();
            g.name = def->label.empty() ? core::symbol(fmt::format("SG{}", def->group)) : def->label;
            g.byte = s.byte;
            open.push_back(open_group{groups[i].serial, &g, 0});
        }
        if (matched && matched->definition && !is_service_tag(s.tag)) return &next();  // the validator names and fills it
        next() = edifact::to_node(s, ich.syntax_version);
        return static_cast<core::node*>(nullptr);
    };
    auto verdict = v.validate(m, ich, emit, &place);
    close_to(0);
    if (verdict.definition) root.set_attribute("directory", verdict.directory);
    if (placed == 0)  // no definition installed: flat, by position
        for (const auto& s : m.segments) root.refill_child(top) = edifact::to_node(s, ich.syntax_version);
    root.trim(top);
}

core::node message_tree(const edifact::message& m, const edifact::interchange_header& ich, validator& v, const validator::emit_fn& emit) {
    core::node root;
    message_tree(root, m, ich, v, emit);
    return root;
}

namespace {

struct placed {
    std::uint16_t element, repetition, component;
    const std::string* value;
    bool operator<(const placed& o) const {
        return std::tie(element, repetition, component) < std::tie(o.element, o.repetition, o.component);
    }
};

void collect(const core::node& n, const directory& d, std::vector<edifact::segment>& out, std::vector<std::string>& problems) {
    for (const auto& c : n.children) {
        const segment_def* def = d.segment(c.name);
        if (!def) {
            if (c.name.starts_with("SG")) collect(c, d, out, problems);  // a group only nests
            else problems.push_back(fmt::format("{} is not a segment of directory {}", c.name, d.id()));
            continue;
        }
        std::vector<placed> values;
        std::vector<std::uint16_t> repeats(def->elements.size() + 1, 0);
        bool ok = true;
        for (const auto& e : c.children) {
            auto it = std::find_if(def->elements.begin(), def->elements.end(), [&](const element_use& u) { return u.code == e.name; });
            if (it == def->elements.end()) {
                problems.push_back(fmt::format("{} has no data element {} in directory {}", c.name, e.name, d.id()));
                ok = false;
                continue;
            }
            auto element = static_cast<std::uint16_t>(it - def->elements.begin() + 1);
            auto repetition = ++repeats[element];
            if (it->components.empty()) {
                if (!e.value.empty()) values.push_back({element, repetition, 1, &e.value});
                continue;
            }
            std::vector<std::uint16_t> component_repeats(it->components.size() + 1, 0);
            for (const auto& k : e.children) {
                auto ct = std::find_if(it->components.begin(), it->components.end(), [&](const component_use& u) { return u.code == k.name; });
                // A code may stand twice in a composite (C080 3036 x5): the next free one.
                while (ct != it->components.end() && component_repeats[static_cast<std::size_t>(ct - it->components.begin() + 1)]) {
                    ct = std::find_if(ct + 1, it->components.end(), [&](const component_use& u) { return u.code == k.name; });
                }
                if (ct == it->components.end()) {
                    problems.push_back(fmt::format("{} {} has no component {} (or no free place for another) in directory {}", c.name, e.name, k.name, d.id()));
                    ok = false;
                    continue;
                }
                auto component = static_cast<std::uint16_t>(ct - it->components.begin() + 1);
                component_repeats[component] = 1;
                if (!k.value.empty()) values.push_back({element, repetition, component, &k.value});
            }
        }
        if (!ok) continue;
        std::sort(values.begin(), values.end());
        edifact::segment seg;
        seg.tag = c.name;
        for (const auto& v : values) seg.add(v.element, v.repetition, v.component, *v.value);
        out.push_back(std::move(seg));
    }
}

}  // namespace

std::vector<edifact::segment> segments_from_tree(const core::node& message, const directory& d, std::vector<std::string>& problems) {
    std::vector<edifact::segment> out;
    collect(message, d, out, problems);
    return out;
}

}  // namespace edigate::directory
