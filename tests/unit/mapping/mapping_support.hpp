// mapping_support.hpp - what the mapping tests share: the source tree of a real sample message.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <vector>

#include "edigate/directory/tree.hpp"
#include "edigate/edifact/reader.hpp"

namespace edigate::test {

inline const std::filesystem::path source_dir = EDIGATE_SOURCE_DIR;

/// Every message of a sample interchange, as its directory names and nests it.
inline std::vector<core::node> message_trees(const std::filesystem::path& sample) {
    struct trees final : edifact::handler {
        directory::catalog dirs{{source_dir / "edifact/directories"}};
        directory::validator v{dirs};
        edifact::interchange_header header;
        std::vector<core::node> got;
        void interchange_begin(const edifact::interchange_header& h) override { header = h; }
        void message_end(const edifact::message& m) override { got.push_back(directory::message_tree(m, header, v, [](core::diagnostic) {})); }
    } h;
    edifact::reader_options o;
    o.keep_segments = true;
    edifact::reader(o).read_file(source_dir / sample, h);
    REQUIRE_FALSE(h.got.empty());
    return std::move(h.got);
}

/// The first message of samples/cuscar-d96a-manifest.edi.
inline core::node cuscar_tree() { return message_trees("samples/cuscar-d96a-manifest.edi").front(); }

}  // namespace edigate::test
