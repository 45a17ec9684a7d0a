// codes.hpp - stable diagnostic codes of XML reading and schema validation (EDI-Xnnn).
//
// Appended to, never renumbered. XML has no CONTRL, so these carry no 0085 code; an APERAK about
// an XML document carries the code itself. `edigate codes` lists them after the EDIFACT codes.
#pragma once

#include <span>
#include <string_view>

#include "edigate/core/diagnostic.hpp"

namespace edigate::xml {

enum class code {
    not_well_formed,   ///< EDI-X001 the document is not well-formed XML (or not in its declared encoding)
    doctype_refused,   ///< EDI-X002 a DOCTYPE: DTDs and entity declarations are refused
    too_deep,          ///< EDI-X003 elements nested deeper than the bound
    too_large,         ///< EDI-X004 document larger than the bound
    markup_too_long,   ///< EDI-X005 one tag (with its attributes), comment or instruction longer than the bound
    value_too_long,    ///< EDI-X006 one text or attribute value longer than the bound
    schema_invalid,    ///< EDI-X010 the document breaks its schema
    no_schema,         ///< EDI-X011 no installed schema declares the root element: well-formedness only
    schema_unusable,   ///< EDI-X012 the schema itself cannot be loaded
    count_
};

using code_info = core::code_info<code>;

const code_info& info(code c) noexcept;
std::span<const code_info> all_codes() noexcept;

}  // namespace edigate::xml
