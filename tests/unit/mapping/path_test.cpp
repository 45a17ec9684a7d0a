// path_test.cpp - source paths over real trees: a CUSCAR message named by the D96A directory, and
// an agency XML document; qualifiers, repetitions, positions, attributes, and clear compile errors.
#include <catch2/catch.hpp>

#include <filesystem>

#include "edigate/mapping/path.hpp"
#include "edigate/xml/reader.hpp"
#include "mapping_support.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

const fs::path source = EDIGATE_SOURCE_DIR;


mapping::path compile(std::string_view text) {
    mapping::path_error e;
    auto p = mapping::path::compile(text, e);
    INFO(text << ": " << e.text << " at " << e.offset);
    REQUIRE(p);
    return *p;
}

std::vector<std::string> values(const mapping::path& p, const core::node& n) {
    std::vector<std::string> out;
    for (const auto& s : p.select(n)) out.push_back(s.value());
    return out;
}

}  // namespace

TEST_CASE("paths select by qualifier, repetition and position in a CUSCAR tree", "[mapping][path]") {
    auto m = test::cuscar_tree();
    CHECK(compile("BGM/1004").value(m) == "CM2403160001");
    CHECK(compile("SG1/NAD[3035='MS']/C080/3036").value(m) == "LIANYUNGANG HAIHANG SHIPPING AGENCY");
    CHECK(compile("SG1/NAD[3035='MS']/C080/3036[2]").value(m) == "CO., LTD.");
    CHECK(values(compile("SG1/NAD[3035='MS']/C080/3036"), m) == std::vector<std::string>{"LIANYUNGANG HAIHANG SHIPPING AGENCY", "CO., LTD."});
    CHECK(compile("DTM[C507/2005='137']/C507/2380").value(m) == "202403160905");
    CHECK_FALSE(compile("DTM[C507/2005='999']/C507/2380").value(m));
    CHECK(compile("SG1[NAD/3035!='MS']").select(m).empty() == (compile("SG1").select(m).size() == 1));
    // Every consignment (SG6 = CNI group) and its bill of lading, one per group.
    auto bills = compile("SG6/SG7/RFF[C506/1153='BM']/C506/1154").select(m);
    CHECK_FALSE(bills.empty());
    auto second = compile("SG6[2]/SG7/RFF[C506/1153='BM']/C506/1154").select(m);
    if (bills.size() > 1) CHECK(second.front().value() == bills[1].value());
    // Relative to a loop's context node, and absolute back to the message.
    const auto& first_group = *compile("SG6").select(m).front().element;
    CHECK(compile("SG7/RFF[C506/1153='BM']/C506/1154").value(first_group, m) == bills.front().value());
    CHECK(compile("/BGM/1004").value(first_group, m) == "CM2403160001");
    CHECK(compile(".").select(m).size() == 1);
    CHECK(compile("*").select(m).size() == m.children.size());
}

TEST_CASE("paths work the same on XML trees, attributes included", "[mapping][path]") {
    core::diagnostic problem;
    auto doc = xml::read_file(source / "samples/agency/customs-manifest-mt1101.xml", problem);
    REQUIRE(doc);
    CHECK(compile("Head/MessageType").value(*doc) == "MT1101");
    auto weights = values(compile("Declaration/Consignment/ConsignmentItem/GoodsMeasure/GrossMassMeasure"), *doc);
    CHECK(weights.size() >= 3);
    CHECK(weights.front() == "20270");
    CHECK(compile("Declaration/Consignment[1]/TransportEquipment/SealID[@AgencyCode]/@AgencyCode").value(*doc) == "CA");
    CHECK(compile("Declaration/Consignment/TransportEquipment/SealID[.='LH2403612']").select(*doc).size() == 1);
}

TEST_CASE("path compile errors say what and where", "[mapping][path]") {
    auto error = [](std::string_view text) {
        mapping::path_error e;
        CHECK_FALSE(mapping::path::compile(text, e));
        return e;
    };
    auto e = error("SG2/NAD[3035='CN'/C082");
    CHECK(e.text.find("expected ']'") != std::string::npos);
    CHECK(e.offset == 17);  // the "/" where "]" belongs
    e = error("SG2/NAD[3035='CN]");
    CHECK(e.text == "the quoted value is not closed");
    e = error("SG2//NAD");
    CHECK(e.offset == 4);
    e = error("@a/b");
    CHECK(e.text.find("last step") != std::string::npos);
    e = error("NAD[0]");
    CHECK(e.text == "positions count from 1");
    e = error("");
    CHECK(e.offset == 0);
    mapping::path_error ok;
    auto quoted = mapping::path::compile("FTX[C108/4440='O''BRIEN']", ok);
    REQUIRE(quoted);
}

TEST_CASE("bindings: a set shadows the run's variables until undone, an unset one hides it", "[mapping][path]") {
    const mapping::variables run{{"bill", "RUN"}, {"now", "2024"}};
    mapping::bindings b(&run);
    CHECK(*b.find("bill") == "RUN");
    CHECK(b.find("container") == nullptr);
    const auto outer = b.mark();
    b.set("bill", std::string_view("B1"));
    b.set("container", std::string_view("C1"));
    CHECK(*b.find("bill") == "B1");
    const auto inner = b.mark();
    b.set("bill", std::nullopt);  // a variable rule without a value: $bill has none here
    CHECK(b.find("bill") == nullptr);
    CHECK(!b.contains("bill"));
    b.set("container", std::string_view("C2"));
    CHECK(*b.find("container") == "C2");
    b.undo_to(inner);
    CHECK(*b.find("bill") == "B1");
    CHECK(*b.find("container") == "C1");
    b.set("container", std::string_view("a value longer than any small-string buffer keeps"));  // a reused slot
    CHECK(*b.find("container") == "a value longer than any small-string buffer keeps");
    b.undo_to(outer);
    CHECK(*b.find("bill") == "RUN");
    CHECK(b.find("container") == nullptr);
    CHECK(*b.find("now") == "2024");
    // In a predicate: [x=$name] compares with the innermost binding.
    core::node n("root");
    n.add("RFF", "B1");
    n.add("RFF", "B2");
    b.set("bill", std::string_view("B2"));
    const auto p = compile("RFF[.=$bill]");
    std::vector<std::string> got;
    p.visit(n, n, &b, nullptr, [&](const mapping::selected& s) {
        got.push_back(s.value());
        return false;
    });
    CHECK(got == std::vector<std::string>{"B2"});
}

TEST_CASE("a path memo: paths sharing a qualified part walk it once per context and tree", "[mapping][path]") {
    auto m = test::cuscar_tree();
    const char* texts[] = {"SG1/NAD[3035='MS']/C080/3036", "SG1/NAD[3035='MS']/C082/3039", "/SG1/NAD[3035='MS']/C080/3036",
                           "SG1/NAD[3035='MS']", "SG6/SG7/RFF[C506/1153='BM']/C506/1154", "SG6[2]/SG7/RFF[C506/1153='BM']/C506/1154",
                           "SG6/SG7/SG13[1]/GID/1496", "DTM[C507/2005='137']/C507/2380", "*/C507/2005", "SG6/CNI/1490"};
    auto with_memo = [](const mapping::path& p, const core::node& context, const core::node& root, mapping::path_memo& memo,
                        const mapping::bindings* vars = nullptr) {
        std::vector<std::string> out;
        p.visit(context, root, vars, nullptr, &memo, [&](const mapping::selected& s) {
            out.push_back(s.value());
            return false;
        });
        return out;
    };
    mapping::path_memo memo;
    memo.renew();
    for (int round = 0; round < 2; ++round)  // the second round reads what the first kept
        for (const char* t : texts) {
            INFO(t << ", round " << round);
            auto p = compile(t);
            CHECK(with_memo(p, m, m, memo) == values(p, m));
            // From another context node: the relative paths start there, not where the memo was filled.
            const auto& group = *compile("SG6").select(m).back().element;
            std::vector<std::string> plain;
            for (const auto& s : p.select(group, m)) plain.push_back(s.value());
            CHECK(with_memo(p, group, m, memo) == plain);
        }

    // The memo is what answers: the same tree changed in place still gives the old selection...
    const auto name = compile("SG1/NAD[3035='MS']/C080/3036");
    const auto id = compile("SG1/NAD[3035='MS']/C082/3039");
    REQUIRE(with_memo(name, m, m, memo).size() == 2);
    auto& nad = const_cast<core::node&>(*compile("SG1/NAD[3035='MS']").select(m).front().element);
    for (auto& e : nad.children)
        if (e.name == "3035") e.value = "CA";
    CHECK(with_memo(id, m, m, memo) == values(compile("SG1/NAD[3035='CA']/C082/3039"), m));
    // ... until renew(): a new tree (a message's tree is refilled at the same addresses).
    memo.renew();
    CHECK(with_memo(id, m, m, memo).empty());
    CHECK(values(id, m).empty());
    for (auto& e : nad.children)
        if (e.name == "3035") e.value = "MS";

    // $variables change during a run: those paths are walked every time, a variable in a
    // predicate's own predicate included.
    core::node n("root");
    n.add("RFF", "B1");
    n.add("RFF", "B2");
    core::node groups("root");
    groups.add("G").add("RFF", "B1");
    groups.add("G").add("RFF", "B2");
    mapping::bindings b;
    for (const auto& [text, tree] : {std::pair{"RFF[.=$bill]", &n}, std::pair{"G[RFF[.=$bill]]/RFF", &groups}})
        for (const char* bill : {"B1", "B2"}) {
            b.set("bill", std::string_view(bill));
            CHECK(with_memo(compile(text), *tree, *tree, memo, &b) == std::vector<std::string>{bill});
        }

    // A visit made from a memo visit's callback (on the same memo) walks on its own.
    memo.renew();
    std::vector<std::string> outer, inner;
    name.visit(m, m, nullptr, nullptr, &memo, [&](const mapping::selected& s) {
        outer.push_back(s.value());
        inner = with_memo(compile("SG1/NAD[3035='MS']/C080/3036"), m, m, memo);
        return false;
    });
    CHECK(outer.size() == 2);
    CHECK(inner == outer);
}

TEST_CASE("a join from the message looks its $variable up in an index: the same selections as walking, once per tree",
          "[mapping][path]") {
    auto m = test::cuscar_tree();
    // The bills and containers of the sample, and values no node has.
    std::vector<std::string> bills = values(compile("SG6/SG7/RFF/C506/1154"), m), containers = values(compile("SG4/EQD/C237/8260"), m);
    REQUIRE(bills.size() == 3);
    REQUIRE(containers.size() == 4);
    bills.push_back("NO-SUCH-BILL");
    containers.push_back("");
    const char* joins[] = {
        "/SG6[SG7/RFF/C506/1154=$bill]/SG7/SG13/SGP[C237/8260=$container]",  // F1's: the bill's goods in the container
        "/SG6[SG7/RFF/C506/1154=$bill]/SG7/SG13[SGP/C237/8260=$container]/GID/1496",
        "/SG6[SG7/RFF/C506/1154=$bill][1]/CNI/1490",               // a position after the key
        "/SG6[SG7/RFF/C506/1154=$bill][2]/CNI/1490",               // ... that no node has
        "/SG6[SG7/RFF/C506/1154=$bill][SG7/LOC/3227='88']/CNI/1490",  // another predicate after it
        "/SG4[EQD/C237/8260=$container]/MEA/C174/6314",
        "SG4[EQD/C237/8260=$container]/SEL/9308",                  // relative (not indexed): from the context node
        "SG7[RFF/C506/1154=$bill]/CNT/C270/6066",                  // from each SG6 (below)
    };
    auto walk = [](const mapping::path& p, const core::node& context, const core::node& root, const mapping::bindings& vars,
                   mapping::path_memo* memo) {
        std::vector<std::string> out;
        p.visit(context, root, &vars, nullptr, memo, [&](const mapping::selected& s) {
            out.push_back(s.value());
            return false;
        });
        return out;
    };
    std::vector<const core::node*> contexts{&m};
    for (const auto& s : compile("SG6").select(m)) contexts.push_back(s.element);
    mapping::path_memo memo;
    memo.renew();
    std::size_t found = 0;
    for (int round = 0; round < 2; ++round)  // the second round reads the indexes the first made
        for (const char* text : joins)
            for (const auto& bill : bills)
                for (const auto& container : containers)
                    for (const auto* context : contexts) {
                        mapping::bindings b;
                        b.set("bill", std::string_view(bill));
                        b.set("container", std::string_view(container));
                        auto p = compile(text);
                        INFO(text << " bill " << bill << " container '" << container << "' round " << round);
                        auto indexed = walk(p, *context, m, b, &memo);
                        CHECK(indexed == walk(p, *context, m, b, nullptr));
                        found += indexed.size();
                    }
    CHECK(found > 50);  // the joins found things: the comparison above is not of empty lists
    // One value on several nodes, and twice on one: each node once, in document order.
    core::node groups("root");
    for (auto [keys, v] : {std::pair<std::vector<const char*>, const char*>{{"A"}, "1"}, {{"B"}, "2"}, {{"A"}, "3"}, {{"A", "A"}, "4"}, {{"B", "A"}, "5"}}) {
        auto& g = groups.add("G");
        for (const char* k : keys) g.add("K", k);
        g.add("V", v);
    }
    std::vector<std::string> many;  // enough nodes under one value that an unstable sort would reorder them
    for (int i = 6; i < 60; ++i) {
        auto& g = groups.add("G");
        g.add("K", i % 3 ? "Z" : "A");
        g.add("V", std::to_string(i));
        if (i % 3 == 0) many.push_back(std::to_string(i));
    }
    many.insert(many.begin(), {"1", "3", "4", "5"});
    for (auto [key, want] : {std::pair<const char*, std::vector<std::string>>{"A", many}, {"B", {"2", "5"}}, {"C", {}}}) {
        mapping::bindings b;
        b.set("k", std::string_view(key));
        CHECK(walk(compile("/G[K=$k]/V"), groups, groups, b, &memo) == want);
        CHECK(walk(compile("/G[K=$k]/V"), groups, groups, b, nullptr) == want);
    }
    // Another start in the same run ('//' starts at the interchange, '/' at the message): its own index.
    core::node other("root");
    auto& g = other.add("G");
    g.add("K", "A");
    g.add("V", "9");
    mapping::bindings a;
    a.set("k", std::string_view("A"));
    CHECK(walk(compile("/G[K=$k]/V"), other, other, a, &memo) == std::vector<std::string>{"9"});
    mapping::bindings none;  // $bill not set: nothing, as a walk gives
    CHECK(walk(compile(joins[0]), m, m, none, &memo).empty());

    // The index is what answers: a tree changed in place still gives the old selection until
    // renew() (a message's tree is refilled at the same addresses as the last one's).
    mapping::bindings b;
    b.set("bill", std::string_view(bills[0]));
    const auto cni = compile("/SG6[SG7/RFF/C506/1154=$bill]/CNI/1490");
    REQUIRE(walk(cni, m, m, b, &memo) == std::vector<std::string>{"1"});
    auto& group = const_cast<core::node&>(*compile("SG6").select(m).front().element);
    group.name = core::symbol("SG66");
    CHECK(walk(cni, m, m, b, nullptr).empty());
    CHECK(walk(cni, m, m, b, &memo) == std::vector<std::string>{"1"});
    memo.renew();
    CHECK(walk(cni, m, m, b, &memo).empty());
    group.name = core::symbol("SG6");

    // A join visited from a join's callback (on the same memo) walks on its own, and gives the same.
    memo.renew();
    b.set("bill", std::string_view(bills[1]));
    std::vector<std::string> outer, inner;
    cni.visit(m, m, &b, nullptr, &memo, [&](const mapping::selected& s) {
        outer.push_back(s.value());
        inner = walk(cni, m, m, b, &memo);
        return false;
    });
    CHECK(outer == std::vector<std::string>{"2"});
    CHECK(inner == outer);
}
