// schemas.cpp - indexing schema folders and loading grammars into locked Xerces pools (see schemas.hpp).
#include "edigate/xml/schemas.hpp"

#include <fmt/format.h>
#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/parsers/SAX2XMLReaderImpl.hpp>
#include <xercesc/util/XMLEntityResolver.hpp>
#include <xercesc/util/XMLResourceIdentifier.hpp>
#include <xercesc/util/XMLUni.hpp>
#include <xercesc/validators/common/Grammar.hpp>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <system_error>

#include "edigate/core/data_roots.hpp"
#include "edigate/xml/codes.hpp"
#include "edigate/xml/reader.hpp"
#include "xerces_support.hpp"

namespace edigate::xml {

namespace fs = std::filesystem;
namespace x = xercesc;
using detail::utf8;

namespace {

constexpr std::string_view xsd_ns = "http://www.w3.org/2001/XMLSchema";

/// The catalog's index, built when first asked for (a remote import, companions).
using schema_index = std::function<const std::vector<schema_entry>&()>;

bool remote(std::string_view location) {
    auto colon = location.find("://");
    return colon != std::string_view::npos && location.substr(0, colon) != "file";
}

/// Collects a schema's errors and keeps its imports local: a remote location is answered from
/// the index by namespace, or refused (an empty document, which makes the load fail and say so).
class load_handler final : public x::DefaultHandler, public x::XMLEntityResolver {
public:
    explicit load_handler(const schema_index& index) : index_(index) {}

    void error(const x::SAXParseException& e) override { note(e); }
    void fatalError(const x::SAXParseException& e) override { note(e); }
    void warning(const x::SAXParseException&) override {}

    x::InputSource* resolveEntity(x::XMLResourceIdentifier* r) override {
        std::string location = utf8(r->getSystemId());
        if (!remote(location)) return nullptr;  // a local file, relative to the including schema
        std::string ns = utf8(r->getNameSpace());
        for (const auto& e : index_())
            if (e.target_namespace == ns && !ns.empty()) {
                auto path = detail::utf16(e.file.string());
                return new x::LocalFileInputSource(detail::xch(path));
            }
        errors.push_back(fmt::format("remote schema location refused: {}", location));
        static const XMLByte nothing[] = " ";
        return new x::MemBufInputSource(nothing, 0, "refused");
    }

    std::vector<std::string> errors;

private:
    void note(const x::SAXParseException& e) {
        std::string where = utf8(e.getSystemId());
        if (auto slash = where.rfind('/'); slash != std::string::npos) where = where.substr(slash + 1);
        errors.push_back(fmt::format("{}:{}:{}: {}", where, e.getLineNumber(), e.getColumnNumber(), utf8(e.getMessage())));
    }

    const schema_index& index_;
};

/// Loads one schema file into the pool; the errors are empty when it loaded cleanly.
std::vector<std::string> load_into(x::XMLGrammarPool* pool, const fs::path& file, const schema_index& index) {
    auto p = std::make_unique<x::SAX2XMLReaderImpl>(x::XMLPlatformUtils::fgMemoryManager, pool);
    p->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, true);
    p->setFeature(x::XMLUni::fgXercesSchema, true);
    p->setFeature(x::XMLUni::fgXercesHandleMultipleImports, true);
    p->setFeature(x::XMLUni::fgXercesSchemaFullChecking, true);
    p->setFeature(x::XMLUni::fgXercesLoadExternalDTD, false);
    load_handler h(index);
    p->setErrorHandler(&h);
    p->setXMLEntityResolver(&h);
    auto path = detail::utf16(file.string());
    try {
        if (!p->loadGrammar(detail::xch(path), x::Grammar::SchemaGrammarType, true) && h.errors.empty())
            h.errors.push_back(fmt::format("{}: not a schema", file.filename().string()));
    } catch (const x::XMLException& e) {
        h.errors.push_back(fmt::format("{}: {}", file.filename().string(), utf8(e.getMessage())));
    }
    return h.errors;
}

std::set<std::string> namespaces_in(x::XMLGrammarPool* pool) {
    std::set<std::string> out;
    auto it = pool->getGrammarEnumerator();
    while (it.hasMoreElements()) out.insert(utf8(it.nextElement().getTargetNamespace()));
    return out;
}

std::shared_ptr<const grammar_set> build(const std::string& name, const std::vector<fs::path>& required,
                                         const std::vector<fs::path>& optional, const schema_index& index,
                                         core::diagnostic& problem) {
    detail::init_xerces();
    auto impl = std::make_unique<grammar_set::impl>();
    impl->pool = std::make_unique<x::XMLGrammarPoolImpl>(x::XMLPlatformUtils::fgMemoryManager);
    std::vector<fs::path> loaded;
    for (const auto& f : required) {
        auto errors = load_into(impl->pool.get(), f, index);
        if (!errors.empty()) {
            problem = core::diagnostic{};
            problem.code = std::string(info(code::schema_unusable).name);
            problem.text = fmt::format("schema {} cannot be loaded: {}{}", f.string(), errors.front(),
                                       errors.size() > 1 ? fmt::format(" (and {} more)", errors.size() - 1) : "");
            return nullptr;
        }
        loaded.push_back(f);
    }
    for (const auto& f : optional) {
        // A companion whose namespace is already there (imported, or an alternative file for the
        // same namespace) is left out; one that does not load on its own is left out too, tried in
        // a scratch pool first so that a failed load leaves nothing behind.
        std::string ns;
        for (const auto& e : index())
            if (e.file == f) ns = e.target_namespace;
        if (namespaces_in(impl->pool.get()).count(ns)) continue;
        x::XMLGrammarPoolImpl scratch(x::XMLPlatformUtils::fgMemoryManager);
        if (!load_into(&scratch, f, index).empty()) continue;
        if (load_into(impl->pool.get(), f, index).empty()) loaded.push_back(f);
    }
    impl->pool->lockPool();
    return std::make_shared<grammar_set>(name, std::move(loaded), std::move(impl));
}

bool has_any(const core::node& n) {
    if (n.name == "any" && n.ns == xsd_ns) return true;
    return std::any_of(n.children.begin(), n.children.end(), has_any);
}

/// The index entry of schema file `f` under `root`; nullopt with `why` when it is not a schema.
std::optional<schema_entry> read_entry(const fs::path& f, const fs::path& root, std::string& why) {
    core::diagnostic problem;
    read_options o;
    o.bounds.max_bytes = 64u << 20;
    auto tree = read_file(f, problem, o);
    if (!tree || tree->name != "schema" || tree->ns != xsd_ns) {
        why = tree ? "not an XML schema (root is not xs:schema)" : problem.text;
        return std::nullopt;
    }
    schema_entry e;
    e.file = f;
    std::error_code ec;
    e.name = fs::relative(f, root, ec).replace_extension().generic_string();
    for (const auto& [k, v] : tree->attributes)
        if (k == "targetNamespace") e.target_namespace = v;
    for (const auto& c : tree->children)
        if (c.name == "element" && c.ns == xsd_ns)
            for (const auto& [k, v] : c.attributes)
                if (k == "name") e.elements.push_back(v);
    e.wildcards = has_any(*tree);
    return e;
}

}  // namespace

schema_catalog::schema_catalog(std::vector<fs::path> roots) : roots_(std::move(roots)) {}

std::vector<fs::path> schema_catalog::default_roots() { return core::data_roots("EDIGATE_SCHEMAS", "xsd"); }

void schema_catalog::index() const {
    std::call_once(indexed_, [this] {
        std::set<fs::path> seen;
        for (const auto& root : roots_) {
            std::error_code ec;
            if (!fs::is_directory(root, ec)) continue;
            auto canonical = fs::weakly_canonical(root, ec);
            if (!seen.insert(canonical).second) continue;  // the same folder reached twice
            std::vector<fs::path> files;
            for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
                if (it->is_regular_file(ec) && it->path().extension() == ".xsd") files.push_back(it->path());
            std::sort(files.begin(), files.end());
            for (const auto& f : files) {
                std::string why;
                if (auto e = read_entry(f, root, why)) entries_.push_back(std::move(*e));
                else skipped_.emplace_back(f, std::move(why));
            }
        }
        index_ready_.store(true, std::memory_order_release);
    });
}

const std::vector<schema_entry>& schema_catalog::entries() const {
    index();
    return entries_;
}

const std::vector<std::pair<fs::path, std::string>>& schema_catalog::skipped() const {
    index();
    return skipped_;
}

const schema_entry* schema_catalog::find(std::string_view ns, std::string_view element) const {
    for (const auto& e : entries())
        if (e.target_namespace == ns && std::find(e.elements.begin(), e.elements.end(), element) != e.elements.end()) return &e;
    // A root its namespace's schema does not declare (CEB214 for CEB214Message) is that schema's
    // business: validating against it says what is wrong, where "no schema" would let it pass.
    if (!ns.empty())
        for (const auto& e : entries())
            if (e.target_namespace == ns && !e.elements.empty()) return &e;
    return nullptr;
}

const schema_entry* schema_catalog::named(std::string_view name) const {
    // A name without folders is a file right under a root: read that one file, not the whole
    // index (every schema of every root, a few milliseconds of each translate run). The same
    // answer the index gives: the first root that has it as a schema.
    bool plain = !name.empty() && name != "." && name != ".." && name.find_first_of(std::string_view("/\\\0", 3)) == std::string_view::npos;
    if (!plain || index_ready_.load(std::memory_order_acquire)) {  // once there, the index's own entry
        for (const auto& e : entries())
            if (e.name == name) return &e;
        return nullptr;
    }
    std::lock_guard lock(mutex_);
    auto [it, fresh] = named_.try_emplace(std::string(name));
    if (fresh) {
        std::set<fs::path> seen;
        for (const auto& root : roots_) {
            std::error_code ec;
            if (!fs::is_directory(root, ec) || !seen.insert(fs::weakly_canonical(root, ec)).second) continue;
            fs::path f = root / (std::string(name) + ".xsd");
            std::string why;
            if (!fs::is_regular_file(f, ec)) continue;
            if ((it->second = read_entry(f, root, why))) break;
        }
    }
    return it->second ? &*it->second : nullptr;
}

std::shared_ptr<const grammar_set> schema_catalog::grammars(const schema_entry& entry, core::diagnostic& problem) const {
    std::lock_guard lock(mutex_);
    std::string key = entry.file.string();
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::vector<fs::path> companions;
    if (entry.wildcards)
        for (const auto& e : entries())
            if (e.file.parent_path() == entry.file.parent_path() && e.target_namespace != entry.target_namespace && !e.elements.empty())
                companions.push_back(e.file);
    auto set = build(entry.name, {entry.file}, companions, [this]() -> const std::vector<schema_entry>& { return entries(); }, problem);
    if (set) cache_[key] = set;
    return set;
}

std::shared_ptr<const grammar_set> schema_catalog::load(const std::vector<fs::path>& files, core::diagnostic& problem) const {
    std::string key;
    for (const auto& f : files) key += f.string() + "\n";
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::string name = files.empty() ? "" : files.front().stem().string();
    auto set = build(name, files, {}, [this]() -> const std::vector<schema_entry>& { return entries(); }, problem);
    if (set) cache_[key] = set;
    return set;
}

}  // namespace edigate::xml
