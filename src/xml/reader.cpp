// reader.cpp - Xerces-C++ SAX2 into core::node, with bounds checked on the raw bytes (see reader.hpp).
#include "edigate/xml/reader.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <xercesc/framework/XMLGrammarPool.hpp>
#include <xercesc/sax/InputSource.hpp>
#include <xercesc/sax/Locator.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/framework/XMLDocumentHandler.hpp>
#include <xercesc/internal/XMLScanner.hpp>
#include <xercesc/parsers/SAXParser.hpp>
#include <xercesc/sax/ErrorHandler.hpp>
#include <xercesc/util/BinInputStream.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/XMLUni.hpp>

#include <algorithm>
#include <deque>
#include <tuple>
#include <array>
#include <iterator>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "edigate/xml/codes.hpp"
#include "xerces_support.hpp"

namespace edigate::xml {

namespace x = xercesc;

namespace detail {

void init_xerces() {
    static std::once_flag once;
    std::call_once(once, [] { x::XMLPlatformUtils::Initialize(); });
}

void append_utf8(std::string& out, const XMLCh* s, std::size_t n) {
    // All-ASCII text is the common case in every agency format: narrowed in place, 8 units at a
    // time, into room for n bytes; the first other unit hands over to the general loop below.
    std::size_t base = out.size(), i = 0;
    out.resize(base + n);
    char* ascii = out.data() + base;
#if defined(__SSE2__)
    const __m128i high = _mm_set1_epi16(static_cast<short>(0xFF80)), zero = _mm_setzero_si128();
    for (; i + 8 <= n; i += 8) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
        if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, high), zero)) != 0xFFFF) break;
        _mm_storel_epi64(reinterpret_cast<__m128i*>(ascii + i), _mm_packus_epi16(v, v));
    }
#endif
    for (; i < n && s[i] < 0x80; ++i) ascii[i] = static_cast<char>(s[i]);
    if (i == n) return;
    out.resize(base + i);
    // ASCII runs are still copied without branching per unit.
    while (i < n) {
        std::size_t start = i;
        while (i < n && s[i] < 0x80) ++i;
        if (i > start) {
            std::size_t old = out.size();
            out.resize(old + (i - start));
            char* d = out.data() + old;
            for (std::size_t k = start; k < i; ++k) *d++ = static_cast<char>(s[k]);
        }
        if (i >= n) break;
        std::uint32_t c = s[i++];
        if (c >= 0xD800 && c <= 0xDBFF && i < n && s[i] >= 0xDC00 && s[i] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i++] - 0xDC00);
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
}

std::string utf8(const XMLCh* s) {
    std::string out;
    if (s) append_utf8(out, s, x::XMLString::stringLen(s));
    return out;
}

std::u16string utf16(std::string_view s) {
    std::u16string out;
    for (std::size_t i = 0; i < s.size();) {
        auto b = static_cast<unsigned char>(s[i]);
        std::uint32_t c = b;
        std::size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        if (len > 1 && i + len <= s.size()) {
            c = b & (0xFF >> (len + 1));
            for (std::size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        } else if (len > 1) {
            c = 0xFFFD, len = 1;
        }
        i += len;
        if (c >= 0x10000) {
            out += static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10));
            out += static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF));
        } else {
            out += static_cast<char16_t>(c);
        }
    }
    return out;
}

}  // namespace detail

grammar_set::grammar_set(std::string name, std::vector<std::filesystem::path> files, std::unique_ptr<impl> i)
    : name_(std::move(name)), files_(std::move(files)), impl_(std::move(i)) {}
grammar_set::~grammar_set() = default;

namespace {

using detail::append_utf8;
using detail::utf8;

/// Thrown from inside the parse to stop it; caught around parse().
struct stop {
    code id;
    std::string text;
    std::uint64_t byte = 0;
    std::uint32_t line = 0, column = 0;  ///< set when stopped at an element
    std::string path;                    ///< the open elements then, filled in by the reader
};

/// Watches the raw bytes for the bounds that must hold before Xerces buffers anything: document
/// size and the length of one piece of markup (a tag with its attributes, a comment, a processing
/// instruction, a DOCTYPE). Works on 8-bit units for ASCII-compatible encodings (UTF-8, GB18030,
/// GBK, ISO 8859-x: their multi-byte sequences never contain '<', '>' or quotes) and on 16-bit
/// units for UTF-16 (told apart by the BOM or the first '<').
class markup_guard {
public:
    explicit markup_guard(const limits& l) : limits_(l) {}

    void feed(const unsigned char* p, std::size_t n) {
        if (n == 0) return;
        if (!started_) {
            started_ = true;
            if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == '<' && p[1] == 0))) unit_ = 2, little_ = true;
            else if (n >= 2 && ((p[0] == 0xFE && p[1] == 0xFF) || (p[0] == 0 && p[1] == '<'))) unit_ = 2, little_ = false;
        }
        if (pos_ + n > limits_.max_bytes)
            throw stop{code::too_large, fmt::format("the document is larger than {} bytes", limits_.max_bytes), limits_.max_bytes};
        if (unit_ == 1) feed8(p, n);
        else feed16(p, n);
    }
    std::uint64_t bytes() const noexcept { return pos_; }

private:
    enum class st : std::uint8_t { text, open, bang, tag, quote, comment, pi, cdata };

    // The 8-bit path jumps from one interesting byte to the next (memchr, a table loop), so that
    // the guard costs a small fraction of what Xerces spends on the same bytes. Markup length is
    // the distance from where the markup started, checked whenever a piece of markup ends or a
    // block ends, so a too-long tag is caught within one block of crossing the bound.
    void feed8(const unsigned char* p, std::size_t n) {
        const unsigned char* base = p;
        const unsigned char* end = p + n;
        auto at = [&](const unsigned char* q) { return pos_ + static_cast<std::uint64_t>(q - base); };
        while (p < end) {
            switch (state_) {
            case st::text:
            case st::tag:
            case st::quote: p = structural(p, end, base); break;
            case st::comment:
            case st::pi:
            case st::cdata: {
                // These end at '>' preceded by "--", "?" or "]]": find each '>' and look back.
                auto* gt = static_cast<const unsigned char*>(std::memchr(p, '>', static_cast<std::size_t>(end - p)));
                if (!gt) {
                    remember(p, end);
                    p = end;
                    break;
                }
                remember(p, gt);
                p = gt + 1;
                bool closes = state_ == st::comment ? last2_ == ('-' << 8 | '-')
                            : state_ == st::pi      ? (last2_ & 0xFF) == '?'
                                                    : last2_ == (']' << 8 | ']');
                if (closes) {
                    if (state_ != st::cdata) bound(at(gt));
                    state_ = st::text;
                }
                last2_ = (last2_ << 8 | '>') & 0xFFFF;
                break;
            }
            default: step(*p++); break;
            }
        }
        if (state_ != st::text && state_ != st::cdata) bound(at(end));
        pos_ += n;
    }
    void feed16(const unsigned char* p, std::size_t n) {
        std::uint64_t at = pos_;
        for (std::size_t i = 0; i < n; ++i, ++at) {
            if (!have_half_) {
                half_ = p[i], have_half_ = true;
                continue;
            }
            have_half_ = false;
            std::uint32_t c = little_ ? (half_ | (p[i] << 8)) : ((half_ << 8) | p[i]);
            if (state_ == st::text) {
                if (c == '<') begin(at - 1);
            } else {
                step(c);
            }
        }
        pos_ += n;
    }
    /// Text, tags and quoted values: 16 bytes at a time, visiting only '<', '>' and quotes. Returns
    /// where the caller takes over: after a '<' (the next bytes say what markup starts) or the end.
    const unsigned char* structural(const unsigned char* p, const unsigned char* end, const unsigned char* base) {
        auto at = [&](const unsigned char* q) { return pos_ + static_cast<std::uint64_t>(q - base); };
        // One byte's effect; true when a '<' opened markup and the caller must look at what follows.
        auto visit = [&](const unsigned char* q) {
            unsigned char c = *q;
            if (state_ == st::text) {
                if (c != '<') return false;
                begin(at(q));
                // An element tag (not "<!" or "<?") goes on here; the others need a closer look.
                if (q + 1 < end && q[1] != '!' && q[1] != '?') state_ = st::tag;
                return state_ != st::tag;
            }
            if (state_ == st::quote) {
                if (c == quote_) state_ = st::tag;
            } else if (c == '>') {
                bound(at(q));
                state_ = st::text;
            } else if (c == '"' || c == '\'') {
                state_ = st::quote, quote_ = c;
            }
            return false;
        };
#if defined(__SSE2__)
        // Each state looks only at the bytes that can change it: text at '<', a tag at '>' and
        // quotes, a quoted value at its own quote. The others (a '>' or an apostrophe in text,
        // a '<' inside a tag) are skipped without a visit, which is what visit() would do too.
        const __m128i lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'), dq = _mm_set1_epi8('"'), sq = _mm_set1_epi8('\'');
        auto bits = [](__m128i v, __m128i c) { return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, c))); };
        const __m128i bang = _mm_set1_epi8('!'), question = _mm_set1_epi8('?');
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            unsigned lts = bits(v, lt), gts = bits(v, gt), dqs = bits(v, dq), sqs = bits(v, sq);
            // Most blocks hold only element tags without attributes and text: no quotes, and no
            // '<' followed by '!' or '?'. There every '<' in text opens a tag and every '>' in a
            // tag closes it, so the state after the block follows from the last '>' and the first
            // '<' after it, and the only tag that can be long is one that began before the block
            // (the others are shorter than 16 bytes, below any bound this path is taken with).
            if ((state_ == st::text || state_ == st::tag) && !(dqs | sqs) && limits_.max_markup >= 16 &&
                !((bits(v, bang) | bits(v, question)) >> 1 & lts) &&
                (!(lts & 0x8000) || (end - p > 16 && p[16] != '!' && p[16] != '?'))) {
                if (gts) {
                    if (state_ == st::tag) bound(at(p + __builtin_ctz(gts)));
                    unsigned after = lts & (0xFFFEu << (31 - __builtin_clz(gts))) & 0xFFFF;
                    if (after) begin(at(p + __builtin_ctz(after))), state_ = st::tag;
                    else state_ = st::text;
                } else if (state_ == st::text && lts) {
                    begin(at(p + __builtin_ctz(lts)));
                    state_ = st::tag;
                }
                p += 16;
                continue;
            }
            unsigned left = 0xFFFF;  // the bits not yet passed in this block
            for (;;) {
                unsigned m = state_ == st::text ? lts : state_ == st::tag ? (gts | dqs | sqs) : quote_ == '"' ? dqs : sqs;
                m &= left;
                if (!m) break;
                unsigned k = static_cast<unsigned>(__builtin_ctz(m));
                if (visit(p + k)) return p + k + 1;
                left = 0xFFFEu << k & 0xFFFF;
            }
            p += 16;
        }
#endif
        for (; p < end; ++p)
            if (visit(p)) return p + 1;
        return end;
    }
    void bound(std::uint64_t now) const {
        if (now - start_ > limits_.max_markup)
            throw stop{code::markup_too_long,
                       fmt::format("a {} longer than {} bytes starts here",
                                   state_ == st::comment ? "comment" : state_ == st::pi ? "processing instruction" : "tag (with its attributes)",
                                   limits_.max_markup),
                       start_};
    }
    void remember(const unsigned char* from, const unsigned char* to) {
        if (to - from >= 2) last2_ = static_cast<std::uint32_t>(to[-2] << 8 | to[-1]);
        else if (to - from == 1) last2_ = (last2_ << 8 | to[-1]) & 0xFFFF;
    }
    void begin(std::uint64_t at) {
        state_ = st::open;
        run_ = 1;
        start_ = at;
        seen_ = 0;
    }
    void step(std::uint32_t c) {
        if (state_ != st::cdata && ++run_ > limits_.max_markup)
            throw stop{code::markup_too_long,
                       fmt::format("a {} longer than {} bytes starts here", state_ == st::comment ? "comment"
                                                                         : state_ == st::pi    ? "processing instruction"
                                                                                               : "tag (with its attributes)",
                                   limits_.max_markup),
                       start_};
        switch (state_) {
        case st::open:
            if (c == '!') state_ = st::bang, seen_ = 0;
            else if (c == '?') state_ = st::pi, seen_ = 0, last2_ = 0;
            else state_ = st::tag, tag(c);
            break;
        case st::bang: {
            // "<!--" opens a comment, "<![CDATA[" a CDATA section; anything else (DOCTYPE) is a tag.
            static constexpr char cdata[] = "[CDATA[";
            if (seen_ < 2 && c == '-' && (seen_ == 0 || first_ == '-')) {
                first_ = static_cast<char>(c);
                if (++seen_ == 2) state_ = st::comment, seen_ = 0, last2_ = 0;
            } else if (seen_ < 7 && c == static_cast<unsigned char>(cdata[seen_]) && (seen_ == 0 || first_ == '[')) {
                first_ = '[';
                if (++seen_ == 7) state_ = st::cdata, seen_ = 0, last2_ = 0;
            } else if (seen_ == 0 && c == 'D') {
                // "<!D": a DOCTYPE (anywhere else it is not well-formed). Refused here, before the
                // parser reads any of it, so no DTD or entity declaration is ever processed.
                throw stop{code::doctype_refused, "the document has a DOCTYPE; DTDs, internal subsets and entity declarations are refused",
                           start_};
            } else {
                state_ = st::tag, tag(c);
            }
            break;
        }
        case st::tag: tag(c); break;
        case st::quote:
            if (c == quote_) state_ = st::tag;
            break;
        case st::comment:  // ends at "-->"
            if (c == '-') ++seen_;
            else if (c == '>' && seen_ >= 2) state_ = st::text;
            else seen_ = 0;
            break;
        case st::pi:  // ends at "?>"
            if (c == '>' && seen_) state_ = st::text;
            seen_ = c == '?';
            break;
        case st::cdata:  // ends at "]]>"; its content is text, bounded elsewhere
            if (c == ']') ++seen_;
            else if (c == '>' && seen_ >= 2) state_ = st::text;
            else seen_ = 0;
            break;
        case st::text: break;
        }
    }
    void tag(std::uint32_t c) {
        if (c == '"' || c == '\'') state_ = st::quote, quote_ = c;
        else if (c == '>') state_ = st::text;
    }

    const limits& limits_;
    std::uint32_t last2_ = 0;  ///< the two bytes before the current position (8-bit comment/pi/cdata ends)
    std::uint64_t pos_ = 0, start_ = 0, run_ = 0;
    st state_ = st::text;
    std::uint32_t quote_ = 0, seen_ = 0;
    char first_ = 0;
    bool started_ = false, little_ = true, have_half_ = false;
    unsigned unit_ = 1;
    unsigned char half_ = 0;
};

/// Nothing is ever thrown through Xerces (it does not free what it holds when a foreign exception
/// passes): a stop is recorded here, the stream then reports end of input, and the parse loop,
/// which runs token by token, ends at the next token.
using halt = std::optional<stop>;

/// Reads a file descriptor (closed at the end) or, with fd -1, a buffer in memory.
class bounded_stream final : public x::BinInputStream {
public:
    bounded_stream(int fd, std::string_view memory, const limits& l, document_handler* h, halt& halted, const bool& finished)
        : fd_(fd), memory_(memory), guard_(l), handler_(h), halted_(halted), finished_(finished) {}
    ~bounded_stream() override {
        if (fd_ >= 0) ::close(fd_);
    }
    XMLFilePos curPos() const override { return guard_.bytes(); }
    XMLSize_t readBytes(XMLByte* to, const XMLSize_t max) override {
        if (halted_ || finished_) return 0;
        ssize_t n;
        if (fd_ < 0) {
            n = static_cast<ssize_t>(std::min<std::size_t>(max, memory_.size()));
            std::memcpy(to, memory_.data(), static_cast<std::size_t>(n));
            memory_.remove_prefix(static_cast<std::size_t>(n));
        } else {
            do n = ::read(fd_, to, max);
            while (n < 0 && errno == EINTR);
        }
        if (n < 0) {
            halted_ = stop{code::not_well_formed, fmt::format("read error: {}", std::strerror(errno)), guard_.bytes()};
            return 0;
        }
        try {
            guard_.feed(to, static_cast<std::size_t>(n));
        } catch (stop& s) {
            halted_ = std::move(s);
            return 0;
        }
        if (handler_) handler_->progress(guard_.bytes());
        return static_cast<XMLSize_t>(n);
    }
    const XMLCh* getContentType() const override { return nullptr; }

private:
    int fd_;
    std::string_view memory_;
    markup_guard guard_;
    document_handler* handler_;
    halt& halted_;
    const bool& finished_;  ///< the reader has what it wanted (peek_root): read no further
};

/// Hands Xerces the one stream over an already opened file (the stream closes it) or a buffer.
class bounded_source final : public x::InputSource {
public:
    bounded_source(const std::filesystem::path& file, int fd, std::string_view memory, const limits& l, document_handler* h, halt& halted,
                   const bool& finished)
        : fd_(fd), memory_(memory), limits_(l), handler_(h), halted_(halted), finished_(finished) {
        auto id = detail::utf16(file.string());
        setSystemId(detail::xch(id));
    }
    ~bounded_source() override {
        if (fd_ >= 0) ::close(fd_);
    }
    x::BinInputStream* makeStream() const override {
        if (made_) return nullptr;
        made_ = true;
        return new bounded_stream(std::exchange(fd_, -1), memory_, limits_, handler_, halted_, finished_);
    }

private:
    mutable int fd_;
    mutable bool made_ = false;
    std::string_view memory_;
    const limits& limits_;
    document_handler* handler_;
    halt& halted_;
    const bool& finished_;
};

bool same(const char16_t* a, const XMLCh* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

/// Xerces' SAX1 parser, for its scanner-level ("advanced") document handler interface: element
/// declarations instead of strings, namespace ids instead of URIs, and no SAX2 attribute and
/// prefix-mapping bookkeeping for us to undo. The subclass exposes the scanner's locator and
/// hands the scanner our handler directly: SAXParser's own handler only forwards each event to
/// the installed ones (one more virtual call and loop per event, 5% of a parse), while errors
/// still go through SAXParser to the ErrorHandler.
class scanner_parser final : public x::SAXParser {
public:
    using x::SAXParser::SAXParser;
    const x::Locator* locator() const { return getScanner().getLocator(); }
    void install(x::XMLDocumentHandler* h) { const_cast<x::XMLScanner&>(getScanner()).setDocHandler(h); }
};

/// One open element on the path: its written name, its index among same-named siblings, and the
/// counts of its own children's names (so that the next child's index is known).
struct frame {
    static constexpr std::uint32_t own = ~0u;
    std::uint32_t name = own;     ///< index into tree_builder::names_, or `own`: the names below
    std::string local, qname;     ///< only for names past the cache's bound
    std::uint32_t index = 1;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> children;  ///< name, count so far
};

class tree_builder final : public x::XMLDocumentHandler, public x::ErrorHandler {
public:
    tree_builder(document_handler& h, const read_options& o, read_result& r, bool peek, const scanner_parser& p, halt& halted)
        : out_(h), options_(o), result_(r), peek_(peek), parser_(p), halted_(halted) {}

    /// Peeking saw the root element: the parse can end (the stream reads no further).
    const bool& done() const noexcept { return root_seen_; }

    void startElement(const x::XMLElementDecl& decl, const unsigned int uri_id, const XMLCh* const prefix,
                      const x::RefVectorOf<x::XMLAttr>& attrs, const XMLSize_t attr_count, const bool empty, const bool) override {
        if (halted_ || root_seen_) return;
        if (depth_ >= options_.bounds.max_depth) {
            halted_ = here(code::too_deep, fmt::format("elements nested deeper than {}", options_.bounds.max_depth));
            return;
        }
        ++result_.elements;
        if (frames_.size() <= depth_) frames_.resize(depth_ + 1);
        frame& f = frames_[depth_];
        f.name = name_of(decl, prefix, f);
        f.children.clear();
        f.index = 1;
        if (depth_ > 0 && f.name != frame::own) {  // names past the cache's bound show no index
            auto& siblings = frames_[depth_ - 1].children;
            auto it = std::find_if(siblings.begin(), siblings.end(), [&](const auto& c) { return c.first == f.name; });
            if (it == siblings.end()) siblings.emplace_back(f.name, 1);
            else f.index = ++it->second;
        }
        ++depth_;
        const std::string& local = f.name == frame::own ? f.local : names_[f.name].local;
        const core::symbol& ns = namespace_of(uri_id);
        if (depth_ == 1) {
            result_.root_ns = ns.str();
            result_.root_name = local;
            if (peek_) {
                root_seen_ = true;
                return;
            }
        }
        if (options_.build_tree || depth_ == 1) {
            // A node is built in place in its parent's children. The first child reserves as many
            // places as the last element at this depth had children, so a parent's vector is one
            // allocation and rarely grows (its open child is its last element, and an ancestor's
            // vector never grows while the ancestor is open: the pointers on the stack stay valid).
            core::node* n;
            if (depth_ == 1) {
                root_ = core::node{};
                n = &root_;
            } else {
                auto& siblings = stack_.back()->children;
                if (siblings.empty()) reuse(siblings, depth_);
                n = &siblings.emplace_back();
                // The next sibling's place is written soon, after this element's own subtree.
                if (siblings.size() < siblings.capacity()) prefetch(n + 1);
            }
            n->name = f.name == frame::own ? core::symbol(f.local) : names_[f.name].symbol;
            n->ns = ns;
            n->line = static_cast<std::uint32_t>(parser_.locator()->getLineNumber());
            for (XMLSize_t i = 0; i < attr_count; ++i) {
                const x::XMLAttr& a = *attrs.elementAt(i);
                const XMLCh* ap = a.getPrefix();
                // Namespace declarations are not attributes; namespaced ones (xsi:type) keep their
                // prefix so that they cannot clash with plain ones.
                if ((ap && x::XMLString::equals(ap, x::XMLUni::fgXMLNSString)) || x::XMLString::equals(a.getQName(), x::XMLUni::fgXMLNSString))
                    continue;
                n->set_attribute(utf8(ap && *ap ? a.getQName() : a.getName()), utf8(a.getValue()));
            }
            stack_.push_back(n);
            if (depth_ == 1) out_.root(root_);
        }
        if (empty) end();
    }

    void endElement(const x::XMLElementDecl&, const unsigned int, const bool, const XMLCh* const) override {
        if (!halted_ && !root_seen_) end();
    }

    void docCharacters(const XMLCh* const chars, const XMLSize_t length, const bool) override {
        if (halted_ || !options_.build_tree || stack_.empty() || stack_.size() != depth_) return;
        std::string& v = stack_.back()->value;
        append_utf8(v, chars, length);
        if (v.size() > options_.bounds.max_value)
            halted_ = here(code::value_too_long,
                           fmt::format("the text of <{}> is longer than {} bytes", qname(frames_[depth_ - 1]), options_.bounds.max_value));
    }

    // What the tree does not keep.
    void docComment(const XMLCh* const) override {}
    void docPI(const XMLCh* const, const XMLCh* const) override {}
    void endDocument() override {}
    void endEntityReference(const x::XMLEntityDecl&) override {}
    void ignorableWhitespace(const XMLCh* const, const XMLSize_t, const bool) override {}
    void resetDocument() override {}
    void startDocument() override {}
    void startEntityReference(const x::XMLEntityDecl&) override {}
    void XMLDecl(const XMLCh* const, const XMLCh* const, const XMLCh* const, const XMLCh* const) override {}

    void error(const x::SAXParseException& e) override {
        if (!halted_) report(e, core::severity::error);
    }
    void warning(const x::SAXParseException& e) override {
        if (!halted_) report(e, core::severity::warning);
    }
    /// Not well-formed: the first such error ends the parse (unless a bound already did).
    void fatalError(const x::SAXParseException& e) override {
        if (halted_ || root_seen_) return;
        halted_ = stop{code::not_well_formed, utf8(e.getMessage()), 0, static_cast<std::uint32_t>(e.getLineNumber()),
                       static_cast<std::uint32_t>(e.getColumnNumber())};
        halted_->path = path(depth_);
    }
    void resetErrors() override {}

    /// The open elements' path down to `levels` deep: "/a/b[2]/c".
    std::string path(std::size_t levels) const {
        std::string p;
        for (std::size_t i = 0; i < levels && i < frames_.size(); ++i) {
            p += '/';
            p += qname(frames_[i]);
            if (frames_[i].index > 1) p += fmt::format("[{}]", frames_[i].index);
        }
        return p.empty() ? "/" : p;
    }
    std::size_t depth() const noexcept { return depth_; }

private:
    struct name {
        const x::XMLElementDecl* decl;
        std::u16string prefix;
        std::string local, qname;
        core::symbol symbol;  ///< local, interned: what each node of this name carries
    };

    const std::string& qname(const frame& f) const { return f.name == frame::own ? f.qname : names_[f.name].qname; }

    /// The element's name, converted once per element declaration and prefix: Xerces keeps one
    /// declaration per element name for the whole parse. Past 4096 distinct names (a document
    /// inventing names) new ones are converted into the frame each time, not remembered.
    std::uint32_t name_of(const x::XMLElementDecl& decl, const XMLCh* prefix, frame& f) {
        const XMLCh* p = prefix ? prefix : u"";
        for (bool again = true; again;) {
            again = false;
            std::size_t mask = slots_.size() - 1;
            std::size_t h = (reinterpret_cast<std::uintptr_t>(&decl) >> 4) & mask;
            for (std::size_t probe = 0; probe < 8; ++probe, h = (h + 1) & mask) {
                slot& s = slots_[h];
                if (!s.decl) {
                    if (names_.size() >= 4096) break;
                    if (names_.size() >= slots_.size() / 2 && grow()) {
                        again = true;
                        break;
                    }
                    s = {&decl, add(decl, p), *p != 0};
                    return s.index;
                }
                if (s.decl == &decl && (s.prefixed ? same(names_[s.index].prefix.c_str(), p) : !*p)) return s.index;
            }
            // Not found within 8 places: a smaller table grows and looks again; the full-size one
            // gives up (the name is converted into the frame).
            if (!again && names_.size() < 4096 && grow()) again = true;
        }
        f.local = utf8(decl.getBaseName());
        f.qname = *p ? utf8(p) + ":" + f.local : f.local;
        return frame::own;
    }
    /// Doubles the name table up to its full size and puts the names back in the order they came,
    /// so that the full-size table holds them where a table of that size from the start would
    /// have. False when it is full size already.
    bool grow() {
        if (slots_.size() >= max_slots) return false;
        slots_.assign(slots_.size() * 2, slot{});
        std::size_t mask = slots_.size() - 1;
        for (std::uint32_t i = 0; i < names_.size(); ++i) {
            std::size_t h = (reinterpret_cast<std::uintptr_t>(names_[i].decl) >> 4) & mask;
            for (std::size_t probe = 0; probe < 8; ++probe, h = (h + 1) & mask) {
                if (!slots_[h].decl) {
                    slots_[h] = {names_[i].decl, i, !names_[i].prefix.empty()};
                    break;
                }
            }
        }
        return true;
    }
    std::uint32_t add(const x::XMLElementDecl& decl, const XMLCh* prefix) {
        name n{&decl, prefix, utf8(decl.getBaseName()), {}, {}};
        n.qname = *prefix ? utf8(prefix) + ":" + n.local : n.local;
        n.symbol = n.local;
        names_.push_back(std::move(n));
        return static_cast<std::uint32_t>(names_.size() - 1);
    }
    /// The namespace as a symbol, by the scanner's URI id (small integers, fixed for the parse).
    const core::symbol& namespace_of(unsigned int id) {
        if (id < namespaces_.size() && namespaces_[id].second) return namespaces_[id].first;
        const XMLCh* uri = parser_.getURIText(id);
        core::symbol s = uri && *uri ? core::symbol(utf8(uri)) : core::symbol();
        if (id >= 4096) return scratch_ns_ = s;
        if (id >= namespaces_.size()) namespaces_.resize(id + 1);
        namespaces_[id] = {s, true};
        return namespaces_[id].first;
    }
    /// Asks for the cache lines of a node about to be written (trees larger than the L2 cache
    /// otherwise stall on the first store into every node).
    static void prefetch(const core::node* n) {
        const char* p = reinterpret_cast<const char*>(n);
        __builtin_prefetch(p, 1);
        __builtin_prefetch(p + 64, 1);
        __builtin_prefetch(p + sizeof(core::node) - 1, 1);
    }
    /// An empty children vector for a node at `depth` - 1: one the last subtrees left at this
    /// depth, so that steady-state streaming allocates no vectors and writes into memory that is
    /// still in cache, reserved to what the last element at this depth had.
    void reuse(std::vector<core::node>& children, std::size_t depth) {
        if (children.capacity() == 0 && depth < spare_.size() && !spare_[depth].empty()) {
            auto& pool = spare_[depth];
            children = std::move(pool.back());
            pool.pop_back();
            // The next vector taken at this depth gets its first node written soon: fetch it now.
            if (!pool.empty()) prefetch(pool.back().data());
        }
        if (std::size_t h = hint(depth); children.capacity() < h) children.reserve(h);
    }
    /// Takes back the children vectors of a subtree the handler is done with (what it moved out
    /// is simply not there any more). The spares are only ever this last subtree's vectors (the
    /// ones the subtree before it left unused are freed first), and a vector much larger than
    /// what it held is freed too: so the spares hold no more than the last subtree needed, and
    /// memory stays what the largest subtree takes, however long the document.
    void recycle(core::node& n, std::size_t depth) {
        for (auto& pool : spare_) pool.clear();
        give_back(n, depth);
    }
    void give_back(core::node& n, std::size_t depth) {
        for (auto& c : n.children)
            if (c.children.capacity()) give_back(c, depth + 1);  // leaves have nothing to give back
        std::size_t used = n.children.size();
        n.children.clear();
        if (n.children.capacity() > 2 * used + 16) return;
        if (spare_.size() <= depth + 1) spare_.resize(depth + 2);
        spare_[depth + 1].push_back(std::move(n.children));
    }
    std::size_t hint(std::size_t depth) {
        if (hints_.size() <= depth) hints_.resize(depth + 1, 4);
        return hints_[depth];
    }
    void end() {
        --depth_;
        if (!options_.build_tree && depth_ > 0) return;
        core::node* n = stack_.back();
        if (!n->children.empty()) {  // its children were at depth depth_ + 2
            hint(depth_ + 2);
            hints_[depth_ + 2] = static_cast<std::uint32_t>(std::min<std::size_t>(n->children.size(), 256));
            if (n->value.find_first_not_of(" \t\r\n") == std::string::npos) n->value.clear();
        }
        stack_.pop_back();
        if (depth_ + 1 == options_.split_depth && depth_ > 0) {
            out_.subtree(*n, path(depth_ + 1));
            if (n->children.capacity()) recycle(*n, depth_ + 1);
            stack_.back()->children.pop_back();
        } else if (depth_ == 0 && options_.build_tree) {
            out_.subtree(root_, path(1));
        }
    }
    stop here(code c, std::string text) const {
        stop s{c, std::move(text)};
        s.line = static_cast<std::uint32_t>(parser_.locator()->getLineNumber());
        s.column = static_cast<std::uint32_t>(parser_.locator()->getColumnNumber());
        s.path = path(depth_);
        return s;
    }
    void report(const x::SAXParseException& e, core::severity level) {
        core::diagnostic d;
        d.code = std::string(info(code::schema_invalid).name);
        d.level = level;
        d.where.line = static_cast<std::uint32_t>(e.getLineNumber());
        d.where.column = static_cast<std::uint32_t>(e.getColumnNumber());
        d.where.path = path(depth_);
        d.text = utf8(e.getMessage());
        out_.finding(d);
    }

    document_handler& out_;
    const read_options& options_;
    read_result& result_;
    bool peek_;
    const scanner_parser& parser_;
    halt& halted_;
    bool root_seen_ = false;
    std::vector<frame> frames_;
    std::vector<name> names_;
    /// The name table: small while a document uses few names, so that it stays in the L1 cache.
    struct slot {
        const x::XMLElementDecl* decl = nullptr;
        std::uint32_t index = 0;  ///< into names_
        bool prefixed = false;
    };
    static constexpr std::size_t max_slots = 8192;
    std::vector<slot> slots_ = std::vector<slot>(256);
    std::vector<std::pair<core::symbol, bool>> namespaces_;
    core::symbol scratch_ns_;
    std::size_t depth_ = 0;
    core::node root_;
    std::vector<core::node*> stack_;
    std::vector<std::uint32_t> hints_;  ///< [k]: children of the last element that ended at depth k
    std::vector<std::vector<std::vector<core::node>>> spare_;  ///< [k]: emptied children vectors of nodes at depth k - 1
};

read_result run(const std::filesystem::path& file, const std::string_view* memory, document_handler& h, const read_options& o, bool peek) {
    detail::init_xerces();
    read_result r;
    auto fail = [&](code c, std::string text, std::uint32_t line, std::uint32_t column, std::uint64_t byte, std::string path) {
        core::diagnostic d;
        d.code = std::string(info(c).name);
        d.where.byte = byte;
        d.where.line = line;
        d.where.column = column;
        d.where.path = std::move(path);
        d.text = std::move(text);
        h.finding(d);
    };
    int fd = memory ? -1 : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (!memory && fd < 0) {
        fail(code::not_well_formed, fmt::format("cannot open: {}", std::strerror(errno)), 0, 0, 0, {});
        return r;
    }
    halt halted;
    x::XMLGrammarPool* pool = o.schema ? o.schema->internals().pool.get() : nullptr;
    scanner_parser parser(nullptr, x::XMLPlatformUtils::fgMemoryManager, pool);
    parser.setDoNamespaces(true);
    parser.setLoadExternalDTD(false);
    parser.setDisableDefaultEntityResolution(true);
    parser.setLoadSchema(false);  // never follow xsi:schemaLocation
    parser.setValidationScheme(pool ? x::SAXParser::Val_Always : x::SAXParser::Val_Never);
    parser.setDoSchema(pool != nullptr);
    // Without a schema, Xerces' well-formedness scanner: it skips grammars altogether (no element
    // declarations looked up, no DTD read: a DOCTYPE would be skipped, never expanded), which
    // makes a tree about 15% cheaper than with the general scanner (scripts/bench-xml).
    if (!pool) parser.useScanner(x::XMLUni::fgWFXMLScanner);
    if (pool) {
        parser.useCachedGrammarInParse(true);
        parser.cacheGrammarFromParse(false);
        parser.setIdentityConstraintChecking(true);
    }
    // Belt and braces: a DOCTYPE never reaches the parser. Only for the general scanner: the
    // well-formedness scanner declares no entities, and would count every &amp; against the limit.
    x::SecurityManager security;
    security.setEntityExpansionLimit(100);
    if (pool) parser.setSecurityManager(&security);
    tree_builder b(h, o, r, peek, parser, halted);
    parser.install(&b);
    parser.setErrorHandler(&b);
    bounded_source source(file, fd, memory ? *memory : std::string_view(), o.bounds, peek ? nullptr : &h, halted, b.done());
    std::u16string encoding;
    if (!o.encoding.empty()) {
        encoding = detail::utf16(o.encoding);
        source.setEncoding(detail::xch(encoding));
    }
    // A stop recorded by the handler or the stream (and, when peeking, the root element) makes
    // the stream report the end of the input: Xerces then ends the parse at the end of what it has
    // buffered, through its own error path rather than an exception, and the handler ignores
    // every event after the stop. One parse() call, not token by token: Xerces' progressive scan
    // costs about 8% of a parse in per-token set-up.
    try {
        parser.parse(source);
    } catch (const x::OutOfMemoryException&) {
        if (!halted) halted = stop{code::too_large, "out of memory while reading the document"};
    } catch (const x::XMLException& e) {
        if (!halted) halted = stop{code::not_well_formed, utf8(e.getMessage())};
    }
    if (halted) {
        // Bounds found on the raw bytes carry their byte offset (the report computes the line);
        // the others happen at an element and carry its line, column and path.
        fail(halted->id, halted->text, halted->line, halted->column, halted->byte, halted->path);
    } else {
        r.complete = true;
    }
    return r;
}

struct tree_keeper final : document_handler {
    std::optional<core::node> root;
    core::diagnostic problem;
    bool failed = false;
    void subtree(core::node& n, const std::string&) override { root = std::move(n); }
    void finding(const core::diagnostic& d) override {
        if (!failed && d.level == core::severity::error) problem = d, failed = true;
    }
};

}  // namespace

read_result read(const std::filesystem::path& file, document_handler& handler, const read_options& options) {
    return run(file, nullptr, handler, options, false);
}

read_result read_memory(std::string_view document, const std::string& name, document_handler& handler, const read_options& options) {
    return run(name, &document, handler, options, false);
}

std::optional<core::node> read_file(const std::filesystem::path& file, core::diagnostic& problem, read_options options) {
    options.split_depth = 0;
    options.build_tree = true;
    tree_keeper k;
    auto r = read(file, k, options);
    problem = k.problem;
    if (k.failed || !r.complete) return std::nullopt;
    return std::move(k.root);
}

std::optional<std::pair<std::string, std::string>> peek_root(const std::filesystem::path& file, core::diagnostic& problem,
                                                             const read_options& options) {
    read_options o = options;
    o.schema.reset();
    o.build_tree = false;
    tree_keeper k;
    auto r = run(file, nullptr, k, o, true);
    problem = k.problem;
    if (k.failed || r.root_name.empty()) {
        if (!k.failed) problem.code = std::string(info(code::not_well_formed).name), problem.text = "the document has no root element";
        return std::nullopt;
    }
    return std::pair{r.root_ns, r.root_name};
}

}  // namespace edigate::xml
