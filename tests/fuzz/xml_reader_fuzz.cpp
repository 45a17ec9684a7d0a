// xml_reader_fuzz.cpp - libFuzzer target: any bytes through the XML reader, with tight bounds, in
// tree mode (split at depth 2) and validated against an agency schema, then every tree written
// back with the XML writer and read again. It checks that nothing crashes, leaks or hangs, that
// every refusal is a finding (never an exception), and that what the writer writes reads back.
// And the tree checker's one-sided promise: a whole document it calls valid against its schema,
// written by the writer, is valid for Xerces-C too.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "edigate/xml/reader.hpp"
#include "edigate/xml/schemas.hpp"
#include "edigate/xml/tree_check.hpp"
#include "edigate/xml/writer.hpp"

using namespace edigate;

namespace {

struct keep final : xml::document_handler {
    std::vector<core::node> trees;
    void subtree(core::node& n, const std::string&) override {
        if (trees.size() < 64) trees.push_back(n);
    }
    void finding(const core::diagnostic& d) override {
        if (d.code.empty() || d.code.rfind("EDI-X", 0) != 0) std::abort();  // every finding carries an X code
    }
};

std::string scratch(const char* name) { return "/dev/shm/edigate-fuzz-" + std::to_string(::getpid()) + "-" + name; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static xml::schema_catalog catalog({std::filesystem::path(EDIGATE_SOURCE_DIR) / "xsd"});
    static const std::string in = scratch("in.xml"), again = scratch("again.xml");
    std::ofstream(in, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));

    xml::read_options o;
    o.split_depth = 2;
    o.bounds.max_depth = 64;
    o.bounds.max_markup = 4096;
    o.bounds.max_value = 1 << 16;
    core::diagnostic problem;
    if (auto root = xml::peek_root(in, problem, o))
        if (const auto* e = catalog.find(root->first, root->second)) o.schema = catalog.grammars(*e, problem);
    keep k;
    xml::read(in, k, o);

    for (const auto& tree : k.trees) {
        std::ostringstream out;
        try {
            xml::writer w(out);
            w.node(tree);
            w.finish();
        } catch (const xml::write_error&) {
            continue;  // a name or text the writer refuses is a clean refusal
        }
        std::ofstream(again, std::ios::binary) << out.str();
        auto back = xml::read_file(again, problem);
        if (!back || back->name != tree.name || back->children.size() != tree.children.size()) std::abort();
    }

    if (o.schema) {
        xml::read_options whole = o;
        whole.split_depth = 0;
        whole.schema.reset();
        auto tree = xml::read_file(in, problem, whole);
        if (tree && xml::surely_valid(*o.schema, *tree)) {
            std::string text;
            try {
                xml::writer w(text, {.indent = true});
                w.node(*tree);
                w.finish();
            } catch (const xml::write_error&) {
                return 0;
            }
            xml::read_options check;
            check.schema = o.schema;
            check.build_tree = false;
            struct count final : xml::document_handler {
                bool error = false;
                void finding(const core::diagnostic& d) override { error = error || d.level == core::severity::error; }
            } c;
            xml::read_memory(text, "again", c, check);
            if (c.error) std::abort();  // the checker said valid, Xerces-C says not
        }
    }
    return 0;
}
