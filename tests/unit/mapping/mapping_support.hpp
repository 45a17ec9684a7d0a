// mapping_support.hpp - what the mapping tests share: the source tree of a real sample message.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>

#include "edigate/directory/tree.hpp"
#include "edigate/edifact/reader.hpp"

namespace edigate::test {

inline const std::filesystem::path source_dir = EDIGATE_SOURCE_DIR;

/// The first message of samples/cuscar-d96a-manifest.edi, as the D96A directory names and nests it.
inline core::node cuscar_tree() {
    struct first_tree final : edifact::handler {
        directory::catalog dirs{{source_dir / "edifact/directories"}};
        directory::validator v{dirs};
        edifact::interchange_header header;
        std::optional<core::node> tree;
        void interchange_begin(const edifact::interchange_header& h) override { header = h; }
        void message_end(const edifact::message& m) override {
            if (!tree) tree = directory::message_tree(m, header, v, [](core::diagnostic) {});
        }
    } h;
    edifact::reader_options o;
    o.keep_segments = true;
    edifact::reader(o).read_file(source_dir / "samples/cuscar-d96a-manifest.edi", h);
    REQUIRE(h.tree);
    return *h.tree;
}

}  // namespace edigate::test
