// receipt.cpp - agency receipts and output keys on the node tree (formats and codes: receipt.hpp).
#include "edigate/receipts/receipt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <optional>
#include <utility>

#include "edigate/receipts/codes.hpp"
#include "edigate/xml/reader.hpp"

namespace edigate::receipts {

std::string_view to_string(verdict v) noexcept {
    switch (v) {
    case verdict::accepted: return "accepted";
    case verdict::rejected: return "rejected";
    case verdict::pending: return "pending";
    case verdict::partial: return "partial";
    }
    return "pending";
}

namespace {

using core::node;

constexpr std::string_view ns_dec = "http://www.chinaport.gov.cn/dec";
constexpr std::string_view ns_ceb = "http://www.chinaport.gov.cn/ceb";
constexpr std::string_view ns_dxp = "http://www.chinaport.gov.cn/dxp";
constexpr std::string_view ns_manifest = "urn:Declaration:datamodel:standard:CN:";  // + <MessageType>:<major version>

// A receipt is a few KiB; a CEB900 may quote the original message. Anything larger is refused
// by the reader before it is buffered, rather than read as a receipt.
constexpr std::uint64_t max_receipt_bytes = 64ull << 20;

std::string_view trim(std::string_view s) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

const node* at(const node* n, std::initializer_list<std::string_view> path) {
    for (auto step : path) {
        if (!n) return nullptr;
        n = n->child(step);
    }
    return n;
}

std::string text(const node* n) { return n ? std::string(trim(n->value)) : std::string(); }
std::string text_at(const node& n, std::initializer_list<std::string_view> path) { return text(at(&n, path)); }

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void add_key(std::vector<key>& keys, std::string_view kind, std::string value) {
    if (value.empty()) return;
    key k{std::string(kind), std::move(value)};
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(std::move(k));
}

/// Keeps the whole document as one tree and the first error.
struct tree_keeper final : xml::document_handler {
    std::optional<node> root;
    core::diagnostic problem;
    bool failed = false;
    void subtree(node& n, const std::string&) override { root = std::move(n); }
    void finding(const core::diagnostic& d) override {
        if (!failed && d.level == core::severity::error) problem = d, failed = true;
    }
};

/// A cheap first look: XML starts, after a byte order mark and white space, with '<'. Anything else
/// (a CSV output, a JSON answer from an HTTPS server) is not handed to the XML reader at all.
bool looks_like_xml(std::string_view d) {
    if (d.starts_with("\xEF\xBB\xBF")) d.remove_prefix(3);
    if (d.starts_with("\xFE\xFF") || d.starts_with("\xFF\xFE") || (d.size() >= 2 && (d[0] == '\0' || d[1] == '\0')))
        return true;  // UTF-16 (or UTF-32): the reader decides
    auto at = d.find_first_not_of(" \t\r\n");
    return at != std::string_view::npos && d[at] == '<';
}

std::optional<node> load(std::string_view document, const std::string& name, core::diagnostic& problem) {
    if (!looks_like_xml(document)) {
        problem.code = std::string(info(code::not_a_receipt).name);
        problem.text = "it does not begin with '<'";
        return std::nullopt;
    }
    xml::read_options o;
    o.bounds.max_bytes = max_receipt_bytes;
    tree_keeper k;
    auto r = xml::read_memory(document, name, k, o);
    if (k.failed || !r.complete || !k.root) {
        problem = k.problem;
        if (problem.code.empty()) problem.text = "the document has no root element";
        return std::nullopt;
    }
    return std::move(k.root);
}

bool namespace_is(const node& n, std::string_view uri) { return n.ns.empty() || n.ns == uri; }

/// "MT1101" for a Manifest root without namespace or in urn:Declaration:datamodel:standard:CN:MT1101:1.
bool manifest_root(const node& n) {
    return n.name == "Manifest" && (n.ns.empty() || std::string_view(n.ns).substr(0, ns_manifest.size()) == ns_manifest);
}

/// The CEB message number of a CEBnnnMessage root (also the bare "CEB214" root of an official sample), or 0.
int ceb_number(const node& n) {
    if (!namespace_is(n, ns_ceb)) return 0;
    std::string_view s = n.name;
    if (s.size() < 6 || s.substr(0, 3) != "CEB") return 0;
    s.remove_prefix(3);
    if (ends_with(s, "Message")) s.remove_suffix(7);
    int number = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
    if (ec != std::errc() || end != s.data() + s.size() || s.size() != 3) return 0;
    return number;
}

// ---------------------------------------------------------------------------------- verdicts

/// customs manifest ResponseType/Code (SPEC §8: 01 通过/入库, 03 退单); the reconstructed border
/// and maritime answers borrow the same codes.
verdict manifest_verdict(std::string_view code) {
    if (code == "01") return verdict::accepted;
    if (code == "03") return verdict::rejected;
    return verdict::pending;
}

/// CEB returnStatus, from the annotations of the Return nodes in the 202205 XSDs.
verdict ceb_verdict(std::string_view code) {
    long long n = 0;
    auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), n);
    if (ec != std::errc() || end != code.data() + code.size()) return verdict::pending;
    if (n < 0 || n == 4 || n == 100) return verdict::rejected;  // 处理异常, 发送海关失败, 海关退单
    if (n == 120 || n == 399 || n == 800 || n == 899) return verdict::accepted;  // 入库, 审结, 放行, 结关
    return verdict::pending;  // 1 暂存, 2 申报中, 3 发送海关成功, 300 人工审核, 500 查验, 501.. 扣留, ...
}

/// Our reconstructed CIQ STATUS codes (receipt.hpp).
verdict ciq_verdict(std::string_view code) {
    if (code == "1" || code == "4" || code == "5") return verdict::accepted;
    if (code == "2") return verdict::rejected;
    return verdict::pending;
}

/// Several results into one: theirs when they agree, partial when some are accepted and some rejected.
std::optional<verdict> combined(const std::vector<item>& items) {
    if (items.empty()) return std::nullopt;
    bool accepted = false, rejected = false, other = false;
    for (const auto& i : items) {
        accepted |= i.result == verdict::accepted;
        rejected |= i.result == verdict::rejected;
        other |= i.result == verdict::pending || i.result == verdict::partial;
    }
    if (accepted && rejected) return verdict::partial;
    if (other) return verdict::pending;
    return accepted ? verdict::accepted : verdict::rejected;
}

// ---------------------------------------------------------------------------------- failures

core::diagnostic finding(code c, const node* where, std::string text) {
    core::diagnostic d;
    d.code = std::string(info(c).name);
    d.level = info(c).level;
    d.text = std::move(text);
    if (where) {
        d.where.line = where->line;
        d.where.path = "/" + where->name;
    }
    return d;
}

/// A document that turned out not to be a receipt we know: EDI-R001 at its root, and no receipt.
std::nullopt_t refuse(core::diagnostic& problem, const node& root, std::string text) {
    problem = finding(code::not_a_receipt, &root, std::move(text));
    return std::nullopt;
}

// ---------------------------------------------------------------------------------- base64

/// RFC 4648 base64 with line breaks and blanks anywhere (as DxpMsg Data is written); nullopt for any other character.
std::optional<std::string> base64_decode(std::string_view in) {
    static constexpr auto table = [] {
        std::array<signed char, 256> t{};
        t.fill(-1);
        constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (std::size_t i = 0; i < alphabet.size(); ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
        return t;
    }();
    std::string out;
    out.reserve(in.size() / 4 * 3);
    std::uint32_t bits = 0;
    int count = 0, padding = 0;
    for (char ch : in) {
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') continue;
        if (ch == '=') {
            ++padding;
            continue;
        }
        int v = table[static_cast<unsigned char>(ch)];
        if (v < 0 || padding) return std::nullopt;  // a foreign character, or data after the padding
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        if (++count == 4) {
            out += static_cast<char>((bits >> 16) & 0xFF);
            out += static_cast<char>((bits >> 8) & 0xFF);
            out += static_cast<char>(bits & 0xFF);
            bits = 0, count = 0;
        }
    }
    if (count == 1 || padding > 2) return std::nullopt;
    if (count == 2) out += static_cast<char>((bits >> 4) & 0xFF);
    if (count == 3) {
        out += static_cast<char>((bits >> 10) & 0xFF);
        out += static_cast<char>((bits >> 2) & 0xFF);
    }
    return out;
}

/// The payload of a DxpMsg (Data, base64), or of a CEB900 oriBizMessage (base64 or the XML itself).
std::optional<std::string> payload(std::string_view data) {
    data = trim(data);
    if (data.empty()) return std::nullopt;
    if (data.front() == '<') return std::string(data);
    return base64_decode(data);
}

// ---------------------------------------------------------------------------------- receipts

using maybe = std::optional<receipt>;

maybe read_tree(const node& root, const std::string& name, int depth, core::diagnostic& problem);
std::vector<key> keys_of_output(const node& root, int depth);

/// A customs manifest Response (SPEC §8): message-level ResponseType, Consignment and TransportEquipment results.
maybe manifest_response(const node& root, const node& response, core::diagnostic& problem) {
    receipt r;
    r.format = "customs-manifest-response";
    r.agency = "customs";
    r.answers = text_at(root, {"Head", "MessageType"});
    r.agency_reference = text_at(root, {"Head", "MessageID"});
    add_key(r.keys, "voyage", text_at(response, {"BorderTransportMeans", "JourneyID"}));
    add_key(r.keys, "ship", text_at(response, {"BorderTransportMeans", "ID"}));
    const node* overall = nullptr;
    for (const auto& c : response.children) {
        if (c.name == "ResponseType") {
            overall = &c;
        } else if (c.name == "Consignment") {
            auto bill = text_at(c, {"TransportContractDocument", "ID"});
            auto house = text_at(c, {"AssociatedTransportDocument", "ID"});
            add_key(r.keys, "bill", bill);
            add_key(r.keys, "house_bill", house);
            const node* rt = c.child("ResponseType");
            // A consignment with neither number (the Wuhan MT5101 response has one) ties to nothing.
            if (rt && (!bill.empty() || !house.empty())) {
                auto code = text_at(*rt, {"Code"});
                r.items.push_back(
                    {house.empty() ? key{"bill", bill} : key{"house_bill", house}, manifest_verdict(code), code, text_at(*rt, {"Text"})});
            }
        } else if (c.name == "TransportEquipment") {
            // EquipmentIdentification / ResponseType pairs, possibly several in one TransportEquipment.
            std::string container;
            for (const auto& e : c.children) {
                if (e.name == "EquipmentIdentification") {
                    container = text_at(e, {"ID"});
                    add_key(r.keys, "container", container);
                } else if (e.name == "ResponseType" && !container.empty()) {
                    auto code = text_at(e, {"Code"});
                    r.items.push_back({{"container", container}, manifest_verdict(code), code, text_at(e, {"Text"})});
                    container.clear();
                }
            }
        }
    }
    auto from_items = combined(r.items);
    if (!overall && !from_items)
        return refuse(problem, root, fmt::format("a customs {} Response without any ResponseType: no result to read", r.answers));
    if (overall) {
        r.code = text_at(*overall, {"Code"});
        r.text = text_at(*overall, {"Text"});
        r.result = manifest_verdict(r.code);
    }
    // The message-level code stands unless the bills and containers themselves are mixed: the
    // Wuhan MT4101 response says 03 with every item 01, and that is the agency's word.
    if (!overall || from_items == verdict::partial) r.result = *from_items;
    return r;
}

maybe dec_import_response(const node& root, core::diagnostic& problem) {
    receipt r;
    r.format = "dec-import-response";
    r.agency = "customs";
    r.answers = "DecMessage";
    const node* code = root.child("ResponseCode");
    if (!code) return refuse(problem, root, "a DecImportResponse without ResponseCode: no result to read");
    r.code = text(code);
    r.result = r.code == "0" ? verdict::accepted : verdict::rejected;  // SPEC §5.1: 0 = accepted by the data centre
    r.text = text_at(root, {"ErrorMessage"});
    r.agency_reference = text_at(root, {"SeqNo"});
    add_key(r.keys, "client_seq", text_at(root, {"ClientSeqNo"}));
    add_key(r.keys, "seq_no", r.agency_reference);  // the declaration's 统一编号 from now on: the status receipts carry it
    return r;
}

/// A declaration status receipt (业务回执), RECONSTRUCTED shape (samples/README.md): the data
/// centre's word on a declaration after its DecImportResponse, by the SeqNo that gave.
maybe dec_result(const node& root, core::diagnostic& problem) {
    receipt r;
    r.format = "dec-result";
    r.agency = "customs";
    r.answers = "DecMessage";
    if (!root.child("Channel")) return refuse(problem, root, "a DecResult without Channel: no status to read");
    r.code = text_at(root, {"Channel"});
    r.result = ceb_verdict(r.code);  // the customs status codes, as the CEB returns use them
    r.text = text_at(root, {"Note"});
    r.agency_reference = text_at(root, {"EntryId"});
    if (r.agency_reference.empty()) r.agency_reference = text_at(root, {"SeqNo"});
    add_key(r.keys, "seq_no", text_at(root, {"SeqNo"}));
    add_key(r.keys, "entry", text_at(root, {"EntryId"}));
    return r;
}

/// The key kind of a CEB business field, or empty.
std::string_view ceb_kind(std::string_view field) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kinds{{
        {"guid", "guid"},
        {"orderNo", "order"},
        {"copNo", "inventory"},
        {"coElNo", "inventory"},
        {"invtNo", "inventory"},
        {"logisticsNo", "logistics"},
        {"payTransactionId", "payment"},
        {"payNo", "payment"},
        {"billNo", "bill"},
    }};
    for (const auto& [f, kind] : kinds)
        if (f == field) return kind;
    return {};
}

maybe ceb_return(const node& root, int number, int depth, core::diagnostic& problem) {
    receipt r;
    r.agency = "ecommerce";
    std::vector<const node*> returns;
    for (const auto& c : root.children)
        if (ends_with(c.name, "Return")) returns.push_back(&c);
    if (returns.empty())
        return refuse(problem, root,
                      fmt::format("{} holds no Return node: a CEB request or notice (an output or a status), not a receipt", root.name));
    for (const node* ret : returns) {
        if (!ret->child("returnStatus"))
            return refuse(problem, root, fmt::format("a {} {} without returnStatus: no result to read", root.name, ret->name));
        auto code = text_at(*ret, {"returnStatus"});
        std::vector<key> own;
        for (const auto& f : ret->children)
            if (auto kind = ceb_kind(f.name); !kind.empty()) add_key(own, kind, text(&f));
        for (const auto& k : own) add_key(r.keys, k.kind, k.value);
        // The item is named by the business number rather than by the guid, which the e-port may generate.
        key what;
        for (std::string_view kind : {"order", "inventory", "logistics", "payment", "bill", "guid"}) {
            auto k = std::find_if(own.begin(), own.end(), [&](const key& x) { return x.kind == kind; });
            if (k != own.end()) {
                what = *k;
                break;
            }
        }
        r.items.push_back({what, ceb_verdict(code), code, text_at(*ret, {"returnInfo"})});
        if (r.agency_reference.empty()) r.agency_reference = text_at(*ret, {"invtNo"});
        if (r.agency_reference.empty()) r.agency_reference = text_at(*ret, {"preNo"});
    }
    if (number == 900) {
        // CEB900 MessageReturn: the format check of a message, which may quote the original.
        const node& ret = *returns.front();
        r.format = "ceb-message-return";
        r.answers = text_at(ret, {"oriMessageType"});
        if (ends_with(r.answers, "Message")) r.answers.resize(r.answers.size() - 7);
        if (r.answers == "Unknown") r.answers.clear();
        add_key(r.keys, "dxp_message", text_at(ret, {"oriCopMsgId"}));
        if (auto original = payload(text_at(ret, {"oriBizMessage"})); original && depth == 0) {
            core::diagnostic ignored;
            if (auto tree = load(*original, "oriBizMessage", ignored))
                for (auto& k : keys_of_output(*tree, depth + 1)) add_key(r.keys, k.kind, k.value);
        }
    } else {
        r.format = "ceb-return";
        r.answers = fmt::format("CEB{}", number - 1);
    }
    r.result = *combined(r.items);
    r.code = r.items.front().code;
    r.text = r.items.front().text;
    if (r.items.size() == 1) {
        r.items.clear();  // one Return node: the receipt is its result, there is nothing per item to add
    } else {
        auto differ = [&](std::string item::*field) {
            return std::any_of(r.items.begin(), r.items.end(), [&](const item& i) { return i.*field != r.items.front().*field; });
        };
        if (differ(&item::code)) r.code.clear();
        if (differ(&item::text)) r.text.clear();
    }
    return r;
}

maybe ciq_receipt(const node& root, const node& body, core::diagnostic& problem) {
    receipt r;
    r.format = "ciq-receipt";
    r.agency = "ciq";
    r.answers = text_at(root, {"MESSAGE_HEAD", "MESSAGE_TYPE"});
    if (r.answers.empty()) r.answers = "DCLIO";
    if (!body.child("STATUS")) return refuse(problem, root, "a CIQ receipt (DCL_IO_DECL_RECEIPT) without STATUS: no result to read");
    r.code = text_at(body, {"STATUS"});
    r.result = ciq_verdict(r.code);
    r.text = text_at(body, {"NOTE"});
    r.agency_reference = text_at(body, {"DECL_NO"});
    add_key(r.keys, "client_seq", text_at(body, {"ENT_DECL_NO"}));
    return r;
}

/// The reconstructed border and maritime answers: Head + Response, with the manifest's codes.
maybe answer(const node& root, const node& response, std::string_view format, std::string_view agency, core::diagnostic& problem) {
    receipt r;
    r.format = format;
    r.agency = agency;
    r.answers = root.name;
    r.agency_reference = text_at(root, {"Head", "MessageID"});
    add_key(r.keys, "message", text_at(response, {"OriginalMessageID"}));
    add_key(r.keys, "voyage", text_at(response, {"Voyage", "VoyageNumber"}));
    add_key(r.keys, "ship", text_at(response, {"Voyage", "IMONumber"}));
    add_key(r.keys, "ship", text_at(response, {"Ship", "IMONumber"}));
    for (const auto& c : response.children) {
        if (c.name != "Person") continue;
        auto code = text_at(c, {"ResponseType", "Code"});
        r.items.push_back({{"person", text_at(c, {"SequenceNumber"})}, manifest_verdict(code), code, text_at(c, {"ResponseType", "Text"})});
    }
    const node* overall = response.child("ResponseType");
    if (!overall) return refuse(problem, root, fmt::format("a {} Response without ResponseType: no result to read", root.name));
    r.code = text_at(*overall, {"Code"});
    r.text = text_at(*overall, {"Text"});
    r.result = manifest_verdict(r.code);
    if (combined(r.items) == verdict::partial) r.result = verdict::partial;
    return r;
}

maybe dxp_receipt(const node& root, const std::string& name, int depth, core::diagnostic& problem) {
    if (depth > 0) return refuse(problem, root, "a DxpMsg inside a DxpMsg: only one envelope is opened");
    auto data = payload(text_at(root, {"Data"}));
    if (!data) return refuse(problem, root, "a DxpMsg whose Data is empty or not base64: no receipt inside to read");
    core::diagnostic inner;
    auto tree = load(*data, name + " (DxpMsg Data)", inner);
    if (!tree)
        return refuse(
            problem, root,
            fmt::format("the DxpMsg Data is not XML that can be read, so not a receipt we know: {} [{}]", inner.text, inner.code));
    auto r = read_tree(*tree, name, depth + 1, problem);
    if (!r) {
        problem.text = "in the DxpMsg Data: " + problem.text;
        return r;
    }
    add_key(r->keys, "dxp_message", text_at(root, {"TransInfo", "CopMsgId"}));
    return r;
}

constexpr std::string_view known =
    "known receipts: customs manifest Response, DecImportResponse, DecResult, CEB Return messages (CEB312...) and CEB900, "
    "the CIQ receipt, the border and maritime answers, each also inside a DxpMsg";

maybe read_tree(const node& root, const std::string& name, int depth, core::diagnostic& problem) {
    if (manifest_root(root)) {
        if (const node* response = root.child("Response")) return manifest_response(root, *response, problem);
        auto type = text_at(root, {"Head", "MessageType"});
        if (type.empty()) type = "message";
        if (root.child("Declaration"))
            return refuse(problem, root,
                          fmt::format("a customs manifest {} without Response is a declaration (an output), not its receipt", type));
        // MT9999 (指令通知, SPEC §8) is a notice of its own, not an answer; its shape is not known.
        return refuse(problem, root,
                      fmt::format("a customs manifest {} with neither Response nor Declaration is not a receipt we know", type));
    }
    if (root.name == "DecImportResponse" && namespace_is(root, ns_dec)) return dec_import_response(root, problem);
    if (root.name == "DecResult" && namespace_is(root, ns_dec)) return dec_result(root, problem);
    if (root.name == "DxpMsg" && namespace_is(root, ns_dxp)) return dxp_receipt(root, name, depth, problem);
    if (int number = ceb_number(root)) return ceb_return(root, number, depth, problem);
    if (root.ns.empty()) {
        if (root.name == "DCL_IO_DECL_MESSAGE") {
            if (const node* body = root.child("DCL_IO_DECL_RECEIPT")) return ciq_receipt(root, *body, problem);
            return refuse(problem, root, "a CIQ declaration record (DCL_IO_DECL) is an output, not its receipt");
        }
        if (root.name == "CrewPassengerList") {
            if (const node* response = root.child("Response")) return answer(root, *response, "border-answer", "border", problem);
            return refuse(problem, root, "a crew/passenger list without Response is the list itself (an output), not its answer");
        }
        if (root.name == "ShipReport") {
            if (const node* response = root.child("Response")) return answer(root, *response, "maritime-answer", "maritime", problem);
            return refuse(problem, root, "a ship report without Response is the report itself (an output), not its answer");
        }
    }
    if (root.name == "DecMessage" || root.name == "ImportMessage")
        return refuse(problem, root, fmt::format("{} is a customs declaration (an output), not a receipt; {}", root.name, known));
    return refuse(problem, root,
                  fmt::format("root element <{}>{} is not a receipt we know; {}", root.name,
                              root.ns.empty() ? std::string() : fmt::format(" in namespace {}", root.ns.str()), known));
}

// ---------------------------------------------------------------------------------- outputs

/// A CEB request: its business node and the fields its Return echoes (ceb-*-business-202205.xsd).
struct ceb_request {
    int number;
    std::string_view node;
    std::array<std::string_view, 3> fields;
};

const ceb_request* ceb_request_of(int number) {
    static constexpr std::array<ceb_request, 19> table{{
        {311, "Order", {"guid", "orderNo"}},
        {411, "Payment", {"guid", "payTransactionId"}},
        {511, "Logistics", {"guid", "logisticsNo"}},
        {513, "LogisticsStatus", {"guid", "logisticsNo"}},
        {621, "Inventory", {"guid", "copNo"}},
        {623, "InvtCancel", {"guid", "copNo", "invtNo"}},
        {625, "InvtRefund", {"guid", "copNo", "invtNo"}},
        {711, "Delivery", {"guid", "copNo"}},
        {303, "Order", {"guid", "orderNo"}},
        {403, "Receipts", {"guid", "orderNo", "payNo"}},
        {505, "Logistics", {"guid", "logisticsNo"}},
        {507, "Arrival", {"guid", "copNo", "billNo"}},
        {509, "Departure", {"guid", "copNo"}},
        {603, "Inventory", {"guid", "copNo", "orderNo"}},
        {605, "InvtCancel", {"guid", "copNo", "invtNo"}},
        {607, "WayBill", {"guid", "copNo", "billNo"}},
        {213, "InvtRefund", {"guid", "coElNo", "invtNo"}},
        {215, "InvtRefundDetail", {"guid", "coElNo", "logisticsNo"}},
        {701, "SummaryApply", {"guid", "copNo"}},
    }};
    for (const auto& r : table)
        if (r.number == number) return &r;
    return nullptr;
}

/// The head of a CEB business node: OrderHead in Order, or the node itself when it is flat (LogisticsStatus).
const node& ceb_head(const node& n) {
    for (const auto& c : n.children)
        if (ends_with(c.name, "Head")) return c;
    return n;
}

std::vector<key> keys_of_output(const node& root, int depth) {
    std::vector<key> keys;
    if (manifest_root(root)) {
        const node* declaration = root.child("Declaration");
        if (!declaration) return keys;
        add_key(keys, "voyage", text_at(*declaration, {"BorderTransportMeans", "JourneyID"}));
        add_key(keys, "ship", text_at(*declaration, {"BorderTransportMeans", "ID"}));
        // Bills, then every container anywhere under the declaration (per bill, per goods item, or at declaration level).
        auto containers = [&](auto&& self, const node& n) -> void {
            for (const auto& c : n.children) {
                if (c.name == "EquipmentIdentification")
                    add_key(keys, "container", text_at(c, {"ID"}));
                else
                    self(self, c);
            }
        };
        for (const auto& c : declaration->children) {
            if (c.name != "Consignment") continue;
            add_key(keys, "bill", text_at(c, {"TransportContractDocument", "ID"}));
            add_key(keys, "house_bill", text_at(c, {"AssociatedTransportDocument", "ID"}));
        }
        containers(containers, *declaration);
        return keys;
    }
    if (root.name == "DecMessage" && namespace_is(root, ns_dec)) {
        add_key(keys, "client_seq", text_at(root, {"DecSign", "ClientSeqNo"}));
        return keys;
    }
    if (root.name == "ImportMessage" && root.ns.empty()) {  // pre-2018 single-window file: SWImpData/DecMessage
        add_key(keys, "client_seq", text_at(root, {"SWImpData", "DecMessage", "DecSign", "ClientSeqNo"}));
        return keys;
    }
    if (root.name == "DxpMsg" && namespace_is(root, ns_dxp)) {
        if (depth > 0) return keys;
        auto data = payload(text_at(root, {"Data"}));
        core::diagnostic ignored;
        std::optional<node> tree;
        if (data) tree = load(*data, "DxpMsg Data", ignored);
        if (!tree) return keys;
        keys = keys_of_output(*tree, depth + 1);
        if (!keys.empty()) add_key(keys, "dxp_message", text_at(root, {"TransInfo", "CopMsgId"}));
        return keys;
    }
    if (int number = ceb_number(root)) {
        const ceb_request* request = ceb_request_of(number);
        if (!request) return keys;
        for (const auto& c : root.children) {
            if (c.name != request->node) continue;
            const node& head = ceb_head(c);
            for (auto field : request->fields)
                if (!field.empty()) add_key(keys, ceb_kind(field), text_at(head, {field}));
        }
        return keys;
    }
    if (!root.ns.empty()) return keys;
    if (root.name == "DCL_IO_DECL_MESSAGE") {
        if (const node* record = root.child("DCL_IO_DECL")) add_key(keys, "client_seq", text_at(*record, {"ENT_DECL_NO"}));
    } else if (root.name == "CrewPassengerList" && root.child("Voyage")) {
        add_key(keys, "message", text_at(root, {"Head", "MessageID"}));
        add_key(keys, "voyage", text_at(root, {"Voyage", "VoyageNumber"}));
        add_key(keys, "ship", text_at(root, {"Voyage", "IMONumber"}));
    } else if (root.name == "ShipReport" && root.child("Ship")) {
        add_key(keys, "message", text_at(root, {"Head", "MessageID"}));
        add_key(keys, "voyage", text_at(root, {"Voyage", "VoyageNumber"}));
        add_key(keys, "ship", text_at(root, {"Ship", "IMONumber"}));
    }
    return keys;
}

std::string type_of_output(const node& root, int depth) {
    if (manifest_root(root)) return root.child("Declaration") ? text_at(root, {"Head", "MessageType"}) : std::string();
    if (root.name == "DecMessage" && namespace_is(root, ns_dec)) return "DecMessage";
    if (root.name == "ImportMessage" && root.ns.empty()) return "DecMessage";
    if (root.name == "DxpMsg" && namespace_is(root, ns_dxp)) {
        if (depth > 0) return {};
        auto data = payload(text_at(root, {"Data"}));
        core::diagnostic ignored;
        std::optional<node> tree;
        if (data) tree = load(*data, "DxpMsg Data", ignored);
        return tree ? type_of_output(*tree, depth + 1) : std::string();
    }
    if (int number = ceb_number(root)) return ceb_request_of(number) ? fmt::format("CEB{}", number) : std::string();
    if (!root.ns.empty()) return {};
    if (root.name == "DCL_IO_DECL_MESSAGE" && root.child("DCL_IO_DECL")) {
        auto type = text_at(root, {"MESSAGE_HEAD", "MESSAGE_TYPE"});
        return type.empty() ? "DCLIO" : type;
    }
    if (root.name == "CrewPassengerList" && root.child("Voyage")) return root.name.str();
    if (root.name == "ShipReport" && root.child("Ship")) return root.name.str();
    return {};
}

}  // namespace

std::optional<receipt> read_receipt(std::string_view xml, const std::string& name, core::diagnostic& problem) {
    problem = {};
    core::diagnostic unreadable;
    auto tree = load(xml, name, unreadable);
    if (!tree) {
        auto start = trim(xml.substr(0, 64));
        std::string what = start.substr(0, 3) == "UNA" || start.substr(0, 3) == "UNB"
                               ? "an EDIFACT interchange (read CONTRL and APERAK with edigate ack), not XML"
                               : "not XML that can be read";
        problem = finding(code::not_a_receipt, nullptr,
                          fmt::format("{}, so not a receipt we know: {} [{}]", what, unreadable.text, unreadable.code));
        problem.where = unreadable.where;
        return std::nullopt;
    }
    auto r = read_tree(*tree, name, 0, problem);
    if (!r) return r;
    if (r->keys.empty())
        problem = finding(
            code::no_key, &*tree,
            fmt::format(
                "a {} answering {} without any key (bill, ClientSeqNo, guid, orderNo...): it cannot be tied to the output it answers",
                r->format, r->answers.empty() ? "an unknown message" : r->answers));
    return r;
}

std::vector<key> output_keys(std::string_view xml, const std::string& name) {
    core::diagnostic ignored;
    auto tree = load(xml, name, ignored);
    return tree ? keys_of_output(*tree, 0) : std::vector<key>{};
}

std::string output_type(std::string_view xml, const std::string& name) {
    core::diagnostic ignored;
    auto tree = load(xml, name, ignored);
    return tree ? type_of_output(*tree, 0) : std::string();
}

}  // namespace edigate::receipts
