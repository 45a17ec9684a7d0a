// schemas.hpp - installed XML schemas: found by namespace and root element, loaded once, cached.
//
// A schema root is a folder of .xsd files (edigate's own xsd/, a partner's or an agency's folder).
// Every .xsd under it is indexed by its target namespace and its global elements, so a document
// finds its schema from its root element alone; `--schema NAME|PATH` names one instead. Loading a
// schema also loads the other namespaces' schemas of the same folder (the "companions"), so a
// wrapper document whose root schema leaves its payload to another file (WCO's MetaData around a
// Declaration, a DXP envelope around a CEB message) validates as a whole.
//
// Schema files are trusted configuration, documents are not: a document's xsi:schemaLocation is
// never followed. A schema's own imports and includes are read from local files only; a remote
// location (http:, https:, ftp:) is resolved through the index by namespace or refused.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/core/diagnostic.hpp"

namespace edigate::xml {

/// Grammars ready to validate against, shareable between threads.
class grammar_set {
public:
    struct impl;
    grammar_set(std::string name, std::vector<std::filesystem::path> files, std::unique_ptr<impl> i);
    ~grammar_set();
    const std::string& name() const noexcept { return name_; }
    /// The schema file first, then the companions that loaded with it.
    const std::vector<std::filesystem::path>& files() const noexcept { return files_; }
    impl& internals() const noexcept { return *impl_; }

private:
    std::string name_;
    std::vector<std::filesystem::path> files_;
    std::unique_ptr<impl> impl_;
};

struct schema_entry {
    std::string name;                    ///< path under its root without ".xsd", e.g. "customs-manifest-mt1101"
    std::filesystem::path file;
    std::string target_namespace;        ///< empty: no namespace
    std::vector<std::string> elements;   ///< global element names: the roots a document may have
    bool wildcards = false;              ///< has xs:any: other namespaces' content may need checking
};

class schema_catalog {
public:
    /// Earlier roots win when two schemas declare the same root element.
    explicit schema_catalog(std::vector<std::filesystem::path> roots);
    /// $EDIGATE_SCHEMAS (colon-separated), then <exe>/../share/edigate/xsd, then the source tree's xsd/.
    static std::vector<std::filesystem::path> default_roots();

    const std::vector<std::filesystem::path>& roots() const noexcept { return roots_; }
    /// Every indexed schema, in root order then name order.
    const std::vector<schema_entry>& entries() const;
    /// Files that could not be indexed (not XML, not a schema), with the reason.
    const std::vector<std::pair<std::filesystem::path, std::string>>& skipped() const;
    /// The schema declaring this root element; else, for a namespaced root, the first schema of
    /// its namespace (which will then report the undeclared root); else null.
    const schema_entry* find(std::string_view ns, std::string_view element) const;
    const schema_entry* named(std::string_view name) const;

    /// The entry's grammars with its companions, loaded on first use and cached; null with
    /// `problem` (EDI-X012) when the schema itself cannot be loaded.
    std::shared_ptr<const grammar_set> grammars(const schema_entry& entry, core::diagnostic& problem) const;
    /// Grammars from explicit files, loaded together (e.g. a wrapper schema and its payload's).
    std::shared_ptr<const grammar_set> load(const std::vector<std::filesystem::path>& files, core::diagnostic& problem) const;

private:
    void index() const;

    std::vector<std::filesystem::path> roots_;
    mutable std::once_flag indexed_;
    mutable std::atomic<bool> index_ready_{false};
    mutable std::vector<schema_entry> entries_;
    mutable std::vector<std::pair<std::filesystem::path, std::string>> skipped_;
    mutable std::mutex mutex_;
    mutable std::map<std::string, std::shared_ptr<const grammar_set>> cache_;
    mutable std::map<std::string, std::optional<schema_entry>, std::less<>> named_;  ///< named() without the index
};

}  // namespace edigate::xml
