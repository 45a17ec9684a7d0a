// tree_check.hpp - schema validity of a tree about to be written, decided without writing it.
//
// A translation builds each output as a tree and must not count it produced before it is valid
// against its target schema. Writing it and reading it back through Xerces-C costs more than the
// rest of the translation (the XML is about 3.4 times the EDIFACT it comes from). The tree
// checker compiles the loaded grammars once (from Xerces-C's own schema model, so both agree on
// what the schema says) into content models matched over the children's interned names, and
// simple types checked on the UTF-8 values: white space, lengths in UTF-16 units, enumerations,
// patterns (our automata for ASCII values, Xerces-C's regular expressions otherwise), and for
// types other than strings Xerces-C's own datatype validators.
//
// Its answer is one-sided: true means the tree, written by xml::writer, is valid (for a tree the
// writer accepts: what XML cannot carry, control characters or invalid UTF-8, the writer refuses). False means it
// is not, or that the tree uses what the checker leaves to Xerces-C (xsi: attributes, text over
// 1 MiB, nesting over the reader's bound). So a caller asks Xerces-C, which also words the
// findings, only when this says false; tests hold the two to the same verdicts. Identity
// constraints are checked for xs:unique and xs:key over child paths with one string or decimal
// field (what agency schemas use). A schema the checker cannot compile (key references, lax or
// strict wildcards, substitution groups, list or union types, ID and QName types...) gives false
// for every tree: Xerces-C decides.
#pragma once

#include <string>

#include "edigate/core/node.hpp"
#include "edigate/xml/schemas.hpp"

namespace edigate::xml {

/// Whether `root` is surely valid against `grammars` (see above). Compiled on first use, cached.
bool surely_valid(const grammar_set& grammars, const core::node& root);

/// Why trees cannot be checked against `grammars` without Xerces-C; empty when they can.
std::string tree_check_gaps(const grammar_set& grammars);

}  // namespace edigate::xml
