// catalog.cpp - finding installed directories and importing them on first use.
#include "edigate/directory/catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <system_error>

#include "detail/importer.hpp"
#include "edigate/core/data_roots.hpp"

namespace edigate::directory {

namespace fs = std::filesystem;

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

/// "D96A", "D01B", "S93A": a directory version folder name.
bool looks_like_id(std::string_view s) {
    return s.size() == 4 && (s[0] == 'D' || s[0] == 'S') && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
           s[3] >= 'A' && s[3] <= 'Z';
}

/// Directory files by kind, found by their UNECE names anywhere up to two levels below the folder.
struct file_set {
    std::vector<fs::path> segments, composites, elements, codes;
    std::map<std::string, fs::path, std::less<>> messages;
};

file_set classify(const fs::path& folder) {
    file_set set;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (it.depth() > 1 || !it->is_regular_file(ec)) continue;
        std::string name = upper(it->path().filename().string());
        auto dot = name.find('.');
        std::string stem = name.substr(0, dot);
        if (stem == "EDSD" || stem == "TRSD") set.segments.push_back(it->path());
        else if (stem == "EDCD" || stem == "TRCD") set.composites.push_back(it->path());
        else if (stem == "EDED" || stem == "TRED") set.elements.push_back(it->path());
        else if (stem.starts_with("UNCL")) set.codes.push_back(it->path());
        else if (auto u = stem.find('_'); u == 6 && dot != std::string::npos) set.messages[stem.substr(0, u)] = it->path();
    }
    std::sort(set.codes.begin(), set.codes.end());
    return set;
}

}  // namespace

namespace {
std::uint64_t pack(std::string_view v) {
    std::uint64_t k = 0;
    for (char c : v) k = (k << 8) | static_cast<unsigned char>(c);
    return k | (std::uint64_t(v.size()) << 60);  // length in the top bits: "A" and "\0A" differ
}

std::size_t slot_of(std::uint64_t key, unsigned shift) { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift); }
}  // namespace

// A hash table rather than a sorted array: the validator looks up most qualifiers and codes of
// every segment, and a binary search's unpredictable branches cost more than one multiply and,
// at half load, one or two probes.
void code_list::load() const {
    std::call_once(once_, [this] {
        for (auto entry : sources) detail::parse_codes(entry, codes_);
        std::size_t n = 0;
        for (const auto& [code, name] : codes_) n += code.size() <= 7;
        unsigned bits = 1;
        while ((std::size_t{1} << bits) < 2 * n) ++bits;
        shift_ = 64 - bits;
        short_codes_.assign(std::size_t{1} << bits, 0);
        const std::size_t mask = short_codes_.size() - 1;
        for (const auto& [code, name] : codes_) {
            if (code.size() > 7) continue;
            std::uint64_t k = pack(code);
            std::size_t i = slot_of(k, shift_);
            while (short_codes_[i] != 0) i = (i + 1) & mask;  // the codes are unique: no need to compare
            short_codes_[i] = k;
        }
        ready_.store(true, std::memory_order_release);
    });
}

const std::unordered_map<std::string, std::string>& code_list::codes() const {
    if (!ready_.load(std::memory_order_acquire)) load();
    return codes_;
}

bool code_list::contains(std::string_view v) const {
    if (!ready_.load(std::memory_order_acquire)) load();
    if (!v.empty() && v.size() <= 7) {  // an empty key would match an empty slot
        const std::uint64_t k = pack(v);
        const std::size_t mask = short_codes_.size() - 1;
        for (std::size_t i = slot_of(k, shift_);; i = (i + 1) & mask) {
            if (short_codes_[i] == k) return true;
            if (short_codes_[i] == 0) return false;
        }
    }
    return codes_.find(std::string(v)) != codes_.end();
}

std::string directory_id(std::string_view version, std::string_view release) {
    return upper(std::string(version) + std::string(release));
}

directory::directory(std::string id, fs::path folder) : id_(std::move(id)), folder_(std::move(folder)) {
    auto files = classify(folder_);
    auto need = [&](const std::vector<fs::path>& v, const char* what) {
        if (v.empty()) throw directory_error(fmt::format("directory {} in {} has no {} file", id_, folder_.string(), what));
    };
    need(files.segments, "segment directory (EDSD/TRSD)");
    need(files.composites, "composite directory (EDCD/TRCD)");
    need(files.elements, "data element directory (EDED/TRED)");
    std::string text;  // one buffer for every file: its pages are touched once
    auto read = [&](const fs::path& f) -> const std::string& {
        text.clear();
        return detail::read_text(f, text);
    };
    for (const auto& f : files.segments) detail::import_segments(read(f), segments_);
    for (const auto& f : files.composites) detail::import_composites(read(f), composites_);
    for (const auto& f : files.elements) detail::import_elements(read(f), elements_);
    // The code list files stay mapped: each list parses its codes from them when first asked.
    for (const auto& f : files.codes) {
        auto file = detail::map_file(f);
        detail::import_code_lists(file.text(), code_lists_);
        code_files_.push_back(std::move(file.data));
    }
    message_files_ = std::move(files.messages);
    if (segments_.empty() || composites_.empty() || elements_.empty())
        throw directory_error(fmt::format("directory {} in {}: no definitions could be read", id_, folder_.string()));
    link();
}

void directory::link() {
    for (auto& [tag, seg] : segments_) {
        for (auto& e : seg.elements) {
            if (e.composite) {
                if (auto* c = composite(e.code)) e.components = c->components;
            } else if (auto* d = element(e.code)) {
                if (e.format.max == 0) e.format = d->format;
            }
        }
    }
    // A composite component without a representation takes it from the element directory.
    for (auto& [tag, seg] : segments_)
        for (auto& e : seg.elements) {
            if (!e.composite) e.codes = codes(e.code);
            e.symbol = e.code;
            for (auto& c : e.components) {
                c.symbol = c.code;
                if (c.format.max == 0)
                    if (auto* d = element(c.code)) c.format = d->format;
                c.codes = codes(c.code);
                using role = component_use::role;
                c.kind = c.code == "1131" ? role::list_qualifier : c.code == "3055" ? role::agency
                       : c.code == "2380" ? role::date_value : c.code == "2379" ? role::date_format : role::none;
            }
        }
    for (auto& [tag, seg] : segments_) seg.compile_checks(), seg.symbol = seg.tag;
    // 2380 values are checked against their 2379 format in many segments (DTM): look the
    // patterns up by packed code rather than by string in the code list.
    date_patterns_.clear();
    long_date_patterns_.clear();
    if (const auto* formats = codes("2379"))
        for (const auto& [code, name] : formats->codes())
            if (auto p = make_date_pattern(name)) {
                if (!code.empty() && code.size() <= 7) date_patterns_.emplace_back(pack(code), std::move(*p));
                else long_date_patterns_.emplace(code, std::move(*p));
            }
    std::sort(date_patterns_.begin(), date_patterns_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

std::optional<directory::date_pattern> directory::make_date_pattern(const std::string& name) {
    if (name.empty() || name.find_first_not_of("CYMDHSW-") != std::string::npos) return std::nullopt;  // Z, Q, P...: not checked
    date_pattern p{name, name};
    std::erase(p.without_dash, '-');
    return p;
}

const directory::date_pattern* directory::date_format(std::string_view code) const {
    if (code.empty() || code.size() > 7) {  // not packed (UNCL 2379 has no such codes)
        auto it = long_date_patterns_.find(code);
        return it == long_date_patterns_.end() ? nullptr : &it->second;
    }
    std::uint64_t k = pack(code);
    auto it = std::lower_bound(date_patterns_.begin(), date_patterns_.end(), k, [](const auto& e, std::uint64_t v) { return e.first < v; });
    return it != date_patterns_.end() && it->first == k ? &it->second : nullptr;
}

void segment_def::compile_checks() {
    checks = {};
    for (const auto& e : elements) {
        element_check ec;
        ec.mandatory = e.mandatory;
        ec.composite = e.composite;
        ec.repeat = e.repeat;
        ec.symbol = e.symbol;
        ec.first = static_cast<std::uint32_t>(checks.values.size());
        if (e.composite) {
            for (const auto& c : e.components) {
                if (c.mandatory && ec.count < 64) ec.mandatory_components |= std::uint64_t{1} << ec.count;
                ++ec.count;
                checks.values.push_back(value_check{c.format.min, c.format.max, c.format.type, c.mandatory, c.kind, c.codes, c.symbol});
                ec.has_roles = ec.has_roles || c.kind != component_use::role::none;
            }
            checks.fits_masks = checks.fits_masks && ec.count <= 64;
        } else {
            checks.values.push_back(value_check{e.format.min, e.format.max, e.format.type, e.mandatory, component_use::role::none, e.codes, e.symbol});
        }
        ec.count = static_cast<std::uint32_t>(checks.values.size()) - ec.first;
        if (e.mandatory && checks.elements.size() < 64) checks.mandatory_elements |= std::uint64_t{1} << checks.elements.size();
        checks.elements.push_back(ec);
    }
    checks.fits_masks = checks.fits_masks && checks.elements.size() <= 64;
}

void directory::index_structure(std::vector<structure_entry>& entries) const {
    std::uint32_t mandatory = 0;
    for (auto& e : entries) {
        if (e.is_group()) index_structure(e.children), e.label = "SG" + std::to_string(e.group);
        else e.definition = segment(e.tag);
        e.key = tag_key(e.first_tag());
        e.mandatory_before = mandatory;
        mandatory += e.mandatory;
    }
}

const segment_def* directory::segment(std::string_view tag) const {
    auto it = segments_.find(tag);
    return it == segments_.end() ? nullptr : &it->second;
}
const composite_def* directory::composite(std::string_view code) const {
    auto it = composites_.find(code);
    return it == composites_.end() ? nullptr : &it->second;
}
const element_def* directory::element(std::string_view code) const {
    auto it = elements_.find(code);
    return it == elements_.end() ? nullptr : &it->second;
}
const code_list* directory::codes(std::string_view element) const {
    auto it = code_lists_.find(element);
    return it == code_lists_.end() ? nullptr : &it->second;
}

const message_def* directory::message(std::string_view type) const {
    std::lock_guard lock(mutex_);
    if (auto it = messages_.find(type); it != messages_.end()) return it->second.get();
    auto file = message_files_.find(type);
    if (file == message_files_.end()) return nullptr;
    std::string text;
    auto m = std::make_unique<message_def>(detail::import_message(detail::read_text(file->second, text), type));
    m->agency = "UN";
    m->version = id_.substr(0, 1);
    m->release = id_.substr(1);
    m->source = file->second.string();
    index_structure(m->body);
    return messages_.emplace(std::string(type), std::move(m)).first->second.get();
}

std::vector<std::string> directory::message_types() const {
    std::vector<std::string> out;
    for (const auto& [type, path] : message_files_) out.push_back(type);
    if (out.empty())
        for (const auto& [type, m] : messages_) out.push_back(type);
    return out;
}

catalog::catalog(std::vector<fs::path> roots) : roots_(std::move(roots)) {
    std::error_code ec;
    for (const auto& root : roots_) {
        for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
            std::string name = upper(it->path().filename().string());
            if (looks_like_id(name) && it->is_directory(ec)) available_.emplace(name, it->path());  // first root wins
        }
        ec.clear();
    }
}

std::vector<fs::path> catalog::default_roots() { return core::data_roots("EDIGATE_DIRECTORIES", "edifact/directories"); }

const directory* catalog::find(std::string_view id) {
    std::string key = upper(id);
    std::erase(key, ':');
    std::lock_guard lock(mutex_);
    if (auto it = loaded_.find(key); it != loaded_.end()) return it->second.get();
    auto where = available_.find(key);
    if (where == available_.end()) return nullptr;
    auto d = std::make_unique<directory>(key, where->second);
    return loaded_.emplace(key, std::move(d)).first->second.get();
}

std::vector<std::string> catalog::installed() const {
    std::vector<std::string> out;
    for (const auto& [id, path] : available_) out.push_back(id);
    return out;
}

}  // namespace edigate::directory
