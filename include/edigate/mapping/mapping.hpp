// mapping.hpp - one declarative mapping (mappings/*.map.xml): loaded, checked, run on source trees.
//
// A mapping file is XML validated against xsd/mapping-v1.xsd at load; its expressions are compiled
// and the code tables it names are loaded then, so every mistake in it is reported before any
// message is touched, with file, line and column. Running it on one source tree gives the target
// tree, or nothing at all with findings that name the rule (output path and mapping line) and the
// source position: all or nothing per message.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edigate/core/diagnostic.hpp"
#include "edigate/core/node.hpp"
#include "edigate/mapping/code_table.hpp"
#include "edigate/mapping/expression.hpp"
#include "edigate/mapping/path.hpp"
#include "edigate/xml/schemas.hpp"

namespace edigate::mapping {

/// Where one output value came from: the rule that made it and the source element it was read
/// from (for `edigate translate --explain`).
struct trace {
    std::string output;        ///< output path, e.g. "Manifest/Declaration/Consignment[2]/TransportContractDocument/ID"
    std::string value;
    std::uint32_t rule_line = 0;
    std::string rule;          ///< the expression
    std::string source;        ///< the source element's name ("1154"), empty for constants and variables
    std::uint64_t source_byte = 0;
    std::uint32_t source_line = 0;
};

class mapping {
public:
    struct rule;  // compiled form, see mapping.cpp

    /// Loads `file`: checked against mapping-v1 from `schemas`, code tables read from `codes`.
    /// nullopt with the problems (EDI-M001, each with line and column) when it cannot be used.
    static std::optional<mapping> load(const std::filesystem::path& file, const xml::schema_catalog& schemas,
                                       const std::filesystem::path& codes, std::vector<core::diagnostic>& problems);

    const std::string& name() const noexcept { return name_; }
    const std::string& source() const noexcept { return source_; }  ///< EDIFACT message type or XML root element
    const std::string& target() const noexcept { return target_; }  ///< the schema the output must validate against
    const std::filesystem::path& file() const noexcept { return file_; }

    /// Whether a rule reads other messages of the interchange ('//' paths): the caller then keeps
    /// the interchange's messages and passes them as `interchange` (its children are the messages).
    bool reads_interchange() const noexcept { return reads_interchange_; }

    /// Whether this mapping reads this message: its `when` test holds (always without one).
    bool applies(const core::node& source, const variables& vars, const core::node* interchange = nullptr) const;

    /// The target tree for one source tree, or nullopt with findings (EDI-M002, EDI-M003).
    /// With `explain`, every value written is traced back to its rule and source element.
    std::optional<core::node> run(const core::node& source, const variables& vars, std::vector<core::diagnostic>& findings,
                                  std::vector<trace>* explain = nullptr, const core::node* interchange = nullptr) const;
    /// The same into `out`, refilling the nodes a previous run left there (their memory is reused):
    /// false, with `out` not a valid output, when a rule failed.
    bool fill(core::node& out, const core::node& source, const variables& vars, std::vector<core::diagnostic>& findings,
              std::vector<trace>* explain = nullptr, const core::node* interchange = nullptr) const;

private:
    std::string name_, source_, target_;
    std::filesystem::path file_;
    std::shared_ptr<const rule> output_;
    std::shared_ptr<const expression> when_;
    bool reads_interchange_ = false;
    bool reads_position_ = false;  ///< a rule names $position, which each loop turn then sets
    std::map<std::string, code_table, std::less<>> tables_;
};

/// Where mapping files are looked for: $EDIGATE_MAPPINGS, the install's share/edigate/mappings,
/// the source tree's mappings/.
std::vector<std::filesystem::path> default_mapping_roots();

/// The mapping file called `name` (file name without .map.xml, in any folder below a root), or a path.
std::optional<std::filesystem::path> find_mapping(std::string_view name, const std::vector<std::filesystem::path>& roots);

}  // namespace edigate::mapping
