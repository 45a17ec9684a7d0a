// importer.cpp - reads the UNECE directory text files. See detail/importer.hpp.
#include "detail/importer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <iconv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iterator>
#include <optional>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "edigate/directory/catalog.hpp"

namespace edigate::directory::detail {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t count = 1;  // counted with memchr (std::count takes a few instructions a byte)
    for (const char *p = text.data(), *end = p + text.size(); p < end; ++p, ++count)
        if (!(p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) break;
    out.reserve(count);  // grown once: fresh pages fault
    std::size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        std::size_t end = nl > start && text[nl - 1] == '\r' ? nl - 1 : nl;  // CR LF line ends
        out.push_back(text.substr(start, end - start));
        start = nl + 1;
    }
    return out;
}

/// A line's words: few, and kept on the stack (every line of a directory is split).
using words = boost::container::small_vector<std::string_view, 16>;

words split_words(std::string_view s) {
    words out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        std::size_t b = i;
        while (i < s.size() && s[i] != ' ') ++i;
        if (i > b) out.push_back(s.substr(b, i - b));
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string join(const words& w, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
        if (!out.empty()) out += ' ';
        out += w[i];
    }
    return out;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}
bool is_upper_or_digit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_indicator(char c) { return c == '+' || c == '*' || c == '#' || c == '|' || c == 'X' || c == '-'; }

/// Change indicators (+ * # | X -) sit in column 1; blank them so indentation stays meaningful.
/// Returns the line (in `scratch` when changed) and whether it carried the deletion mark '-'.
std::string_view unmark(std::string_view line, std::string& scratch, bool* deleted = nullptr) {
    if (deleted) *deleted = false;
    if (line.empty() || !is_indicator(line[0])) return line;  // most lines: nothing to blank
    std::string& s = scratch;
    s.assign(line);
    std::size_t n = 0;  // indicators can combine: "#|"
    while (n < s.size() && n < 3 && is_indicator(s[n])) ++n;
    if (n > 0 && n < s.size() && s[n] == ' ') {
        if (deleted) *deleted = s.find('-') < n;
        for (std::size_t i = 0; i < n; ++i) s[i] = ' ';
    }
    return s;
}

/// Segment and composite directories also put change indicators further in ("    * C059  STREET"):
/// the line, in `scratch` when one is blanked.
std::string_view unmark_indented(std::string_view line, std::string& scratch) {
    std::size_t i = line.find_first_not_of(' ');
    if (i == std::string_view::npos || i + 1 >= line.size() || line[i + 1] != ' ' || !is_indicator(line[i])) return line;
    scratch.assign(line);
    scratch[i] = ' ';
    return scratch;
}

std::size_t indent_of(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    return i;
}

bool is_separator(std::string_view trimmed) {
    return trimmed.starts_with("--") || trimmed.starts_with("\u2500");
}

bool is_repr(std::string_view t) {
    std::size_t i = 0;
    if (t.starts_with("an")) i = 2;
    else if (t.starts_with("a") || t.starts_with("n")) i = 1;
    else return false;
    if (t.substr(i).starts_with("..")) i += 2;
    return all_digits(t.substr(i));
}

bool is_status(std::string_view t) { return t == "M" || t == "C"; }

/// "010" element position.
bool is_position(std::string_view t) { return t.size() == 3 && all_digits(t); }
/// "1004", "C002", "E001", "S009": a data element or composite code.
bool is_element_code(std::string_view t) {
    return t.size() == 4 && is_upper_or_digit(t[0]) && all_digits(t.substr(1));
}
bool is_segment_tag(std::string_view t) {
    return t.size() == 3 && t[0] >= 'A' && t[0] <= 'Z' && is_upper_or_digit(t[1]) && is_upper_or_digit(t[2]);
}
bool has_lower(std::string_view s) {
    for (char c : s)
        if (c >= 'a' && c <= 'z') return true;
    return false;
}

unsigned to_unsigned(std::string_view s) {
    unsigned v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

/// A line "010    C002 DOCUMENT/MESSAGE NAME    C    1 an..3" after the position and code words.
struct usage_line {
    std::string position, code, name;
    bool mandatory = false;
    unsigned repeat = 1;
    std::string format;
};

/// Parses the words of an element or component line; nullopt when the status is not on this line
/// (the name wrapped onto the next one).
std::optional<usage_line> parse_usage(const words& w) {
    if (w.size() < 3) return std::nullopt;
    std::size_t end = w.size();
    usage_line u;
    u.position = std::string(w[0]);
    u.code = std::string(w[1]);
    if (is_repr(w[end - 1])) u.format = std::string(w[--end]);
    if (end >= 4 && all_digits(w[end - 1]) && is_status(w[end - 2])) u.repeat = to_unsigned(w[--end]);
    if (end < 3 || !is_status(w[end - 1])) return std::nullopt;
    u.mandatory = w[end - 1] == "M";
    u.name = join(w, 2, end - 1);
    return u;
}

/// Words of an element line; a change mark between position and code ("020 X  C110") is dropped.
words usage_words(std::string_view line) {
    auto w = split_words(line);
    if (w.size() >= 3 && is_position(w[0]) && w[1].size() == 1 && is_indicator(w[1][0]))
        w.erase(w.begin() + 1);
    return w;
}

/// Element lines of segment and composite directories, with wrapped names joined.
template <class F>
void for_each_usage(const std::vector<std::string_view>& lines, std::size_t& i, F&& f) {
    std::string scratch;
    std::string_view l = unmark_indented(lines[i], scratch);
    auto w = usage_words(l);
    if (w.size() < 2 || !is_position(w[0]) || !is_element_code(w[1])) return;
    std::string joined(l);
    for (int extra = 0; extra < 3; ++extra) {
        if (auto u = parse_usage(usage_words(joined))) {
            f(*u);
            return;
        }
        if (i + 1 >= lines.size()) return;
        joined += ' ';
        joined += unmark_indented(lines[++i], scratch);
    }
}

/// A header line "      C507  DATE/TIME/PERIOD": code then an upper-case name, indented.
std::optional<std::pair<std::string, std::string>> upper_header(std::string_view line, bool (*code_ok)(std::string_view)) {
    std::string scratch;
    std::string_view l = unmark_indented(line, scratch);
    if (l.empty() || l[0] != ' ') return std::nullopt;
    auto w = split_words(l);
    if (w.size() < 2 || !code_ok(w[0])) return std::nullopt;
    std::string name = join(w, 1, w.size());
    if (has_lower(name) || !(name[0] >= 'A' && name[0] <= 'Z')) return std::nullopt;
    return std::pair{std::string(w[0]), name};
}

bool is_composite_code(std::string_view t) { return t.size() == 4 && (t[0] == 'C' || t[0] == 'E' || t[0] == 'S') && all_digits(t.substr(1)); }

/// Element header "     1225  Message function code   [C]" followed (after blank lines) by "Desc:".
std::optional<std::pair<std::string, std::string>> element_header(const std::vector<std::string_view>& lines, std::size_t i) {
    // Cheap rejection first, as this is asked of every line: the first word must be digits, and
    // before it there are only blanks and change indicators (which unmark() blanks).
    // Then (code lines of code lists start with digits too) four digits and a blank, and "Desc:"
    // next: what the full test below needs, without copying the line.
    std::string_view raw = lines[i];
    std::size_t k = 0;
    while (k < raw.size() && (raw[k] == ' ' || is_indicator(raw[k]))) ++k;
    if (k == raw.size() || raw[k] < '0' || raw[k] > '9') return std::nullopt;
    if (raw.size() < k + 4 || !all_digits(raw.substr(k, 4)) || (raw.size() > k + 4 && raw[k + 4] != ' ')) return std::nullopt;
    std::size_t j = i + 1;
    while (j < lines.size() && trim(lines[j]).empty()) ++j;
    if (j >= lines.size() || !trim(lines[j]).starts_with("Desc:")) return std::nullopt;
    std::string scratch;
    std::string_view l = unmark(raw, scratch);
    auto w = split_words(l);
    if (w.size() < 2 || w[0].size() != 4 || !all_digits(w[0]) || l[0] != ' ') return std::nullopt;
    std::size_t end = w.size();
    if (end > 2 && w[end - 1].size() == 3 && w[end - 1][0] == '[') --end;  // usage indicator [B] [C] [I]
    return std::pair{std::string(w[0]), join(w, 1, end)};
}

}  // namespace

namespace {
/// UTF-8 for each CP437 byte, from iconv once: CP437 is a stateless single-byte charset, so
/// converting byte by byte gives what converting the whole text gives. A byte iconv cannot
/// convert becomes '?'.
const std::array<std::string, 256>& cp437_table() {
    static const std::array<std::string, 256> table = [] {
        std::array<std::string, 256> t;
        iconv_t cd = iconv_open("UTF-8", "CP437");
        if (cd == reinterpret_cast<iconv_t>(-1)) throw directory_error("iconv cannot convert CP437 to UTF-8");
        for (int b = 0; b < 256; ++b) {
            char in = static_cast<char>(b), out[8];
            char* in_p = &in;
            char* out_p = out;
            std::size_t in_left = 1, out_left = sizeof out;
            iconv(cd, nullptr, nullptr, nullptr, nullptr);
            bool failed = iconv(cd, &in_p, &in_left, &out_p, &out_left) == static_cast<std::size_t>(-1);
            std::string utf8 = failed ? std::string(1, '?') : std::string(out, static_cast<std::size_t>(out_p - out));
            t[b] = std::move(utf8);
        }
        iconv_close(cd);
        return t;
    }();
    return table;
}
}  // namespace

mapped_text map_file(const std::filesystem::path& file) {
    // Mapped, not read into a buffer: the pages come from the page cache, and nothing is written
    // (fresh pages cost a fault each, a visible part of every validating run).
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
        if (fd >= 0) ::close(fd);
        throw directory_error(fmt::format("cannot read directory file {}: {}", file.string(), std::strerror(errno)));
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    void* map = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : nullptr;
    ::close(fd);
    if (map == MAP_FAILED) throw directory_error(fmt::format("cannot map directory file {}: {}", file.string(), std::strerror(errno)));
    mapped_text m;
    m.data = std::shared_ptr<const char>(static_cast<const char*>(map), [size](const char* p) {
        if (p) ::munmap(const_cast<char*>(p), size);
    });
    m.size = size;
    return m;
}

void append_utf8(std::string_view cp437_text, std::string& out) {
    // Nearly all ASCII, but the structure tables draw boxes: written through a pointer into room
    // made once (a CP437 byte is at most 3 bytes of UTF-8), ASCII 8 bytes at a time.
    const auto& cp437 = cp437_table();
    const std::size_t before = out.size();
    out.resize(before + cp437_text.size() * 3);
    char* w = out.data() + before;
    const char *p = cp437_text.data(), *end = p + cp437_text.size();
    while (p < end) {
        std::uint64_t eight;
        if (p + 8 <= end && (std::memcpy(&eight, p, 8), !(eight & 0x8080808080808080u))) {
            std::memcpy(w, p, 8);
            w += 8, p += 8;
            continue;
        }
        auto c = static_cast<unsigned char>(*p++);
        if (c < 0x80) {
            *w++ = static_cast<char>(c);
        } else {
            const std::string& u = cp437[c];
            std::memcpy(w, u.data(), u.size());
            w += u.size();
        }
    }
    out.resize(static_cast<std::size_t>(w - out.data()));
}

const std::string& read_text(const std::filesystem::path& file, std::string& out) {
    append_utf8(map_file(file).text(), out);
    return out;
}

void import_segments(std::string_view text, std::map<std::string, segment_def, std::less<>>& out) {
    auto lines = split_lines(text);
    segment_def* seg = nullptr;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (auto h = upper_header(lines[i], is_segment_tag)) {
            seg = &out[h->first];
            *seg = segment_def{h->first, h->second, {}};
            continue;
        }
        if (!seg) continue;
        for_each_usage(lines, i, [&](const usage_line& u) {
            element_use e;
            e.position = u.position;
            e.code = u.code;
            e.name = u.name;
            e.mandatory = u.mandatory;
            e.repeat = u.repeat ? u.repeat : 1;
            e.composite = !(u.code[0] >= '0' && u.code[0] <= '9');
            e.format = repr::parse(u.format);
            seg->elements.push_back(std::move(e));
        });
    }
}

void import_composites(std::string_view text, std::map<std::string, composite_def, std::less<>>& out) {
    auto lines = split_lines(text);
    composite_def* comp = nullptr;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (auto h = upper_header(lines[i], is_composite_code)) {
            comp = &out[h->first];
            *comp = composite_def{h->first, h->second, {}};
            continue;
        }
        if (!comp) continue;
        for_each_usage(lines, i, [&](const usage_line& u) {
            comp->components.push_back(component_use{u.code, u.name, u.mandatory, repr::parse(u.format)});
        });
    }
}

void import_elements(std::string_view text, std::map<std::string, element_def, std::less<>>& out) {
    auto lines = split_lines(text);
    element_def* el = nullptr;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (auto h = element_header(lines, i)) {
            el = &out[h->first];
            *el = element_def{h->first, h->second, {}};
            continue;
        }
        auto t = trim(lines[i]);
        if (el && t.starts_with("Repr:")) el->format = repr::parse(trim(t.substr(5)));
    }
}

namespace {
/// Calls f(words) for each code line of a code list entry (lines [from, to) after its header), in
/// order, with the line's words (the code, then its name); f returns false to stop.
template <class F>
void for_each_code(const std::vector<std::string_view>& lines, std::size_t from, std::size_t to, F&& f) {
    bool in_codes = false, in_note = false;
    std::string scratch;
    for (std::size_t i = from; i < to; ++i) {
        // Most lines are descriptions and notes, indented past the codes: skip them before
        // copying (change indicators only ever stand in the first columns).
        if (indent_of(lines[i]) > 10 && !trim(lines[i]).empty()) continue;
        bool deleted = false;
        std::string_view l = unmark(lines[i], scratch, &deleted);
        auto t = trim(l);
        if (t.empty()) {
            in_note = false;
            continue;
        }
        if (t.starts_with("Repr:")) {
            in_codes = true;
            continue;
        }
        if (t.starts_with("Note:")) {
            in_note = true;
            continue;
        }
        if (!in_codes || in_note || indent_of(l) > 10) continue;
        auto w = split_words(t);
        if (deleted) continue;
        if (!f(w)) return;
    }
}
}  // namespace

void import_code_lists(std::string_view text, std::map<std::string, code_list, std::less<>>& out) {
    auto lines = split_lines(text);
    code_list* list = nullptr;
    std::size_t first = 0;  // the open list's first line after its header
    auto close = [&](std::size_t end) {  // the open list's entry ends before line `end`
        if (!list) return;
        bool any = false;  // a list with no code (only deleted ones, say) is no list
        for_each_code(lines, first, end, [&](const auto&) {
            any = true;
            return false;
        });
        if (any) {
            const char* b = lines[first].data();
            const char* e = lines[end - 1].data() + lines[end - 1].size();
            list->sources.emplace_back(b, static_cast<std::size_t>(e - b));
        }
        list = nullptr;
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (auto h = element_header(lines, i)) {
            close(i);
            list = &out[h->first];
            list->element = h->first;
            first = i + 1;
            continue;
        }
        if (list && is_separator(trim(lines[i]))) close(i);
    }
    close(lines.size());
    std::erase_if(out, [](const auto& kv) { return kv.second.sources.empty(); });
}

void parse_codes(std::string_view entry, std::unordered_map<std::string, std::string>& codes) {
    std::string text;
    append_utf8(entry, text);
    auto lines = split_lines(text);
    for_each_code(lines, 0, lines.size(), [&](const words& w) {
        codes.emplace(std::string(w[0]), join(w, 1, w.size()));
        return true;
    });
}

namespace {

/// Counts group-closing marks in the tail of a segment-table line: the box corners of the CP437
/// layout and the '+' of the ASCII layout.
unsigned count_closings(std::string_view tail) {
    unsigned n = 0;
    for (std::size_t i = 0; i < tail.size(); ++i) {
        if (tail[i] == '+') ++n;
        else if (tail.substr(i).starts_with("\u2518") || tail.substr(i).starts_with("\u2534")) ++n;
    }
    return n;
}

/// After "S   R": the status word and the repeat count (which may run into box characters).
bool status_and_repeat(std::string_view rest, structure_entry& e, std::string_view& tail) {
    auto w = split_words(rest);
    bool found = false;
    for (std::size_t k = 0; k + 1 < w.size(); ++k) {
        if (!is_status(w[k])) continue;
        std::string_view r = w[k + 1];
        std::size_t d = 0;
        while (d < r.size() && r[d] >= '0' && r[d] <= '9') ++d;
        if (d == 0) continue;
        // the last status/repeat pair wins: names never end in "M 1"
        e.mandatory = w[k] == "M";
        e.max_repeat = to_unsigned(r.substr(0, d));
        tail = rest.substr(static_cast<std::size_t>(r.data() - rest.data()) + d);
        found = true;
    }
    return found;
}

}  // namespace

message_def import_message(std::string_view text, std::string_view type) {
    auto lines = split_lines(text);
    message_def m;
    m.type = std::string(type);
    // The title is the last line of the heading, above the first rule.
    for (std::size_t i = 0; i < lines.size() && i < 30; ++i) {
        auto t = trim(lines[i]);
        if (is_separator(t)) break;
        if (!t.empty() && i < 12) m.name = std::string(t);
    }
    std::size_t i = 0;
    for (; i < lines.size(); ++i) {
        auto t = trim(lines[i]);
        if (t.starts_with("Pos") && t.find("Tag") != std::string_view::npos && t.find("Name") != std::string_view::npos) break;
    }
    if (i == lines.size()) throw directory_error(fmt::format("{}: no segment table (line 'Pos Tag Name S R')", type));
    std::vector<std::vector<structure_entry>*> open{&m.body};
    unsigned entries = 0;
    for (++i; i < lines.size(); ++i) {
        std::string_view l = lines[i];
        if (l.empty() || l[0] == ' ' || l[0] == '\t') continue;
        if (!(l[0] >= '0' && l[0] <= '9')) break;
        std::size_t p = 0;
        while (p < l.size() && l[p] >= '0' && l[p] <= '9') ++p;
        structure_entry e;
        e.position = std::string(l.substr(0, p));
        std::string_view rest = l.substr(p);
        while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
        if (rest.size() >= 2 && rest[1] == ' ' && std::string_view("+*#|X").find(rest[0]) != std::string_view::npos) rest.remove_prefix(2);
        while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
        std::string_view tail;
        bool is_segment = rest.size() >= 4 && is_segment_tag(rest.substr(0, 3)) && rest[3] == ' ';
        if (auto g = rest.find("Segment group"); !is_segment && g != std::string_view::npos) {
            auto after = trim(rest.substr(g + 13));
            std::size_t d = 0;
            while (d < after.size() && after[d] >= '0' && after[d] <= '9') ++d;
            if (d == 0) throw directory_error(fmt::format("{}: unreadable group line {}", type, e.position));
            e.group = to_unsigned(after.substr(0, d));
            e.name = fmt::format("Segment group {}", e.group);
            if (!status_and_repeat(after.substr(d), e, tail))
                throw directory_error(fmt::format("{}: no status/repeat on group line {}", type, e.position));
            open.back()->push_back(std::move(e));
            open.push_back(&open.back()->back().children);
            ++entries;
            continue;
        }
        if (!is_segment) throw directory_error(fmt::format("{}: unreadable segment table line {}", type, e.position));
        e.tag = std::string(rest.substr(0, 3));
        std::string line(rest.substr(3));
        // A long name wraps: status and repeats are then on the next line.
        while (!status_and_repeat(line, e, tail)) {
            if (i + 1 >= lines.size() || lines[i + 1].empty() || lines[i + 1][0] != ' ')
                throw directory_error(fmt::format("{}: no status/repeat on line {}", type, e.position));
            line = fmt::format("{} {}", trim(std::string_view(line).substr(0, line.find("  |"))), trim(lines[++i]));
        }
        auto name_end = line.rfind(e.mandatory ? " M " : " C ", static_cast<std::size_t>(tail.data() - line.data()));
        e.name = std::string(trim(std::string_view(line).substr(0, name_end == std::string::npos ? std::string::npos : name_end)));
        open.back()->push_back(std::move(e));
        ++entries;
        for (unsigned c = count_closings(tail); c > 0; --c) {
            if (open.size() == 1) throw directory_error(fmt::format("{}: group closed twice at line {}", type, open.back()->back().position));
            open.pop_back();
        }
    }
    if (open.size() != 1) throw directory_error(fmt::format("{}: segment table ends with {} group(s) open", type, open.size() - 1));
    if (entries == 0) throw directory_error(fmt::format("{}: empty segment table", type));
    return m;
}

}  // namespace edigate::directory::detail

namespace edigate::directory {

repr repr::parse(std::string_view text) {
    repr r;
    r.text = std::string(text);
    std::size_t i;
    if (text.starts_with("an")) r.type = kind::an, i = 2;
    else if (text.starts_with("a")) r.type = kind::a, i = 1;
    else if (text.starts_with("n")) r.type = kind::n, i = 1;
    else return r;
    bool variable = text.substr(i).starts_with("..");
    if (variable) i += 2;
    r.max = static_cast<std::uint16_t>(detail::to_unsigned(text.substr(i)));
    r.min = variable ? 1 : r.max;
    return r;
}

}  // namespace edigate::directory
