// xml_bench.cpp - XML throughput: bare Xerces-C SAX2 next to edigate's reader, same process kind.
//
//   xml_bench MODE FILE [SCHEMA.xsd]
//   MODE  sax           Xerces SAX2, namespaces on, a handler that only counts elements (the floor)
//         sax-validate  the same, validating against SCHEMA from a locked grammar pool
//         scanner       Xerces SAXParser with a counting scanner-level handler (what edigate builds on)
//         tree          edigate xml::read building a core::node tree per message (split depth 2)
//         check         edigate xml::read, well-formedness and bounds only, no tree
//         validate      edigate xml::read with SCHEMA (from the schema catalog), no tree
//         tree-validate edigate xml::read with SCHEMA, building the trees too
//         tree-check    a translation's output check: FILE (a small document, e.g. an MT1101) read once
//                       as a tree, then checked 2,000 times against SCHEMA by the tree checker
//         write-validate  the same 2,000 times by writing the tree and validating it with Xerces-C
//                       (what tree-check replaces); MB/s counts the document's bytes each time
// Prints one JSON line: mode, bytes, seconds, MB/s (10^6 bytes), elements. Peak RSS is measured
// from outside (scripts/bench-xml runs this under GNU time).
#include <fmt/format.h>
#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/framework/XMLDocumentHandler.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/parsers/SAXParser.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/XMLString.hpp>
#include <xercesc/util/XMLUni.hpp>
#include <xercesc/validators/common/Grammar.hpp>

#include <malloc.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "edigate/xml/reader.hpp"
#include "edigate/xml/schemas.hpp"
#include "edigate/xml/tree_check.hpp"
#include "edigate/xml/writer.hpp"

namespace x = xercesc;
using namespace edigate;

namespace {

struct counter final : x::DefaultHandler {
    std::uint64_t elements = 0, errors = 0;
    void startElement(const XMLCh*, const XMLCh*, const XMLCh*, const x::Attributes&) override { ++elements; }
    void error(const x::SAXParseException&) override { ++errors; }
};

/// The scanner-level interface edigate's reader uses (XMLDocumentHandler), counting only.
struct adv_counter final : x::XMLDocumentHandler {
    std::uint64_t elements = 0;
    void startElement(const x::XMLElementDecl&, const unsigned int, const XMLCh* const, const x::RefVectorOf<x::XMLAttr>&,
                      const XMLSize_t, const bool, const bool) override {
        ++elements;
    }
    void endElement(const x::XMLElementDecl&, const unsigned int, const bool, const XMLCh* const) override {}
    void docCharacters(const XMLCh* const, const XMLSize_t, const bool) override {}
    void docComment(const XMLCh* const) override {}
    void docPI(const XMLCh* const, const XMLCh* const) override {}
    void endDocument() override {}
    void endEntityReference(const x::XMLEntityDecl&) override {}
    void ignorableWhitespace(const XMLCh* const, const XMLSize_t, const bool) override {}
    void resetDocument() override {}
    void startDocument() override {}
    void startEntityReference(const x::XMLEntityDecl&) override {}
    void XMLDecl(const XMLCh* const, const XMLCh* const, const XMLCh* const, const XMLCh* const) override {}
};

std::uint64_t bare_scanner(const std::string& file) {
    x::XMLPlatformUtils::Initialize();
    x::SAXParser p;
    p.setDoNamespaces(true);
    p.setValidationScheme(x::SAXParser::Val_Never);
    adv_counter c;
    p.installAdvDocHandler(&c);
    p.parse(file.c_str());
    return c.elements;
}

std::uint64_t bare_sax(const std::string& file, const std::string& schema) {
    x::XMLPlatformUtils::Initialize();
    x::XMLGrammarPoolImpl pool(x::XMLPlatformUtils::fgMemoryManager);
    bool validate = !schema.empty();
    std::unique_ptr<x::SAX2XMLReader> p(x::XMLReaderFactory::createXMLReader(x::XMLPlatformUtils::fgMemoryManager, validate ? &pool : nullptr));
    p->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, true);
    p->setFeature(x::XMLUni::fgSAX2CoreValidation, validate);
    p->setFeature(x::XMLUni::fgXercesSchema, validate);
    counter c;
    p->setContentHandler(&c);
    p->setErrorHandler(&c);
    if (validate) {
        XMLCh* s = x::XMLString::transcode(schema.c_str());
        p->loadGrammar(s, x::Grammar::SchemaGrammarType, true);
        x::XMLString::release(&s);
        p->setFeature(x::XMLUni::fgXercesUseCachedGrammarInParse, true);
        p->setFeature(x::XMLUni::fgXercesLoadSchema, false);
    }
    XMLCh* f = x::XMLString::transcode(file.c_str());
    p->parse(f);
    x::XMLString::release(&f);
    if (c.errors) fmt::print(stderr, "xml_bench: {} validation errors\n", c.errors);
    return c.elements;
}

struct node_counter final : xml::document_handler {
    std::uint64_t nodes = 0, findings = 0;
    void subtree(core::node& n, const std::string&) override { nodes += count(n); }
    void finding(const core::diagnostic& d) override {
        if (++findings == 1) fmt::print(stderr, "xml_bench: first finding: {} {}\n", d.code, d.text);
    }
    static std::uint64_t count(const core::node& n) {
        std::uint64_t k = 1;
        for (const auto& c : n.children) k += count(c);
        return k;
    }
};

}  // namespace

int main(int argc, char** argv) {
    mallopt(M_TRIM_THRESHOLD, 256 << 20);  // as edigate's main sets it (see src/cli/main.cpp)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    if (argc < 3) {
        fmt::print(stderr, "usage: xml_bench sax|sax-validate|scanner|tree|check|validate|tree-validate|tree-check|write-validate FILE [SCHEMA.xsd]\n");
        return 2;
    }
    std::string mode = argv[1], file = argv[2], schema = argc > 3 ? argv[3] : "";
    if (mode == "tree-check" || mode == "write-validate") {
        xml::schema_catalog catalog({});
        core::diagnostic problem;
        auto grammars = catalog.load({schema}, problem);
        auto tree = xml::read_file(file, problem);
        if (!grammars || !tree) {
            fmt::print(stderr, "xml_bench: {}\n", problem.text);
            return 1;
        }
        constexpr int rounds = 2000;
        std::uint64_t valid = 0;
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < rounds; ++i) {
            if (mode == "tree-check") {
                valid += xml::surely_valid(*grammars, *tree);
                continue;
            }
            std::string text;
            xml::writer w(text, {.indent = true});
            w.node(*tree);
            w.finish();
            node_counter h;
            xml::read_options o;
            o.schema = grammars;
            o.build_tree = false;
            xml::read_memory(text, "output", h, o);
            valid += h.findings == 0;
        }
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        auto bytes = std::filesystem::file_size(file) * rounds;
        fmt::print("{{\"mode\":\"{}\",\"bytes\":{},\"seconds\":{:.3f},\"mbps\":{:.1f},\"valid\":{}}}\n", mode, bytes, seconds,
                   static_cast<double>(bytes) / 1e6 / seconds, valid);
        return valid == rounds ? 0 : 1;
    }
    auto start = std::chrono::steady_clock::now();
    std::uint64_t elements = 0;
    if (mode == "sax" || mode == "sax-validate") {
        elements = bare_sax(file, mode == "sax" ? "" : schema);
    } else if (mode == "scanner") {
        elements = bare_scanner(file);
    } else {
        xml::read_options o;
        o.split_depth = 2;
        o.build_tree = mode == "tree" || mode == "tree-validate";
        if (mode == "validate" || mode == "tree-validate") {
            xml::schema_catalog catalog({});
            core::diagnostic problem;
            o.schema = catalog.load({schema}, problem);
            if (!o.schema) {
                fmt::print(stderr, "xml_bench: {}\n", problem.text);
                return 1;
            }
        }
        node_counter h;
        auto r = xml::read(file, h, o);
        elements = r.elements;
        if (!r.complete || h.findings) return 1;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto bytes = std::filesystem::file_size(file);
    fmt::print("{{\"mode\":\"{}\",\"bytes\":{},\"seconds\":{:.3f},\"mbps\":{:.1f},\"elements\":{}}}\n", mode, bytes, seconds,
               static_cast<double>(bytes) / 1e6 / seconds, elements);
    return 0;
}
