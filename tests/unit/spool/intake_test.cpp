// intake_test.cpp - taking files from an inbox on a real filesystem: what is taken, what waits,
// and the links, FIFOs and odd names that must never be followed or trusted.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "edigate/spool/intake.hpp"

namespace fs = std::filesystem;
using namespace edigate;
using namespace std::chrono_literals;

namespace {

struct folders {
    fs::path root = fs::temp_directory_path() / "edigate-intake";
    fs::path inbox = root / "inbox", work = root / "work", quarantine = root / "quarantine";
    folders() {
        fs::remove_all(root);
        for (const auto& d : {inbox, work, quarantine}) fs::create_directories(d);
    }
    fs::path put(const std::string& name, const std::string& text, bool old = true) {
        auto p = inbox / name;
        std::ofstream(p, std::ios::binary) << text;
        if (old) fs::last_write_time(p, fs::file_time_type::clock::now() - 10s);
        return p;
    }
};

const spool::entry* find(const std::vector<spool::entry>& all, const std::string& name) {
    for (const auto& e : all)
        if (e.name == name) return &e;
    return nullptr;
}

}  // namespace

TEST_CASE("scan sorts the inbox into ready, settling, skipped and refused without touching it", "[spool]") {
    folders f;
    f.put("cuscar-0001.edi", "UNA:+.? 'UNB...");
    f.put("fresh.edi", "still being written", false);
    f.put("upload.edi.part", "x");
    f.put("upload.edi.part-3", "x");
    f.put(".hidden.edi", "x");
    fs::create_symlink("/etc/passwd", f.inbox / "link.edi");
    f.put("linked.edi", "x");
    fs::create_hard_link(f.inbox / "linked.edi", f.inbox / "second-name.edi");
    REQUIRE(::mkfifo((f.inbox / "pipe.edi").c_str(), 0600) == 0);
    fs::create_directory(f.inbox / "folder.edi");
    auto all = spool::scan(f.inbox, 2s);
    using k = spool::entry::kind;
    CHECK(find(all, "cuscar-0001.edi")->what == k::ready);
    CHECK(find(all, "fresh.edi")->what == k::settling);
    CHECK(find(all, "upload.edi.part")->what == k::skipped);
    CHECK(find(all, "upload.edi.part-3")->what == k::skipped);
    CHECK(find(all, ".hidden.edi")->what == k::skipped);
    CHECK(find(all, "link.edi")->what == k::refused);
    CHECK(find(all, "link.edi")->reason == "a symbolic link");
    CHECK(find(all, "linked.edi")->reason == "a hard link (2 names)");
    CHECK(find(all, "pipe.edi")->reason == "a FIFO");
    CHECK(find(all, "folder.edi")->reason == "a directory");
    CHECK(fs::exists(f.inbox / "cuscar-0001.edi"));  // scanning changes nothing
}

TEST_CASE("claim moves a ready file into the work area under a clean name and hashes it", "[spool]") {
    folders f;
    f.put("MANIFEST 2411W;rm -rf ~.edi", "abc");
    auto all = spool::scan(f.inbox, 2s);
    REQUIRE(all.size() == 1);
    std::string error;
    auto c = spool::claim(f.inbox, all[0], f.work, "000001-" + all[0].name, error);
    INFO(error);
    REQUIRE(c);
    CHECK(c->file == f.work / "000001-MANIFEST_2411W_rm_-rf__.edi");
    CHECK(c->sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // sha256("abc")
    CHECK(c->bytes == 3);
    CHECK(fs::is_empty(f.inbox));  // in exactly one of the two places
    CHECK(spool::safe_name("../../etc/passwd") == "_._.._etc_passwd");  // one component, no way up
    CHECK(spool::safe_name("..") == "_.");
    CHECK(spool::safe_name(".profile") == "_profile");
    CHECK(spool::safe_name("") == "file");
}

TEST_CASE("a link or FIFO is never followed or read; refused entries go to quarantine by name", "[spool]") {
    folders f;
    auto secret = f.root / "secret.key";
    std::ofstream(secret) << "KEY";
    fs::create_symlink(secret, f.inbox / "a.edi");
    REQUIRE(::mkfifo((f.inbox / "b.edi").c_str(), 0600) == 0);
    std::string error;
    // Even told to take them, claim refuses: O_NOFOLLOW and an fstat after opening.
    CHECK_FALSE(spool::claim(f.inbox, {"a.edi"}, f.work, "x1", error));
    CHECK(error.find("Too many levels of symbolic links") != std::string::npos);
    CHECK_FALSE(spool::claim(f.inbox, {"b.edi"}, f.work, "x2", error));  // returns at once: O_NONBLOCK
    CHECK(error.find("a FIFO") != std::string::npos);
    CHECK(fs::is_empty(f.work));
    for (const auto& e : spool::scan(f.inbox, 0s)) REQUIRE(spool::quarantine(f.inbox, e, f.quarantine, error));
    CHECK(fs::is_symlink(f.quarantine / "a.edi"));  // the link itself moved, its target untouched
    CHECK(fs::exists(secret));
    CHECK(fs::is_empty(f.inbox));
    CHECK_FALSE(spool::claim(f.inbox, {"../secret.key"}, f.work, "x3", error));
    CHECK(error == "not a name in the inbox");
}

TEST_CASE("a file over the size limit is refused on its size, unopened; claim refuses it too and leaves it", "[spool]") {
    folders f;
    f.put("small.edi", std::string(1000, 'x'));
    f.put("limit.edi", std::string(1024, 'x'));
    auto huge = f.put("huge.edi", "");
    fs::resize_file(huge, std::uintmax_t{3} << 30);  // 3 GiB, sparse: reading it would take seconds
    f.put("over.edi", std::string(1025, 'x'));
    auto all = spool::scan(f.inbox, 0s, 1024);
    using k = spool::entry::kind;
    CHECK(find(all, "small.edi")->what == k::ready);
    CHECK(find(all, "limit.edi")->what == k::ready);  // the limit itself is allowed
    CHECK(find(all, "huge.edi")->what == k::refused);
    CHECK(find(all, "huge.edi")->reason == "3221225472 bytes (3072 MiB), over the 0 MiB a file may have (max_file_mb)");
    CHECK(find(all, "over.edi")->reason.starts_with("1025 bytes (0 MiB), over the"));
    CHECK(spool::scan(f.inbox, 0s).size() == 4);
    for (const auto& e : spool::scan(f.inbox, 0s)) CHECK(e.what == k::ready);  // no limit: all taken
    // claim checks again after opening: a file that grew since the scan is not taken
    std::string error;
    CHECK_FALSE(spool::claim(f.inbox, {"over.edi"}, f.work, "x1", error, true, 1024));
    CHECK(error == "over.edi became 1025 bytes (0 MiB), over the 0 MiB a file may have (max_file_mb) since it was seen");
    CHECK(fs::exists(f.inbox / "over.edi"));
    CHECK(fs::is_empty(f.work));
    auto got = spool::claim(f.inbox, {"limit.edi"}, f.work, "x2", error, true, 1024);
    REQUIRE(got);
    CHECK(got->bytes == 1024);
}
