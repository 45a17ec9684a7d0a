// receipt_test.cpp - agency receipts: every receipt sample (ours, and the real ones in ../shared) read
// with its format, verdict, code and items; each output tied to the receipt that answers it and to
// no other; documents that are not receipts refused with EDI-R001, never a crash.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "edigate/receipts/codes.hpp"
#include "edigate/receipts/receipt.hpp"

namespace fs = std::filesystem;
using namespace edigate;
using receipts::key;
using receipts::verdict;

namespace {

const fs::path source = EDIGATE_SOURCE_DIR;
const fs::path agency = fs::path(EDIGATE_SHARED_DIR) / "agency-formats";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool shared_present() {
    if (fs::exists(agency)) return true;
    WARN("SKIPPED LOUDLY: " << agency << " is absent; the real receipts and CEB samples were not checked");
    return false;
}

std::string r001() { return std::string(receipts::info(receipts::code::not_a_receipt).name); }
std::string r002() { return std::string(receipts::info(receipts::code::no_key).name); }

bool has(const std::vector<key>& keys, const std::string& kind, const std::string& value) {
    return std::find(keys.begin(), keys.end(), key{kind, value}) != keys.end();
}

receipts::receipt read_ok(const std::string& xml, const std::string& name) {
    core::diagnostic problem;
    auto r = receipts::read_receipt(xml, name, problem);
    INFO(name << ": " << problem.code << " " << problem.text);
    REQUIRE(r);
    CHECK(problem.code.empty());
    return *r;
}

core::diagnostic refused(const std::string& xml, const std::string& name) {
    core::diagnostic problem;
    auto r = receipts::read_receipt(xml, name, problem);
    INFO(name);
    CHECK_FALSE(r);
    CHECK(problem.code == r001());
    CHECK(problem.level == core::severity::error);
    CHECK_FALSE(problem.text.empty());
    return problem;
}

/// The gateway's correlation: the receipt answers this output's message type and they share a key.
bool correlated(const receipts::receipt& r, const std::string& output) {
    if (r.answers.empty() || r.answers != receipts::output_type(output, "output")) return false;
    auto keys = receipts::output_keys(output, "output");
    return std::any_of(r.keys.begin(), r.keys.end(), [&](const key& k) { return has(keys, k.kind, k.value); });
}

std::string base64(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < in.size() ? alphabet[(n >> 6) & 63] : '=';
        out += i + 2 < in.size() ? alphabet[n & 63] : '=';
        if (out.size() % 77 == 76) out += '\n';  // line breaks, as DxpMsg Data is written
    }
    return out;
}

std::string escape(std::string_view in) {
    std::string out;
    for (char c : in) {
        if (c == '<')
            out += "&lt;";
        else if (c == '&')
            out += "&amp;";
        else
            out += c;
    }
    return out;
}

std::string dxp(const std::string& payload, const std::string& cop_msg_id = "DXPENT0000458762202403181015000087") {
    return R"(<?xml version="1.0" encoding="UTF-8"?><DxpMsg ver="1.0" Id="CL01" xmlns="http://www.chinaport.gov.cn/dxp"><TransInfo><CopMsgId>)" +
           cop_msg_id +
           "</CopMsgId><SenderId>DXPEDCDEC0000001</SenderId><ReceiverIds><ReceiverId>DXPENT0000458762</ReceiverId></ReceiverIds>" +
           "<CreatTime>2024-03-18T10:15:09.000+08:00</CreatTime><MsgType>DECMSG</MsgType></TransInfo><Data>\n" + base64(payload) +
           "\n</Data></DxpMsg>";
}

std::string manifest_response(const std::string& message_code, const std::vector<std::pair<std::string, std::string>>& bills,
                              const std::string& ns = {}) {
    std::string s = "<Manifest" + (ns.empty() ? std::string() : " xmlns=\"" + ns + "\"") +
                    "><Head><MessageID>R1</MessageID><MessageType>MT2101</MessageType></Head><Response>"
                    "<BorderTransportMeans><JourneyID>2412E</JourneyID><ID>9314624</ID></BorderTransportMeans>";
    for (const auto& [bill, code] : bills)
        s += "<Consignment><TransportContractDocument><ID>" + bill + "</ID></TransportContractDocument><ResponseType><Code>" + code +
             "</Code><Text>t</Text></ResponseType></Consignment>";
    if (!message_code.empty()) s += "<ResponseType><Code>" + message_code + "</Code><Text>message</Text></ResponseType>";
    return s + "</Response></Manifest>";
}

std::string ceb312(const std::vector<std::string>& statuses, bool qualified = true) {
    std::string s = std::string("<CEB312Message") + (qualified ? R"( xmlns="http://www.chinaport.gov.cn/ceb")" : "") +
                    R"( guid="7D2F4A90-1C3B-4E85-A6D7-3B9E0F51C826" version="1.0">)";
    int n = 0;
    for (const auto& status : statuses) {
        auto number = std::to_string(++n);
        s += "<OrderReturn><guid>G" + number + "</guid><ebpCode>3207960B71</ebpCode><orderNo>HG" + number + "</orderNo><returnStatus>" +
             status + "</returnStatus><returnTime>20240316091847203</returnTime><returnInfo>info " + status + "</returnInfo></OrderReturn>";
    }
    return s + "</CEB312Message>";
}

}  // namespace

TEST_CASE("our receipt samples: format, agency, message answered, verdict, code, text, reference, keys, items", "[receipts]") {
    const fs::path dir = source / "samples/agency";

    SECTION("customs manifest Response: two bills accepted, one rejected, so partial although the message code is 01") {
        auto r = read_ok(slurp(dir / "customs-manifest-response.xml"), "customs-manifest-response.xml");
        CHECK(r.format == "customs-manifest-response");
        CHECK(r.agency == "customs");
        CHECK(r.answers == "MT1101");
        CHECK(r.result == verdict::partial);
        CHECK(r.code == "01");
        CHECK(r.text == "部分提单退单");
        CHECK(r.agency_reference == "CN_MT1101_1p0_2305_20240316091140662");
        for (const char* bill : {"LHCL2403170016", "LHCL2403170027", "LHCL2403170038"}) CHECK(has(r.keys, "bill", bill));
        CHECK(has(r.keys, "container", "LHCU4026199"));
        CHECK(has(r.keys, "voyage", "2411W"));
        CHECK(has(r.keys, "ship", "9314624"));
        CHECK(r.keys.size() == 7);  // 3 bills, 2 containers, voyage, ship; the empty house bills are no keys
        REQUIRE(r.items.size() == 5);
        CHECK(r.items[2].what == key{"bill", "LHCL2403170038"});
        CHECK(r.items[2].result == verdict::rejected);
        CHECK(r.items[2].code == "03");
        CHECK(r.items[2].text == "收货人代码与企业注册信息不符，请核实后重新申报");
        CHECK(r.items[0].result == verdict::accepted);
        CHECK(r.items[4].what == key{"container", "LHCU4518774"});
        CHECK(r.items[4].result == verdict::accepted);
    }
    SECTION("DecImportResponse accepted: ResponseCode 0, SeqNo assigned") {
        auto r = read_ok(slurp(dir / "decmessage-decimportresponse.xml"), "decmessage-decimportresponse.xml");
        CHECK(r.format == "dec-import-response");
        CHECK(r.agency == "customs");
        CHECK(r.answers == "DecMessage");
        CHECK(r.result == verdict::accepted);
        CHECK(r.code == "0");
        CHECK(r.text == "调用成功");
        CHECK(r.agency_reference == "Z23050000241867530");
        CHECK(r.keys == std::vector<key>{{"client_seq", "202403181015000087"}, {"seq_no", "Z23050000241867530"}});
        CHECK(r.items.empty());
    }
    SECTION("DecResult status receipts: released, refused, keyed by SeqNo and EntryId (no ClientSeqNo)") {
        auto r = read_ok(slurp(dir / "receipts/decmessage-decresult-released.xml"), "released.xml");
        CHECK(r.format == "dec-result");
        CHECK(r.agency == "customs");
        CHECK(r.answers == "DecMessage");
        CHECK(r.result == verdict::accepted);
        CHECK(r.code == "800");
        CHECK(r.text.starts_with("海关已放行"));
        CHECK(r.agency_reference == "230520241000358716");
        CHECK(r.keys == std::vector<key>{{"seq_no", "Z23050000241867530"}, {"entry", "230520241000358716"}});
        auto refused = read_ok(slurp(dir / "receipts/decmessage-decresult-refused.xml"), "refused.xml");
        CHECK(refused.result == verdict::rejected);
        CHECK(refused.code == "100");
        CHECK(has(refused.keys, "seq_no", "Z23050000241867530"));
        core::diagnostic problem;
        CHECK_FALSE(receipts::read_receipt("<DecResult><SeqNo>Z1</SeqNo></DecResult>", "x.xml", problem));
        CHECK(problem.text.find("without Channel") != std::string::npos);
    }
    SECTION("DecImportResponse refused: code 1, no SeqNo") {
        auto r = read_ok(slurp(dir / "decmessage-decimportresponse-rejected.xml"), "decmessage-decimportresponse-rejected.xml");
        CHECK(r.result == verdict::rejected);
        CHECK(r.code == "1");
        CHECK(r.text.starts_with("导入失败：报关单表头"));
        CHECK(r.agency_reference.empty());
        CHECK(r.keys == std::vector<key>{{"client_seq", "202403181015000087"}});
    }
    SECTION("CEB312 order return: 120 海关入库 is accepted") {
        auto r = read_ok(slurp(dir / "receipts/ceb312-order-return.xml"), "ceb312-order-return.xml");
        CHECK(r.format == "ceb-return");
        CHECK(r.agency == "ecommerce");
        CHECK(r.answers == "CEB311");
        CHECK(r.result == verdict::accepted);
        CHECK(r.code == "120");
        CHECK(r.text == "海关入库成功[20240316-0905-1234-50HG-240316047318]");
        CHECK(r.keys == std::vector<key>{{"guid", "20240316-0905-1234-50HG-240316047318"}, {"order", "HG240316047318"}});
        CHECK(r.items.empty());  // one Return node: the receipt is its result
    }
    SECTION("CIQ receipt: STATUS 3 施检 is pending, the 报检号 is the agency's reference") {
        auto r = read_ok(slurp(dir / "receipts/ciq-inspection-receipt.xml"), "ciq-inspection-receipt.xml");
        CHECK(r.format == "ciq-receipt");
        CHECK(r.agency == "ciq");
        CHECK(r.answers == "DCLIO");
        CHECK(r.result == verdict::pending);
        CHECK(r.code == "3");
        CHECK(r.text.starts_with("已受理，木质包装需实施检疫"));
        CHECK(r.agency_reference == "320700124000317");
        CHECK(r.keys == std::vector<key>{{"client_seq", "JGCB-CIQ-240317-011"}});
    }
    SECTION("border answer: accepted, one item per person by sequence number") {
        auto r = read_ok(slurp(dir / "receipts/border-inspection-crewlist-answer.xml"), "border-inspection-crewlist-answer.xml");
        CHECK(r.format == "border-answer");
        CHECK(r.agency == "border");
        CHECK(r.answers == "CrewPassengerList");
        CHECK(r.result == verdict::accepted);
        CHECK(r.code == "01");
        CHECK(r.text == "船员名单审核通过");
        CHECK(r.agency_reference == "LYGBJZ-CLR-20240316-0412");
        CHECK(r.keys == std::vector<key>{{"message", "LYGHHSA-CL-2411W-20240316"}, {"voyage", "2411W"}, {"ship", "9314624"}});
        REQUIRE(r.items.size() == 5);
        CHECK(r.items[3].what == key{"person", "4"});
        CHECK(std::all_of(r.items.begin(), r.items.end(), [](const auto& i) { return i.result == verdict::accepted && i.code == "01"; }));
    }
    SECTION("maritime answer: 03 rejected with the reason") {
        auto r = read_ok(slurp(dir / "receipts/maritime-ship-report-answer.xml"), "maritime-ship-report-answer.xml");
        CHECK(r.format == "maritime-answer");
        CHECK(r.agency == "maritime");
        CHECK(r.answers == "ShipReport");
        CHECK(r.result == verdict::rejected);
        CHECK(r.code == "03");
        CHECK(r.text.find("63#泊位") != std::string::npos);
        CHECK(r.agency_reference == "LYGMSA-SRR-20240316-0097");
        CHECK(r.keys == std::vector<key>{{"message", "LYGHHSA-SR-2411W-A"}, {"voyage", "2411W"}, {"ship", "9314624"}});
        CHECK(r.items.empty());
    }
}

TEST_CASE("real receipts from ../shared: Wuhan manifest responses, the DecImportResponse and its DxpMsg", "[receipts][shared]") {
    if (!shared_present()) return;
    const fs::path manifest = agency / "customs-manifest/samples";

    SECTION("MT4101 response: the message says 03 while every item says 01; the agency's 03 stands") {
        auto r = read_ok(slurp(manifest / "MT4101-response-wuhan-sample.xml"), "MT4101-response-wuhan-sample.xml");
        CHECK(r.format == "customs-manifest-response");
        CHECK(r.answers == "MT4101");
        CHECK(r.result == verdict::rejected);
        CHECK(r.code == "03");
        CHECK(r.text.empty());
        CHECK(r.agency_reference == "20140318101010123511");
        CHECK(r.keys ==
              std::vector<key>{{"voyage", "017W"}, {"bill", "BNW00011"}, {"container", "CBHU0901001"}, {"container", "CBHU0901002"}});
        REQUIRE(r.items.size() == 3);  // one bill, then the two EquipmentIdentification/ResponseType pairs of one TransportEquipment
        CHECK(r.items[0].what == key{"bill", "BNW00011"});
        CHECK(r.items[2].what == key{"container", "CBHU0901002"});
        CHECK(std::all_of(r.items.begin(), r.items.end(), [](const auto& i) { return i.result == verdict::accepted; }));
    }
    SECTION("MT5101 response: accepted; the consignment without a bill number ties to nothing and is no item") {
        auto r = read_ok(slurp(manifest / "MT5101-response-wuhan-sample.xml"), "MT5101-response-wuhan-sample.xml");
        CHECK(r.answers == "MT5101");
        CHECK(r.result == verdict::accepted);
        CHECK(r.code == "01");
        CHECK(r.keys == std::vector<key>{{"voyage", "900SE"}, {"container", "SUSE0221048"}, {"container", "SUSE0221049"}});
        REQUIRE(r.items.size() == 2);
        CHECK(r.items[0].what == key{"container", "SUSE0221048"});
    }

    const std::string txt = slurp(agency / "customs-declaration/samples/DecImportResponse-and-DxpMsg-receipt-sample.txt");
    SECTION("the .txt as a whole is a receipt, transport headers and a DxpMsg: not one XML document") {
        auto p = refused(txt, "DecImportResponse-and-DxpMsg-receipt-sample.txt");
        CHECK(p.text.find("not XML that can be read") != std::string::npos);
        CHECK(p.where.line > 6);  // the reader's position is kept: the trouble starts after the first root element
    }
    SECTION("its first document, the plain DecImportResponse (ns2: prefixed)") {
        auto end = txt.find("</ns2:DecImportResponse>");
        REQUIRE(end != std::string::npos);
        auto r = read_ok(txt.substr(0, end + 24), "DecImportResponse");
        CHECK(r.format == "dec-import-response");
        CHECK(r.result == verdict::accepted);
        CHECK(r.code == "0");
        CHECK(r.text == "调用成功");
        CHECK(r.agency_reference == "Z11000001313617428");
        CHECK(r.keys == std::vector<key>{{"client_seq", "201802260951588560"}, {"seq_no", "Z11000001313617428"}});
    }
    SECTION("the DxpMsg, as a real receipt arrives: its base64 Data is the same DecImportResponse") {
        auto start = txt.find("<?xml", 1);
        REQUIRE(start != std::string::npos);
        auto r = read_ok(txt.substr(start), "DxpMsg");
        CHECK(r.format == "dec-import-response");
        CHECK(r.answers == "DecMessage");
        CHECK(r.result == verdict::accepted);
        CHECK(r.text == "调用成功");  // UTF-8 out of the base64 payload
        CHECK(r.agency_reference == "Z11000001313617428");
        CHECK(r.keys == std::vector<key>{{"client_seq", "201802260951588560"}, {"seq_no", "Z11000001313617428"},
                                         {"dxp_message", "DXPENT0000016069201802260951588560"}});
    }
}

TEST_CASE("the official CEB samples: every return is read, every request gives keys, and a pair shares one", "[receipts][shared][ceb]") {
    if (!shared_present()) return;
    const fs::path samples = agency / "cross-border-ecommerce-ceb/samples-202205";
    std::map<int, std::string> files;
    for (const char* side : {"import", "export"})
        for (const auto& e : fs::directory_iterator(samples / side))
            files[std::stoi(e.path().filename().string().substr(3, 3))] = slurp(e.path());
    REQUIRE(files.size() == 39);
    for (const auto& [number, xml] : files) {
        std::string name = "CEB" + std::to_string(number);
        INFO(name);
        if (number % 2 == 1) {
            refused(xml, name);  // a request is an output
            CHECK(receipts::output_type(xml, name) == name);
            CHECK_FALSE(receipts::output_keys(xml, name).empty());
        } else if (number == 792) {
            refused(xml, name);  // the summary result is a notice with no Return node
            CHECK(receipts::output_keys(xml, name).empty());
        } else {
            auto r = read_ok(xml, name);
            CHECK(r.format == "ceb-return");
            CHECK(r.answers == "CEB" + std::to_string(number - 1));
            CHECK(receipts::output_keys(xml, name).empty());  // a receipt is nobody's output
        }
    }
    SECTION("CEB312: ten OrderReturns with status 2 (申报中) are one pending receipt with ten items") {
        auto r = read_ok(files[312], "CEB312");
        CHECK(r.result == verdict::pending);
        CHECK(r.code == "2");
        CHECK(r.text == "新增申报成功[4CDE1CFD-EDED-46B1-946C-B8022E42FC94]");
        CHECK(r.items.size() == 10);
        CHECK(r.items[9].what == key{"order", "order20160321116420545"});
        CHECK(r.keys.size() == 2);  // guid and orderNo, each once
        CHECK(correlated(r, files[311]));  // by the guid: the official 311 and 312 samples have different orderNo
    }
    SECTION("CEB622 inventory return: status 1 暂存 is pending; preNo is the agency's reference; copNo a key") {
        auto r = read_ok(files[622], "CEB622");
        CHECK(r.result == verdict::pending);
        CHECK(r.agency_reference == "B20160512000001882");
        CHECK(has(r.keys, "inventory", "cop2016032211000"));
    }
    SECTION("CEB304 answers CEB303 by orderNo (their guids differ)") {
        auto r = read_ok(files[304], "CEB304");
        CHECK(correlated(r, files[303]));
        CHECK_FALSE(has(receipts::output_keys(files[303], "CEB303"), "guid", r.keys.front().value));
    }
    SECTION("the bare CEB214 root of the official sample (not CEB214Message) is still read") {
        CHECK(files[214].find("<ceb:CEB214 ") != std::string::npos);
        CHECK(read_ok(files[214], "CEB214").answers == "CEB213");
    }
}

TEST_CASE("each output is tied to the receipt that answers it and to no other", "[receipts][correlation]") {
    const fs::path golden = source / "tests/golden/mapping", dir = source / "samples/agency";
    const std::map<std::string, fs::path> outputs{
        {"golden MT1101", golden / "cuscar-d96a-manifest.1.cuscar-mt1101.xml"},
        {"golden CEB311", golden / "ecommerce-order.1.order-ceb311.xml"},
        {"golden crew list", golden / "paxlst-d96a-crew.1.paxlst-crewlist.xml"},
        {"golden ship report", golden / "cuscar-d96a-manifest.1.cuscar-shipreport.xml"},
        {"golden DecMessage", golden / "cusdec-d96a-declaration.1.cusdec-decmessage.xml"},
        {"MT1101", dir / "customs-manifest-mt1101.xml"},
        {"MT5101", dir / "customs-manifest-mt5101.xml"},
        {"CIQ record", dir / "ciq-inspection.xml"},
        {"DecMessage", dir / "decmessage.xml"},
        {"DecMessage GB18030", dir / "decmessage-gb18030.xml"},
        {"DecMessage in DxpMsg", dir / "dxp-envelope.xml"},
        {"crew list", dir / "border-inspection-crewlist.xml"},
        {"ship report", dir / "maritime-ship-report.xml"},
    };
    const std::map<std::string, fs::path> answers{
        {"manifest response", dir / "customs-manifest-response.xml"},
        {"DecImportResponse", dir / "decmessage-decimportresponse.xml"},
        {"DecImportResponse refused", dir / "decmessage-decimportresponse-rejected.xml"},
        {"CEB312", dir / "receipts/ceb312-order-return.xml"},
        {"CIQ receipt", dir / "receipts/ciq-inspection-receipt.xml"},
        {"border answer", dir / "receipts/border-inspection-crewlist-answer.xml"},
        {"maritime answer", dir / "receipts/maritime-ship-report-answer.xml"},
    };
    const std::set<std::pair<std::string, std::string>> pairs{
        {"golden MT1101", "manifest response"},
        {"MT1101", "manifest response"},
        {"golden CEB311", "CEB312"},
        {"golden crew list", "border answer"},
        {"crew list", "border answer"},
        {"golden ship report", "maritime answer"},
        {"ship report", "maritime answer"},
        {"CIQ record", "CIQ receipt"},
        {"DecMessage", "DecImportResponse"},
        {"DecMessage", "DecImportResponse refused"},
        {"DecMessage GB18030", "DecImportResponse"},
        {"DecMessage GB18030", "DecImportResponse refused"},
        {"DecMessage in DxpMsg", "DecImportResponse"},
        {"DecMessage in DxpMsg", "DecImportResponse refused"},
    };
    std::map<std::string, receipts::receipt> read;
    for (const auto& [name, path] : answers) read.emplace(name, read_ok(slurp(path), name));
    for (const auto& [output, path] : outputs) {
        auto xml = slurp(path);
        for (const auto& [answer, r] : read) {
            INFO(output << " <- " << answer);
            CHECK(correlated(r, xml) == pairs.contains({output, answer}));
        }
    }

    SECTION("the keys each output gives") {
        auto keys = [&](const std::string& name) { return receipts::output_keys(slurp(outputs.at(name)), name); };
        auto mt1101 = keys("golden MT1101");
        CHECK(mt1101 == std::vector<key>{{"voyage", "2411W"},
                                         {"ship", "9314624"},
                                         {"bill", "LHCL2403170016"},
                                         {"bill", "LHCL2403170027"},
                                         {"bill", "LHCL2403170038"},
                                         {"container", "LHCU4026199"},
                                         {"container", "LHCU4518774"},
                                         {"container", "TGHU8743057"},
                                         {"container", "SEGU4711222"}});
        CHECK(keys("golden CEB311") == std::vector<key>{{"guid", "20240316-0905-1234-50HG-240316047318"}, {"order", "HG240316047318"}});
        CHECK(keys("golden DecMessage") == std::vector<key>{{"client_seq", "JGCB-IMP-240318-087"}});
        CHECK(keys("DecMessage GB18030") == std::vector<key>{{"client_seq", "202403181015000087"}});
        CHECK(keys("DecMessage in DxpMsg") ==
              std::vector<key>{{"client_seq", "202403181015000087"}, {"dxp_message", "DXPENT0000458762202403181015000087"}});
        CHECK(keys("CIQ record") == std::vector<key>{{"client_seq", "JGCB-CIQ-240317-011"}});
        CHECK(keys("golden crew list") ==
              std::vector<key>{{"message", "LYGHHSA-CL-2411W-20240316"}, {"voyage", "2411W"}, {"ship", "9314624"}});
        CHECK(receipts::output_type(slurp(outputs.at("DecMessage in DxpMsg")), "dxp") == "DecMessage");
        CHECK(receipts::output_type(slurp(dir / "swimportmessage.xml"), "sw") == "DecMessage");
        CHECK(receipts::output_keys(slurp(dir / "swimportmessage.xml"), "sw") == std::vector<key>{{"client_seq", "202403190942000004"}});
    }
    SECTION("a shared key is not enough: the MT5101 of the same voyage shares containers with the MT1101's response") {
        auto mt5101 = slurp(outputs.at("MT5101"));
        const auto& r = read.at("manifest response");
        auto keys = receipts::output_keys(mt5101, "MT5101");
        CHECK(std::any_of(r.keys.begin(), r.keys.end(), [&](const key& k) { return has(keys, k.kind, k.value); }));
        CHECK(receipts::output_type(mt5101, "MT5101") == "MT5101");
        CHECK_FALSE(correlated(r, mt5101));
    }
    SECTION("documents nobody answers by key give no keys and no type") {
        for (const auto& p : {dir / "customs-logistics-message.xml", dir / "customs-manifest-response.xml",
                              source / "samples/ecommerce-order.xml", source / "samples/cuscar-d96a-manifest.edi"}) {
            INFO(p);
            auto xml = slurp(p);
            CHECK(receipts::output_keys(xml, p.filename().string()).empty());
            CHECK(receipts::output_type(xml, p.filename().string()).empty());
        }
    }
}

TEST_CASE("documents that are not receipts we know are refused with EDI-R001, never a crash", "[receipts][refused]") {
    SECTION("an output: the MT1101 itself, the CEB311, the DecMessage, the CIQ record, the crew list, the ship report") {
        auto p = refused(slurp(source / "tests/golden/mapping/cuscar-d96a-manifest.1.cuscar-mt1101.xml"), "mt1101");
        CHECK(p.text.find("MT1101 without Response is a declaration") != std::string::npos);
        CHECK(p.where.path == "/Manifest");
        CHECK(p.where.line == 2);
        CHECK(refused(slurp(source / "tests/golden/mapping/ecommerce-order.1.order-ceb311.xml"), "ceb311").text.find("no Return node") !=
              std::string::npos);
        CHECK(refused(slurp(source / "samples/agency/decmessage.xml"), "dec").text.find("DecMessage is a customs declaration") !=
              std::string::npos);
        refused(slurp(source / "samples/agency/ciq-inspection.xml"), "ciq");
        refused(slurp(source / "tests/golden/mapping/paxlst-d96a-crew.1.paxlst-crewlist.xml"), "crew");
        refused(slurp(source / "tests/golden/mapping/cuscar-d96a-manifest.1.cuscar-shipreport.xml"), "ship");
    }
    SECTION("an EDIFACT interchange") {
        auto p = refused(slurp(source / "samples/cuscar-d96a-manifest.edi"), "cuscar.edi");
        CHECK(p.text.find("an EDIFACT interchange") != std::string::npos);
        CHECK(p.text.find("does not begin with") != std::string::npos);  // never handed to the XML reader
    }
    SECTION("malformed, empty and truncated XML") {
        auto p = refused("<?xml version=\"1.0\"?>\n<Manifest><Head>\n<Response></Head></Manifest>", "bad.xml");
        CHECK(p.text.find("not XML that can be read") != std::string::npos);
        CHECK(p.where.line == 3);
        refused("", "empty.xml");
        refused("<ns2:DecImportResponse xmlns:ns2=\"http://www.chinaport.gov.cn/dec\"><ns2:ResponseCode>0", "truncated.xml");
    }
    SECTION("a DOCTYPE: entity expansion and external entities are refused before they are read") {
        auto laughs =
            refused(R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>)"
                    R"(<DecImportResponse><ResponseCode>&lol2;</ResponseCode><ClientSeqNo>1</ClientSeqNo></DecImportResponse>)",
                    "laughs.xml");
        CHECK(laughs.text.find("[EDI-X002]") != std::string::npos);
        auto xxe = refused(
            R"(<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Manifest><Response>&x;</Response></Manifest>)",
            "xxe.xml");
        CHECK(xxe.text.find("[EDI-X002]") != std::string::npos);
    }
    SECTION("the real Wuhan MT4101 loading manifest: not well-formed") {
        if (!shared_present()) return;
        refused(slurp(agency / "customs-manifest/samples/MT4101-loading-manifest-wuhan-sample.xml"),
                "MT4101-loading-manifest-wuhan-sample.xml");
    }
    SECTION("other XML, and known receipts without their result code") {
        CHECK(refused("<Invoice xmlns=\"urn:x\"/>", "x").text.find("<Invoice> in namespace urn:x is not a receipt we know") !=
              std::string::npos);
        CHECK(refused("<DecImportResponse xmlns=\"urn:other\"><ResponseCode>0</ResponseCode></DecImportResponse>", "x").code == r001());
        CHECK(refused(manifest_response("", {}), "x").text.find("without any ResponseType") != std::string::npos);
        CHECK(refused("<DecImportResponse><ClientSeqNo>1</ClientSeqNo></DecImportResponse>", "x").text.find("without ResponseCode") !=
              std::string::npos);
        CHECK(refused("<CEB312Message><OrderReturn><guid>g</guid><orderNo>o</orderNo></OrderReturn></CEB312Message>", "x")
                  .text.find("without returnStatus") != std::string::npos);
        CHECK(refused("<Manifest><Head><MessageType>MT9999</MessageType></Head><Notice/></Manifest>", "x")
                  .text.find("MT9999 with neither Response nor Declaration") != std::string::npos);
        refused("<DCL_IO_DECL_MESSAGE><DCL_IO_DECL_RECEIPT><ENT_DECL_NO>E</ENT_DECL_NO></DCL_IO_DECL_RECEIPT></DCL_IO_DECL_MESSAGE>", "x");
        refused("<ShipReport><Response><OriginalMessageID>M</OriginalMessageID></Response></ShipReport>", "x");
    }
    SECTION("a DxpMsg whose Data is not base64, holds no receipt, or holds another DxpMsg") {
        auto bad = dxp("x");
        bad.replace(bad.find("eA=="), 4, "!!!!");
        CHECK(refused(bad, "x").text.find("not base64") != std::string::npos);
        auto output = refused(dxp(slurp(source / "samples/agency/decmessage.xml")), "x");
        CHECK(output.text.starts_with("in the DxpMsg Data: DecMessage is a customs declaration"));
        CHECK(
            refused(dxp(dxp("<DecImportResponse><ResponseCode>0</ResponseCode></DecImportResponse>")), "x").text.find("inside a DxpMsg") !=
            std::string::npos);
        CHECK(refused(dxp("not xml"), "x").text.find("DxpMsg Data is not XML") != std::string::npos);
    }
}

TEST_CASE("a receipt without any key is read, with an EDI-R002 warning", "[receipts]") {
    core::diagnostic problem;
    auto r = receipts::read_receipt("<DecImportResponse><ResponseCode>0</ResponseCode><SeqNo></SeqNo></DecImportResponse>", "x", problem);
    REQUIRE(r);
    CHECK(r->result == verdict::accepted);
    CHECK(r->keys.empty());
    CHECK(problem.code == r002());
    CHECK(problem.level == core::severity::warning);
    CHECK(problem.text.find("cannot be tied") != std::string::npos);
    // and the next good receipt clears it
    r = receipts::read_receipt(slurp(source / "samples/agency/decmessage-decimportresponse.xml"), "ok", problem);
    REQUIRE(r);
    CHECK(problem.code.empty());
}

TEST_CASE("result codes: customs manifest, DecImportResponse, CEB returnStatus, CIQ STATUS", "[receipts][codes]") {
    SECTION("manifest: 01 accepted, 03 rejected, any other code pending and kept") {
        auto [code, expected] = GENERATE(table<std::string, verdict>({{"01", verdict::accepted},
                                                                      {"03", verdict::rejected},
                                                                      {"02", verdict::pending},
                                                                      {"1", verdict::pending},
                                                                      {"", verdict::pending}}));
        auto r = read_ok(manifest_response(code, {{"B1", code}}), "m");
        CHECK(r.result == expected);
        CHECK(r.code == code);
    }
    SECTION("manifest: items mixed make it partial whatever the message code; without a message code the items decide") {
        CHECK(read_ok(manifest_response("03", {{"B1", "01"}, {"B2", "03"}}), "m").result == verdict::partial);
        CHECK(read_ok(manifest_response("01", {{"B1", "01"}, {"B2", "01"}}), "m").result == verdict::accepted);
        CHECK(read_ok(manifest_response("", {{"B1", "03"}, {"B2", "03"}}), "m").result == verdict::rejected);
        CHECK(read_ok(manifest_response("", {{"B1", "01"}, {"B2", "02"}}), "m").result == verdict::pending);
    }
    SECTION("manifest: namespaced root, answers from Head/MessageType") {
        auto r = read_ok(manifest_response("01", {{"B1", "01"}}, "urn:Declaration:datamodel:standard:CN:MT2101:1"), "m");
        CHECK(r.answers == "MT2101");
        CHECK(r.keys == std::vector<key>{{"voyage", "2412E"}, {"ship", "9314624"}, {"bill", "B1"}});
        refused(manifest_response("01", {{"B1", "01"}}, "urn:somebody:else"), "m");
    }
    SECTION("DecImportResponse: 0 accepted, anything else rejected; unqualified too") {
        auto [code, expected] = GENERATE(table<std::string, verdict>({{"0", verdict::accepted},
                                                                      {"1", verdict::rejected},
                                                                      {"-1", verdict::rejected},
                                                                      {"00", verdict::rejected},
                                                                      {"", verdict::rejected}}));
        auto r =
            read_ok("<DecImportResponse><ResponseCode>" + code + "</ResponseCode><ClientSeqNo>C</ClientSeqNo></DecImportResponse>", "d");
        CHECK(r.result == expected);
        CHECK(r.code == code);
    }
    SECTION("CEB returnStatus as the XSD annotations give it") {
        auto [code, expected] = GENERATE(table<std::string, verdict>({{"120", verdict::accepted},
                                                                      {"399", verdict::accepted},
                                                                      {"800", verdict::accepted},
                                                                      {"899", verdict::accepted},
                                                                      {"100", verdict::rejected},
                                                                      {"4", verdict::rejected},
                                                                      {"-1", verdict::rejected},
                                                                      {"-301010", verdict::rejected},
                                                                      {"1", verdict::pending},
                                                                      {"2", verdict::pending},
                                                                      {"3", verdict::pending},
                                                                      {"500", verdict::pending},
                                                                      {"12O", verdict::pending}}));
        auto r = read_ok(ceb312({code}), "c");
        CHECK(r.result == expected);
        CHECK(r.code == code);
        CHECK(read_ok(ceb312({code}, false), "unqualified").result == expected);
    }
    SECTION("CEB: several Returns, accepted and rejected, make a partial receipt with one item each") {
        auto r = read_ok(ceb312({"120", "100", "120"}), "c");
        CHECK(r.result == verdict::partial);
        CHECK(r.code.empty());  // the Returns disagree: no one code stands for the receipt
        REQUIRE(r.items.size() == 3);
        CHECK(r.items[1].what == key{"order", "HG2"});
        CHECK(r.items[1].result == verdict::rejected);
        CHECK(r.items[1].text == "info 100");
        CHECK(read_ok(ceb312({"120", "2"}), "c").result == verdict::pending);
        CHECK(read_ok(ceb312({"100", "-1"}), "c").result == verdict::rejected);
    }
    SECTION("CIQ STATUS (our codes): 1, 4, 5 accepted, 2 rejected, others pending") {
        auto [code, expected] = GENERATE(table<std::string, verdict>({{"1", verdict::accepted},
                                                                      {"2", verdict::rejected},
                                                                      {"3", verdict::pending},
                                                                      {"4", verdict::accepted},
                                                                      {"5", verdict::accepted},
                                                                      {"9", verdict::pending}}));
        auto r = read_ok("<DCL_IO_DECL_MESSAGE><DCL_IO_DECL_RECEIPT><ENT_DECL_NO>E</ENT_DECL_NO><STATUS>" + code +
                             "</STATUS></DCL_IO_DECL_RECEIPT></DCL_IO_DECL_MESSAGE>",
                         "ciq");
        CHECK(r.result == expected);
        CHECK(r.answers == "DCLIO");
    }
    SECTION("border answer: a denied person makes the accepted list partial") {
        auto r = read_ok(
            "<CrewPassengerList><Response><OriginalMessageID>M</OriginalMessageID><Person><SequenceNumber>1</SequenceNumber>"
            "<ResponseType><Code>01</Code></ResponseType></Person><Person><SequenceNumber>2</SequenceNumber><ResponseType>"
            "<Code>03</Code><Text>denied</Text></ResponseType></Person><ResponseType><Code>01</Code></ResponseType></Response>"
            "</CrewPassengerList>",
            "b");
        CHECK(r.result == verdict::partial);
        CHECK(r.items[1].text == "denied");
    }
}

TEST_CASE("CEB900 format-check return: answers oriMessageType, keyed by the quoted original message", "[receipts][ceb]") {
    auto original = slurp(source / "tests/golden/mapping/ecommerce-order.1.order-ceb311.xml");
    auto ceb900 = [](const std::string& quoted, const std::string& type) {
        return R"(<ceb:CEB900Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="A1B2C3D4-0000-1111-2222-333344445555" version="1.0">)"
               "<ceb:MessageReturn><ceb:guid>20240316-0905-1234-50HG-240316047318</ceb:guid><ceb:returnStatus>-301010</ceb:returnStatus>"
               "<ceb:returnInfo>报文格式校验失败</ceb:returnInfo><ceb:returnTime>20240316090600000</ceb:returnTime>"
               "<ceb:oriCopMsgId>DXPENT0000527316HG240316047318</ceb:oriCopMsgId><ceb:oriMessageType>" +
               type + "</ceb:oriMessageType><ceb:oriBizMessage>" + quoted + "</ceb:oriBizMessage></ceb:MessageReturn></ceb:CEB900Message>";
    };
    for (const auto& quoted : {escape(original), base64(original)}) {
        auto r = read_ok(ceb900(quoted, "CEB311Message"), "ceb900");
        CHECK(r.format == "ceb-message-return");
        CHECK(r.agency == "ecommerce");
        CHECK(r.answers == "CEB311");
        CHECK(r.result == verdict::rejected);
        CHECK(r.code == "-301010");
        CHECK(has(r.keys, "dxp_message", "DXPENT0000527316HG240316047318"));
        CHECK(has(r.keys, "order", "HG240316047318"));  // from the quoted CEB311
        CHECK(correlated(r, original));
    }
    auto unknown = read_ok(ceb900("", "Unknown"), "ceb900");
    CHECK(unknown.answers.empty());
    CHECK(unknown.keys.size() == 2);  // guid and oriCopMsgId only
}

TEST_CASE("receipts in GB18030 and in a DxpMsg come out as UTF-8", "[receipts][charset]") {
    // 调用成功 and 导入失败 in GB18030, and ß, a four-byte GB18030 sequence
    const std::string gb =
        "<?xml version=\"1.0\" encoding=\"GB18030\"?>\n"
        "<ns2:DecImportResponse xmlns:ns2=\"http://www.chinaport.gov.cn/dec\"><ns2:ResponseCode>1</ns2:ResponseCode>"
        "<ns2:ErrorMessage>\xB5\xBC\xC8\xEB\xCA\xA7\xB0\xDC \x81\x30\x89\x38</ns2:ErrorMessage>"
        "<ns2:ClientSeqNo>\xB5\xF7\xD3\xC3-7</ns2:ClientSeqNo></ns2:DecImportResponse>";
    auto r = read_ok(gb, "gb18030.xml");
    CHECK(r.result == verdict::rejected);
    CHECK(r.text == "\xE5\xAF\xBC\xE5\x85\xA5\xE5\xA4\xB1\xE8\xB4\xA5 \xC3\x9F");  // 导入失败 ß
    CHECK(r.keys == std::vector<key>{{"client_seq", "\xE8\xB0\x83\xE7\x94\xA8-7"}});

    auto wrapped = read_ok(dxp(gb, "DXPENT0000458762X"), "dxp");
    CHECK(wrapped.text == r.text);
    CHECK(wrapped.keys == std::vector<key>{{"client_seq", "\xE8\xB0\x83\xE7\x94\xA8-7"}, {"dxp_message", "DXPENT0000458762X"}});

    auto ceb = read_ok(dxp(slurp(source / "samples/agency/receipts/ceb312-order-return.xml")), "dxp ceb312");
    CHECK(ceb.answers == "CEB311");
    CHECK(ceb.text == "海关入库成功[20240316-0905-1234-50HG-240316047318]");
}

TEST_CASE("verdict names and the EDI-R code table", "[receipts]") {
    CHECK(receipts::to_string(verdict::accepted) == "accepted");
    CHECK(receipts::to_string(verdict::rejected) == "rejected");
    CHECK(receipts::to_string(verdict::pending) == "pending");
    CHECK(receipts::to_string(verdict::partial) == "partial");
    auto codes = receipts::all_codes();
    REQUIRE(codes.size() == 2);
    CHECK(codes[0].name == "EDI-R001");
    CHECK(codes[0].level == core::severity::error);
    CHECK(codes[1].name == "EDI-R002");
    CHECK(codes[1].level == core::severity::warning);
    for (std::size_t i = 0; i < codes.size(); ++i) CHECK(static_cast<std::size_t>(codes[i].id) == i);
}
