// tree.cpp - segments and messages to generic nodes (see tree.hpp).
#include "edigate/edifact/tree.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "detail/service_tables.hpp"

namespace edigate::edifact {

std::string position_name(char prefix, std::size_t index) {
    if (index < 100) return {prefix, static_cast<char>('0' + index / 10), static_cast<char>('0' + index % 10)};
    return fmt::format("{}{:02}", prefix, index);
}

core::node to_node(const segment& s, int syntax_version) {
    core::node n(s.tag);
    n.byte = s.byte;
    const auto* def = s.tag.size() == 3 && s.tag[0] == 'U' ? detail::service_segment(s.tag, syntax_version) : nullptr;
    for (std::size_t e = 1; e <= s.element_count(); ++e) {
        const detail::element_def* ed = def && e <= def->elements.size() ? &def->elements[e - 1] : nullptr;
        std::string ename = ed ? ed->id : position_name('e', e);
        std::size_t repetitions = std::max<std::size_t>(1, s.repetition_count(e));
        for (std::size_t r = 1; r <= repetitions; ++r) {
            std::size_t components = s.component_count(e, r);
            bool all_empty = true;
            for (std::size_t c = 1; c <= components && all_empty; ++c) all_empty = !s.has(e, c, r);
            auto& en = n.add(ename);  // an empty element keeps its position
            if (r > 1) en.set_attribute("repeat", std::to_string(r));
            if (all_empty && components <= 1) continue;
            en.byte = s.byte_of(e, 1, r);
            bool composite = components > 1 || (ed && ed->composite);
            if (!composite) {
                en.value = s.value(e, 1, r);
                continue;
            }
            for (std::size_t c = 1; c <= components; ++c) {
                std::string cname = ed && c <= ed->components.size() ? ed->components[c - 1].id : position_name('c', c);
                auto& cn = en.add(cname, std::string(s.value(e, c, r)));
                cn.byte = s.byte_of(e, c, r);
            }
        }
    }
    return n;
}

core::node message_node(const message& m) {
    static const core::symbol name("Message");
    core::node n(name);
    n.byte = m.byte;
    n.attributes.reserve(7);
    n.set_attribute("index", std::to_string(m.index));
    n.set_attribute("reference", m.header.reference);
    n.set_attribute("type", m.header.type);
    n.set_attribute("version", m.header.version);
    n.set_attribute("release", m.header.release);
    n.set_attribute("agency", m.header.agency);
    if (!m.header.association.empty()) n.set_attribute("association", m.header.association);
    return n;
}

core::node to_node(const message& m, int syntax_version) {
    core::node n = message_node(m);
    n.children.reserve(m.segments.size());
    for (const auto& s : m.segments) n.children.push_back(to_node(s, syntax_version));
    return n;
}

core::node interchange_node(const interchange_header& h) {
    core::node n("Interchange");
    n.byte = h.byte;
    n.set_attribute("index", std::to_string(h.index));
    if (h.has_unb) {
        n.set_attribute("syntax", h.syntax_identifier);
        n.set_attribute("version", std::to_string(h.syntax_version));
        n.set_attribute("sender", h.sender);
        n.set_attribute("recipient", h.recipient);
        n.set_attribute("reference", h.control_reference);
        n.set_attribute("separators", h.delims.una_string());
        n.set_attribute("una", h.has_una ? "yes" : "no");
        n.children.push_back(to_node(h.unb, h.syntax_version));
    }
    return n;
}

}  // namespace edigate::edifact
