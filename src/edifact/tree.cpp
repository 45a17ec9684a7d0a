// tree.cpp - segments and messages to generic nodes (see tree.hpp).
#include "edigate/edifact/tree.hpp"

#include <fmt/format.h>

#include "detail/service_tables.hpp"

namespace edigate::edifact {

core::node to_node(const segment& s, int syntax_version) {
    core::node n(s.tag);
    n.byte = s.byte;
    const auto* def = s.tag.size() == 3 && s.tag[0] == 'U' ? detail::service_segment(s.tag, syntax_version) : nullptr;
    for (std::size_t e = 0; e < s.elements.size(); ++e) {
        const detail::element_def* ed = def && e < def->elements.size() ? &def->elements[e] : nullptr;
        std::string ename = ed ? ed->id : fmt::format("e{:02}", e + 1);
        for (const auto& rep : s.elements[e]) {
            bool all_empty = true;
            for (const auto& c : rep) all_empty = all_empty && c.text.empty();
            if (all_empty && rep.size() <= 1) {
                n.add(ename);  // keep the position: an empty element still counts
                continue;
            }
            auto& en = n.add(ename);
            en.byte = s.byte + (rep.empty() ? 0 : rep[0].offset);
            bool composite = rep.size() > 1 || (ed && ed->composite);
            if (!composite) {
                en.value = rep.empty() ? std::string() : rep[0].text;
                continue;
            }
            for (std::size_t c = 0; c < rep.size(); ++c) {
                std::string cname = ed && c < ed->components.size() ? ed->components[c].id : fmt::format("c{:02}", c + 1);
                auto& cn = en.add(cname, rep[c].text);
                cn.byte = s.byte + rep[c].offset;
            }
        }
    }
    return n;
}

core::node to_node(const message& m, int syntax_version) {
    core::node n("Message");
    n.byte = m.byte;
    n.set_attribute("index", std::to_string(m.index));
    n.set_attribute("reference", m.header.reference);
    n.set_attribute("type", m.header.type);
    n.set_attribute("version", m.header.version);
    n.set_attribute("release", m.header.release);
    n.set_attribute("agency", m.header.agency);
    if (!m.header.association.empty()) n.set_attribute("association", m.header.association);
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
