// store_test.cpp - the tracking store on a real SQLite file: migrations, batches that are all or
// nothing, the append-only event log, duplicate windows, and control references that are never
// given twice, also by two processes writing at once.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "edigate/tracking/store.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

fs::path fresh(const std::string& name) {
    auto p = fs::temp_directory_path() / ("edigate-tracking-" + name + ".db");
    for (const auto& suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
    return p;
}

std::unique_ptr<tracking::store> open(const fs::path& p) {
    core::diagnostic problem;
    auto s = tracking::store::open(p, problem);
    INFO(problem.text);
    REQUIRE(s);
    return s;
}

/// Runs SQL on the file directly, as another program would; the error text, or empty.
std::string raw(const fs::path& p, const char* sql) {
    sqlite3* db = nullptr;
    sqlite3_open(p.c_str(), &db);
    char* error = nullptr;
    sqlite3_exec(db, sql, nullptr, nullptr, &error);
    std::string out = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    return out;
}

}  // namespace

TEST_CASE("the store creates and migrates its schema once, in WAL mode", "[tracking]") {
    auto p = fresh("migrate");
    {
        auto s = open(p);
        CHECK(s->schema_version() == 6);
    }
    auto s = open(p);  // reopening applies nothing twice
    CHECK(s->schema_version() == 6);
    CHECK(raw(p, "SELECT COUNT(*) FROM schema_migrations").empty());
    CHECK(fs::exists(p.string() + "-wal"));
    s.reset();
    raw(p, "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'x')");
    core::diagnostic problem;
    CHECK_FALSE(tracking::store::open(p, problem));
    CHECK(problem.code == "EDI-T001");
    CHECK(problem.text.find("schema version 99 is newer than this edigate knows (6)") != std::string::npos);
}

TEST_CASE("a committed batch records a file's whole history; an abandoned one leaves nothing", "[tracking]") {
    auto p = fresh("batch");
    auto s = open(p);
    std::int64_t file = 0;
    {
        auto b = s->begin();
        file = b.add_file("LYGHHSA", "cuscar-0001.edi", "ab12", 3000);
        b.set_state(file, tracking::file_state::processing);
        auto ich = b.add_interchange(file, "LYGHHSA", "CNLYGCUS", "LHS2403160001");
        auto msg = b.add_message(ich, "CUSCAR", "LHS240316001", "valid");
        auto out = b.add_output(msg, "cuscar-mt1101", "out/cuscar-0001.1.cuscar-mt1101.xml", "written");
        b.add_delivery(out, file, "customs-drop", "delivered");
        b.add_receipt(out, file, "customs", "CN_MT1101_1p0_2305_20240316091140662", "accepted", "01 入库成功", "receipts/r1.xml");
        b.set_state(file, tracking::file_state::delivered, "1 output delivered");
        REQUIRE(b.commit());
    }
    auto f = s->file(file);
    REQUIRE(f);
    CHECK(f->state == "delivered");
    CHECK(f->bytes == 3000);
    auto h = s->history(file);
    REQUIRE(h.size() == 3);
    CHECK(h[0].kind == "received");
    CHECK(h[2].kind == "delivered");
    CHECK(h[2].text == "1 output delivered");
    {
        auto b = s->begin();
        b.add_file("LYGHHSA", "never.edi", "cd34", 1);
    }  // not committed
    CHECK(s->counts() == std::vector<std::pair<std::string, std::int64_t>>{{"delivered", 1}});
    auto b = s->begin();
    b.set_state(4242, tracking::file_state::failed);  // no such file: the whole batch fails
    CHECK_FALSE(b.commit());
    CHECK(s->last_problem().code == "EDI-T002");
}

TEST_CASE("a remote delivery: queued with the file, attempts and their next time, cut-off attempts resumed, failed ones resent", "[tracking]") {
    auto p = fresh("deliveries");
    auto s = open(p);
    std::int64_t file = 0, d1 = 0, d2 = 0;
    {
        auto b = s->begin();
        file = b.add_file("LYGHHSA", "cuscar-0001.edi", "ab12", 3000);
        auto msg = b.add_message(b.add_interchange(file, "LYGHHSA", "CNLYGCUS", "1"), "CUSCAR", "M1", "valid");
        auto o1 = b.add_output(msg, "cuscar-mt1101", "out/a.xml", "written");
        auto o2 = b.add_output(msg, "cuscar-shipreport", "out/b.xml", "written");
        d1 = b.queue_delivery(o1, file, "customs-sftp", "out/a.xml", "a.xml", "k1");
        d2 = b.queue_delivery(o2, file, "msa-https", "out/b.xml", "b.xml", "k2");
        b.add_output_key(o1, "bill", "LHCL2403170016");
        b.add_output_key(o1, "bill", "LHCL2403170016");  // the same key twice is one entry
        REQUIRE(b.commit());
    }
    auto due = s->due_deliveries("customs-sftp", 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].id == d1);
    CHECK(due[0].remote_name == "a.xml");
    CHECK(due[0].idempotency_key == "k1");
    CHECK(due[0].status == "pending");
    CHECK(s->deliveries_by_key("bill", "LHCL2403170016").size() == 1);
    CHECK(s->deliveries_by_key("container", "LHCL2403170016").empty());  // the same value as another kind of key is another key
    CHECK(s->deliveries_by_key("bill", "LHCL2403170099").empty());
    {
        auto b = s->begin();
        CHECK(b.update_delivery(d1, "sending", "attempt 1", 0, due[0].next_at));
        CHECK(b.update_delivery(d2, "pending", "server down", 1, "2999-01-01T00:00:00.000Z"));
        REQUIRE(b.commit());
    }
    CHECK(s->due_deliveries("customs-sftp", 10).empty());  // sending: not due
    CHECK(s->due_deliveries("msa-https", 10).empty());     // not yet
    CHECK(s->next_due("msa-https") == "2999-01-01T00:00:00.000Z");
    {
        auto b = s->begin();
        CHECK(b.resume_deliveries("sending", "interrupted") == 1);  // a start-up after a crash
        REQUIRE(b.commit());
    }
    CHECK(s->due_deliveries("customs-sftp", 10).size() == 1);
    {
        auto b = s->begin();
        CHECK(b.update_delivery(d1, "failed", "HTTP 403", 1, ""));
        REQUIRE(b.commit());
    }
    CHECK(s->deliveries_in("failed").size() == 1);
    CHECK(s->deliveries_in("failed", "msa-https").empty());
    {
        auto b = s->begin();
        CHECK(b.resume_deliveries("failed", "resent by an operator", "other-channel") == 0);
        CHECK(b.resume_deliveries("failed", "resent by an operator", "", file) == 1);
        REQUIRE(b.commit());
    }
    auto all = s->deliveries(file);
    REQUIRE(all.size() == 2);
    CHECK(all[0].status == "pending");
    CHECK(all[0].attempts == 1);
    CHECK(all[0].text == "resent by an operator");
    CHECK(s->delivery_counts() == std::vector<std::tuple<std::string, std::string, std::int64_t>>{{"customs-sftp", "pending", 1}, {"msa-https", "pending", 1}});
}

TEST_CASE("the event log is append-only, whoever writes to the file", "[tracking]") {
    auto p = fresh("events");
    auto s = open(p);
    auto b = s->begin();
    b.event("started", "gateway node 1");
    REQUIRE(b.commit());
    CHECK(raw(p, "UPDATE events SET text = 'rewritten'") == "the event log is append-only");
    CHECK(raw(p, "DELETE FROM events") == "the event log is append-only");
}

TEST_CASE("duplicates: the same content or the same interchange reference within the window", "[tracking]") {
    auto p = fresh("duplicates");
    auto s = open(p);
    auto b = s->begin();
    auto file = b.add_file("LYGHHSA", "a.edi", "sha-1", 10);
    b.add_interchange(file, "LYGHHSA", "CNLYGCUS", "REF1");
    REQUIRE(b.commit());
    CHECK(s->duplicate_content("LYGHHSA", "sha-1", 3600));
    CHECK_FALSE(s->duplicate_content("OTHER", "sha-1", 3600));
    CHECK_FALSE(s->duplicate_content("LYGHHSA", "sha-1", -60));  // a window that ends before it arrived
    CHECK(s->duplicate_interchange("LYGHHSA", "REF1", 3600));
    CHECK_FALSE(s->duplicate_interchange("LYGHHSA", "REF2", 3600));
}

TEST_CASE("control references are never given twice, also by two processes at once", "[tracking]") {
    auto p = fresh("counters");
    open(p);  // create the schema before the race
    constexpr int per_process = 150;
    auto take = [&](const fs::path& out) {
        auto s = open(p);
        std::ofstream o(out);
        for (int i = 0; i < per_process; ++i) {
            auto b = s->begin();
            auto v = b.next_reference("LYGHHSA", "out");
            if (b.commit()) o << v << "\n";
        }
    };
    auto child_out = fs::temp_directory_path() / "edigate-tracking-child.txt";
    auto parent_out = fs::temp_directory_path() / "edigate-tracking-parent.txt";
    pid_t child = fork();
    if (child == 0) {
        take(child_out);
        _exit(0);
    }
    take(parent_out);
    int status = 0;
    waitpid(child, &status, 0);
    REQUIRE(WIFEXITED(status));
    std::set<std::uint64_t> all;
    std::size_t count = 0;
    for (const auto& f : {child_out, parent_out}) {
        std::ifstream in(f);
        for (std::uint64_t v; in >> v; ++count) all.insert(v);
    }
    CHECK(count == 2 * per_process);
    CHECK(all.size() == count);  // no value twice
    CHECK(*all.rbegin() == count);  // and none skipped: 1..300
    auto s = open(p);
    {
        auto b = s->begin();
        b.next_reference("LYGHHSA", "out");
    }  // rolled back: the value is given again, never lost
    auto b = s->begin();
    CHECK(b.next_reference("LYGHHSA", "out") == count + 1);
    CHECK(b.next_reference("LYGHHSA", "in") == 1);  // per partner and direction
}

TEST_CASE("files are found by every reference an operator has; the work in flight is listed", "[tracking]") {
    auto p = fresh("find");
    auto s = open(p);
    std::int64_t a = 0, b = 0;
    {
        auto t = s->begin();
        a = t.add_file("LYGHHSA", "manifest.edi", "sha-a", 100, "20261127T000000000001-manifest.edi");
        b = t.add_file("JGCB", "decl.edi", "sha-b", 200, "20261127T000000000002-decl.edi");
        auto i = t.add_interchange(a, "LYGHHSA", "CNLYGCUS", "LHS2403160001");
        auto m = t.add_message(i, "CUSCAR", "LHS240316001", "translated",
                               {{"RFF BM", "LHCL2403170016"}, {"EQD CN", "TGHU8743057"}, {"RFF BM", "LHCL2403170016"}});
        t.add_output(m, "cuscar-mt1101", "/out/x.xml", "written");
        t.set_state(a, tracking::file_state::delivered, "1 output written");
        REQUIRE(t.commit());
    }
    for (const std::string& ref : std::vector<std::string>{std::to_string(a), "manifest.edi", "20261127T000000000001-manifest.edi", "LHS2403160001",
                                                           "LHS240316001", "LHCL2403170016", "TGHU8743057"}) {
        INFO(ref);
        auto found = s->find(ref);
        REQUIRE(found.size() == 1);
        CHECK(found[0].id == a);
        CHECK(found[0].work_name == "20261127T000000000001-manifest.edi");
    }
    CHECK(s->find("nothing").empty());
    auto ic = s->interchanges(a);
    REQUIRE(ic.size() == 1);
    REQUIRE(ic[0].messages.size() == 1);
    CHECK(ic[0].messages[0].outputs.at(0).path == "/out/x.xml");
    CHECK(ic[0].messages[0].references.size() == 3);  // as carried, the repeat included
    CHECK(ic[0].messages[0].references[1] == std::pair<std::string, std::string>{"EQD CN", "TGHU8743057"});
    auto flight = s->in_flight();
    REQUIRE(flight.size() == 1);
    CHECK(flight[0].id == b);
    CHECK(s->recent("delivered", 5).at(0).id == a);
    auto per = s->partner_counts();
    REQUIRE(per.size() == 2);
    CHECK((per[0].partner == "JGCB" && per[0].state == "received" && per[0].files == 1));
}
