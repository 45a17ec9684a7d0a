#!/usr/bin/env python3
"""The gateway as an operator runs it: the real edigate binary, a real SQLite file, real folders,
real signals. Each test builds its own gateway (config, inboxes, work area) in a temporary folder.

    python3 tests/integration/gateway_test.py --edigate build/test/src/cli/edigate [-v] [TestName]
"""
import argparse
import hashlib
import glob
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
EDIGATE = None
TERMINAL = {"delivered", "rejected", "duplicate", "failed"}


def write_config(base, work=None, partners=None, channels=None, **gateway):
    """A gateway.toml in `base`; returns its path. Partners default to the two of samples/gateway.toml,
    channels (TOML lines) to a folder under base/agencies for customs and legacy."""
    settings = {"settle_ms": 0, "scan_interval_ms": 100, "retry_after_ms": 200, "workers": 2}
    settings.update(gateway)
    lines = ["[gateway]", f'work = "{work or base / "work"}"', f'profiles = "{SAMPLES / "profiles.toml"}"']
    lines += [f"{k} = {v}" for k, v in settings.items()]
    partners = partners if partners is not None else [
        ("LYGHHSA", "manifest", 'profile = "LYGHHSA"\nidentities = ["LYGHHSA"]\nset = { customs_code = "2305138764521", dxp_id = "DXPENT0000458762", customs_district = "2305" }'),
        ("JGCB", "declaration", 'set = { agent_code = "3207980B47", typist_no = "8930000165231", entry_type = "M" }'),
    ]
    if channels is not None:
        lines += channels
    else:
        for agency in ("customs", "legacy"):
            lines += ["", "[[channel]]", f'name = "{agency}-drop"', 'type = "directory"', f'agency = "{agency}"',
                      f'path = "{base / "agencies" / agency}"']
    for name, route, extra in partners:
        lines += ["", "[[partner]]", f'name = "{name}"', f'inbox = "{base / "spool" / name / "in"}"', f'route = "{route}"', extra]
        (base / "spool" / name / "in").mkdir(parents=True, exist_ok=True)
    path = base / "gateway.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def drop(inbox, name, data):
    """How a well-behaved forwarder delivers: write under a temporary name, then rename in."""
    tmp = Path(inbox) / f".{name}.part"
    tmp.write_bytes(data)
    os.rename(tmp, Path(inbox) / name)


def manifest(reference):
    """The sample manifest with its own interchange and message references (a distinct input)."""
    text = (SAMPLES / "cuscar-d96a-manifest.edi").read_bytes()
    return text.replace(b"LHS2403160001", reference.encode()).replace(b"LHS240316001", (reference + "M").encode())


def edigate(*args, check=None, **kw):
    r = subprocess.run([EDIGATE, *map(str, args)], capture_output=True, text=True, timeout=120, **kw)
    if check is not None and r.returncode != check:
        raise AssertionError(f"edigate {' '.join(map(str, args))} exited {r.returncode}, expected {check}\n{r.stdout}\n{r.stderr}")
    return r


def rows(work):
    """name -> state of every file row (read-only connection: the test never writes the store)."""
    db = sqlite3.connect(f"file:{work / 'edigate.db'}?mode=ro", uri=True)
    try:
        return {name: state for name, state in db.execute("SELECT name, state FROM files ORDER BY id")}
    finally:
        db.close()


def wait_until(predicate, timeout=30, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if predicate():
                return
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def copy_name(work_name, kind, name):
    """The name of the archive's copy of an output or reply: the input's stem is not said twice."""
    stem = work_name.rsplit(".", 1)[0] + "."
    return f"{work_name}.{kind}.{name[len(stem):] if name.startswith(stem) and len(name) > len(stem) else name}"


def check_oracle(test, work):
    """After every scenario: the database is healthy, nothing is left half-written, every input in
    a terminal state sits in exactly one archive folder, every output written has its row."""
    db = sqlite3.connect(f"file:{work / 'edigate.db'}?mode=ro", uri=True)
    test.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
    files = db.execute("SELECT id, partner, work_name, state FROM files").fetchall()
    outputs_of = {}
    for fid, path in db.execute("SELECT f.id, o.path FROM outputs o JOIN messages m ON m.id = o.message_id "
                                "JOIN interchanges i ON i.id = m.interchange_id JOIN files f ON f.id = i.file_id "
                                "WHERE o.status = 'written'"):
        outputs_of.setdefault(fid, {})[Path(path).name] = path
    outputs = {Path(p) for (p,) in db.execute("SELECT path FROM outputs WHERE status = 'written'")}
    delivered = {Path(p) for (p,) in db.execute("SELECT text FROM deliveries WHERE status = 'delivered'")}
    db.close()
    # every file in an agency's channel folder has its delivery row, exactly one copy per output
    channel_files = [f for f in (work.parent / "agencies").rglob("*") if f.is_file()]
    for f in channel_files:
        test.assertFalse(f.name.startswith(".edigate-"), f"temporary left behind: {f}")
        test.assertIn(f, delivered, f"a delivered file without its delivery row: {f}")
    test.assertEqual(len(channel_files), len(delivered))
    for fid, partner, work_name, state in files:
        if state in TERMINAL:
            places = list((work / "archive" / partner).glob(f"*/{work_name}"))
            test.assertEqual([p.parent.name for p in places], [state], f"{work_name}: archived once, under its state")
            test.assertFalse((work / "claimed" / partner / work_name).exists())
            # its record beside it, once: the report of that state and a copy of each of its outputs
            records = list((work / "archive" / partner).glob(f"*/{work_name}.report.json"))
            test.assertEqual([p.parent.name for p in records], [state], f"{work_name}: one report, under its state")
            report = json.loads(records[0].read_text())
            test.assertEqual((report["id"], report["state"]), (fid, state))
            want = {copy_name(work_name, "output", name): path for name, path in outputs_of.get(fid, {}).items()}
            copies = sorted(f.name for f in records[0].parent.glob(f"{glob.escape(work_name)}.output.*"))
            test.assertEqual(copies, sorted(want), f"{work_name}: the archive holds a copy of each output")
            for name, path in want.items():
                test.assertEqual((records[0].parent / name).read_bytes(), Path(path).read_bytes())
            test.assertEqual(sorted(report["copies"]), sorted(f.name for f in records[0].parent.glob(f"{glob.escape(work_name)}.*")
                                                               if not f.name.endswith(".report.json")))
    for f in (work / "archive").rglob(".edigate-*"):
        test.fail(f"temporary left behind: {f}")
    for f in (work / "outbound").rglob("*"):
        if f.is_file():
            test.assertFalse(f.name.startswith(".edigate-"), f"temporary left behind: {f}")
            test.assertIn(f, outputs, f"an output without its row: {f}")
    for p in outputs:
        test.assertTrue(p.exists(), f"an output row without its file: {p}")


class Gateway(unittest.TestCase):
    def setUp(self):
        self.base = Path(tempfile.mkdtemp(prefix="edigate-gw-"))
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            if d.poll() is None:
                d.kill()
                d.wait()
            d.log.close()
        shutil.rmtree(self.base, ignore_errors=True)

    def start(self, config):
        log = open(self.base / f"daemon-{len(self.daemons)}.log", "w+")
        d = subprocess.Popen([EDIGATE, "run", "--config", str(config)], stdout=subprocess.DEVNULL, stderr=log)
        d.log = log
        self.daemons.append(d)
        wait_until(lambda: "event=started" in Path(log.name).read_text() or d.poll() is not None, what="the daemon to start")
        self.assertIsNone(d.poll(), Path(log.name).read_text())
        return d

    def log(self, d):
        return Path(d.log.name).read_text()

    def test_batch_job_translates_archives_and_tracks(self):
        cfg = write_config(self.base)
        inbox = self.base / "spool/LYGHHSA/in"
        drop(inbox, "manifest.edi", (SAMPLES / "cuscar-d96a-manifest.edi").read_bytes())
        drop(inbox, "chinese.edi", (SAMPLES / "cuscar-unoy-chinese.edi").read_bytes())
        drop(self.base / "spool/JGCB/in", "declaration.edi", (SAMPLES / "cusdec-d96a-declaration.edi").read_bytes())
        r = edigate("run", "--config", cfg, "--once", "--json", check=0)
        report = {p["partner"]: p for p in json.loads(r.stdout)["partners"]}
        self.assertEqual(report["LYGHHSA"]["delivered"], 2)
        self.assertEqual(report["JGCB"]["delivered"], 1)
        work = self.base / "work"
        self.assertEqual(set(rows(work).values()), {"delivered"})
        self.assertEqual(len(list((work / "outbound/LYGHHSA").glob("*.xml"))), 3)  # MT1101 per message: 1 + 2
        # each output also in its agency's channel: MT1101 and DecMessage to customs, the bill lists to legacy
        self.assertEqual(len(list((self.base / "agencies/customs").iterdir())), 4)
        self.assertEqual(len(list((self.base / "agencies/legacy").iterdir())), 3)
        self.assertEqual(list(inbox.iterdir()), [])
        # track by the interchange reference and by the message reference: the whole history
        t = json.loads(edigate("track", "LHS2403160001", "--config", cfg, "--json", check=0).stdout)
        self.assertEqual(len(t["files"]), 1)
        f = t["files"][0]
        self.assertEqual(f["name"], "manifest.edi")
        self.assertEqual(f["interchanges"][0]["messages"][0]["reference"], "LHS240316001")
        self.assertEqual({o["mapping"] for o in f["interchanges"][0]["messages"][0]["outputs"]}, {"cuscar-mt1101", "cuscar-bills-csv"})
        self.assertEqual([e["kind"] for e in f["events"]][0], "received")
        self.assertEqual([e["kind"] for e in f["events"]][-1], "delivered")
        self.assertTrue(Path(f["input"]).is_file())
        self.assertEqual(edigate("track", "LHS240316001", "--config", cfg, "--json", check=0).stdout.count('"id"'), 1)
        self.assertEqual(edigate("track", "NO-SUCH-REF", "--config", cfg).returncode, 1)
        # by a bill of lading number (RFF+BM) or a container number (EQD+CN): the manifest that
        # reported the cargo and the goods declaration that names the same bill and container
        for ref in ("LHCL2403170027", "TGHU8743057"):
            t = json.loads(edigate("track", ref, "--config", cfg, "--json", check=0).stdout)
            self.assertEqual([x["name"] for x in t["files"]], ["manifest.edi", "declaration.edi"], ref)
        self.assertEqual([x["name"] for x in json.loads(edigate("track", "LHCL2403170016", "--config", cfg, "--json").stdout)["files"]],
                         ["manifest.edi"])
        kinds = {r["kind"] for r in t["files"][0]["interchanges"][0]["messages"][0]["references"]}
        self.assertEqual(kinds, {"RFF BM", "EQD CN"})
        s = json.loads(edigate("status", "--config", cfg, "--json", check=0).stdout)
        self.assertEqual(s["files"], {"delivered": 3})
        self.assertEqual(s["partners"]["LYGHHSA"], {"delivered": 2})
        check_oracle(self, work)

    def test_a_vessel_manifest_is_tracked_by_every_bill_and_container(self):
        # One CUSCAR of 1,200 bills and 1,200 containers (the containers come first in the
        # message): each is a key `track` finds it by, and the text view stays one short line.
        cfg = write_config(self.base)
        big = self.base / "vessel.edi"
        subprocess.run([sys.executable, ROOT / "tests/bench/scale_message.py", SAMPLES / "cuscar-d96a-manifest.edi", "1200", big], check=True)
        drop(self.base / "spool/LYGHHSA/in", "vessel.edi", big.read_bytes())
        edigate("run", "--config", cfg, "--once", check=0)
        for ref in ("LHCU0000000", "LHCU0001199", "LHCL0000000000", "LHCL0000001199"):
            t = json.loads(edigate("track", ref, "--config", cfg, "--json", check=0).stdout)
            self.assertEqual([x["name"] for x in t["files"]], ["vessel.edi"], ref)
        refs = t["files"][0]["interchanges"][0]["messages"][0]["references"]
        self.assertEqual(sum(r["kind"] == "EQD CN" for r in refs), 1200)
        self.assertEqual(sum(r["kind"] == "RFF BM" for r in refs), 1200)
        text = edigate("track", "LHCL0000001199", "--config", cfg, check=0).stdout
        carries = [line for line in text.splitlines() if "carries" in line]
        self.assertEqual(len(carries), 1)
        self.assertIn("EQD CN LHCU0000004 ... and 1195 more EQD CN, RFF BM LHCL0000000000", carries[0])
        self.assertTrue(carries[0].endswith("... and 1195 more RFF BM"), carries[0])

    def test_duplicates_by_content_and_by_interchange_reference(self):
        cfg = write_config(self.base)
        inbox = self.base / "spool/LYGHHSA/in"
        drop(inbox, "first.edi", manifest("REF0001"))
        edigate("run", "--config", cfg, "--once", check=0)
        drop(inbox, "again.edi", manifest("REF0001"))  # the same bytes under another name
        drop(inbox, "resent.edi", manifest("REF0001").replace(b"LIANYUNGANG", b"LIANYUNGANG PORT"))  # same UNB reference
        drop(inbox, "second.edi", manifest("REF0002"))
        r = edigate("run", "--config", cfg, "--once", "--json", check=0)
        states = rows(self.base / "work")
        self.assertEqual(states, {"first.edi": "delivered", "again.edi": "duplicate", "resent.edi": "duplicate", "second.edi": "delivered"})
        texts = {f["name"]: f["text"] for p in json.loads(r.stdout)["partners"] for f in p["files"]}
        self.assertIn("same content as file 1", texts["again.edi"])
        self.assertIn("interchange REF0001 from LYGHHSA was already received", texts["resent.edi"])
        check_oracle(self, self.base / "work")

    def test_bad_input_is_rejected_with_the_reason_and_links_are_quarantined(self):
        cfg = write_config(self.base)
        inbox = self.base / "spool/JGCB/in"
        secret = self.base / "secret.txt"
        secret.write_text("not for the gateway")
        os.symlink(secret, inbox / "link.edi")
        drop(inbox, "broken.edi", (SAMPLES / "cusdec-d96a-declaration.edi").read_bytes().replace(b"UNT+", b"UNT+9"))
        drop(inbox, "odd name ;$(x).edi", b"not edifact at all\n")
        r = edigate("run", "--config", cfg, "--once", "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        files = {f["name"]: f for p in json.loads(r.stdout)["partners"] for f in p["files"]}
        self.assertEqual(files["link.edi"]["state"], "refused")
        self.assertEqual(files["broken.edi"]["state"], "rejected")
        self.assertIn("EDI-", files["broken.edi"]["text"])  # the first finding, with its stable code
        self.assertIn(files["odd name ;$(x).edi"]["state"], {"rejected", "failed"})
        self.assertTrue((self.base / "work/quarantine/JGCB/link.edi").is_symlink())
        # The sender gets a CONTRL for the broken interchange; it is itself a valid CONTRL.
        replies = sorted((self.base / "work/replies/JGCB").glob("*broken*.contrl.edi"))
        self.assertEqual(len(replies), 1)
        self.assertIn(b"UCM+", replies[0].read_bytes())
        v = edigate("validate", replies[0])
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        t = json.loads(edigate("track", "broken.edi", "--config", cfg, "--json", check=0).stdout)
        self.assertIn("reply", [e["kind"] for e in t["files"][0]["events"]])
        # the archive record: the report names each finding with its position, and keeps the CONTRL sent
        record = Path(t["files"][0]["record"])
        self.assertEqual(record.parent.name, "rejected")
        report = json.loads(record.read_text())
        self.assertEqual(report["name"], "broken.edi")
        unt = [f for f in report["findings"] if f["tag"] == "UNT"]
        self.assertTrue(unt and unt[0]["segment"] > 0 and unt[0]["byte"] > 0, report["findings"])
        work_name = record.name[: -len(".report.json")]
        self.assertEqual((record.parent / copy_name(work_name, "reply", replies[0].name)).read_bytes(), replies[0].read_bytes())
        self.assertEqual(secret.read_text(), "not for the gateway")
        for f in (self.base / "work").rglob("*"):
            self.assertNotIn(" ", f.name, "names in the work area are cleaned")
        check_oracle(self, self.base / "work")

    def test_limits_a_file_over_max_file_mb_is_refused_unread_a_message_over_max_message_mb_not_translated(self):
        cfg = write_config(self.base, max_file_mb=2, max_message_mb=1)
        inbox = self.base / "spool/LYGHHSA/in"
        with open(inbox / "huge.edi", "wb") as f:  # 3 GiB, sparse: refused on its size, never read
            f.truncate(3 << 30)
        vessel = self.base / "vessel.edi"  # one message of 1.15 MiB in a file under 2 MiB
        subprocess.run([sys.executable, ROOT / "tests/bench/scale_message.py", SAMPLES / "cuscar-d96a-manifest.edi", "1600", vessel], check=True)
        drop(inbox, "vessel.edi", vessel.read_bytes())
        drop(inbox, "small.edi", manifest("REF0001"))
        r = edigate("run", "--config", cfg, "--once", "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        files = {f["name"]: f for p in json.loads(r.stdout)["partners"] for f in p["files"]}
        self.assertEqual(files["huge.edi"]["state"], "refused")
        self.assertIn("3221225472 bytes (3072 MiB), over the 2 MiB a file may have (max_file_mb); moved to quarantine", files["huge.edi"]["text"])
        self.assertEqual((self.base / "work/quarantine/LYGHHSA/huge.edi").stat().st_size, 3 << 30)
        self.assertEqual(files["vessel.edi"]["state"], "rejected")
        self.assertIn("EDI-M007", files["vessel.edi"]["text"])
        self.assertIn("over the 1 MiB a message may have to be translated", files["vessel.edi"]["text"])
        self.assertEqual(files["small.edi"]["state"], "delivered")
        self.assertEqual(rows(self.base / "work"), {"vessel.edi": "rejected", "small.edi": "delivered"})  # a refused file has no row
        self.assertFalse(any("vessel" in f.name for f in (self.base / "agencies").rglob("*")), "an output of the huge message")
        self.assertEqual(list(inbox.iterdir()), [])
        check_oracle(self, self.base / "work")
        # 0 is not a limit: check-config names the key and its line
        (self.base / "bad").mkdir()
        c = edigate("check-config", write_config(self.base / "bad", max_file_mb=0))
        self.assertEqual(c.returncode, 2, c.stdout + c.stderr)
        self.assertIn("max_file_mb", c.stdout + c.stderr)

    def test_a_message_customs_cannot_use_is_answered_by_aperak(self):
        """Syntax and directory are fine, but the manifest lacks the port of loading (LOC+9) the
        customs MT1101 requires: rejected; the sender gets a CONTRL (syntax accepted) and an APERAK
        naming each missing value (EDI-M002), both valid messages."""
        cfg = write_config(self.base)
        text = manifest("REF0501")
        text, n = re.subn(rb"LOC\+9\+[^']*'\n?", b"", text)
        unt = re.search(rb"UNT\+(\d+)\+", text)
        text = text.replace(unt.group(0), b"UNT+%d+" % (int(unt.group(1)) - n))
        drop(self.base / "spool/LYGHHSA/in", "noloc.edi", text)
        r = edigate("run", "--config", cfg, "--once", "--json")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(rows(self.base / "work")["noloc.edi"], "rejected")
        replies = self.base / "work/replies/LYGHHSA"
        aperak = next(replies.glob("*noloc*.aperak.edi")).read_text()
        self.assertEqual(aperak.count("ERC+EDI-M002"), n)
        self.assertIn("LOC??3227=?'9?'", aperak)  # the rule's source path, escaped
        for f in replies.iterdir():
            self.assertEqual(edigate("validate", f).returncode, 0, f.name)
        check_oracle(self, self.base / "work")

    def test_a_partner_sends_only_as_itself(self):
        cfg = write_config(self.base)
        # the customs broker's declaration (UNB sender LYGJGCB) dropped into the shipping agent's inbox
        drop(self.base / "spool/LYGHHSA/in", "impostor.edi", (SAMPLES / "cusdec-d96a-declaration.edi").read_bytes())
        r = edigate("run", "--config", cfg, "--once", "--json")
        self.assertEqual(r.returncode, 1)
        f = json.loads(r.stdout)["partners"][0]["files"][0]
        self.assertEqual(f["state"], "rejected")
        self.assertIn("names the sender 'LYGJGCB', which is not one of LYGHHSA's identities", f["text"])
        self.assertEqual(list((self.base / "work/outbound").rglob("*.xml")), [])
        self.assertFalse((self.base / "work/replies").exists(), "an impostor is not answered")
        check_oracle(self, self.base / "work")

    def test_daemon_takes_files_as_they_arrive_reloads_and_stops(self):
        cfg = write_config(self.base, settle_ms=300)
        work = self.base / "work"
        d = self.start(cfg)
        inbox = self.base / "spool/LYGHHSA/in"
        drop(inbox, "renamed-in.edi", manifest("REF0101"))
        wait_until(lambda: rows(work).get("renamed-in.edi") == "delivered", what="a renamed-in file to be delivered")
        # A writer's temporary name is left alone; a file written in place waits for the settle time.
        (inbox / "upload.edi.part").write_bytes(b"half")
        with open(inbox / "in-place.edi", "wb") as f:
            f.write(manifest("REF0102"))
        wait_until(lambda: rows(work).get("in-place.edi") == "delivered", what="a file written in place")
        self.assertTrue((inbox / "upload.edi.part").exists())
        # SIGHUP with a broken configuration: rejected, the old one kept, the daemon still works.
        good = cfg.read_text()
        cfg.write_text(good.replace("[gateway]", "[gateway]\nsettle = 5"))
        d.send_signal(signal.SIGHUP)
        wait_until(lambda: "event=reload-rejected" in self.log(d), what="the bad configuration to be rejected")
        self.assertIn("unknown key 'settle'", self.log(d))
        drop(inbox, "after-bad-reload.edi", manifest("REF0103"))
        wait_until(lambda: rows(work).get("after-bad-reload.edi") == "delivered", what="work to go on with the old configuration")
        # SIGHUP with a good configuration that adds a partner: its inbox is watched at once.
        (self.base / "spool/NEWFWD/in").mkdir(parents=True)
        cfg.write_text(good + f'\n[[partner]]\nname = "NEWFWD"\ninbox = "{self.base / "spool/NEWFWD/in"}"\nroute = "declaration"\n'
                       'set = { agent_code = "3207980B47", typist_no = "8930000165231", entry_type = "M" }\n')
        d.send_signal(signal.SIGHUP)
        wait_until(lambda: "event=reloaded" in self.log(d), what="the reload")
        drop(self.base / "spool/NEWFWD/in", "decl.edi", (SAMPLES / "cusdec-d96a-declaration.edi").read_bytes())
        wait_until(lambda: rows(work).get("decl.edi") == "delivered", what="the new partner's file")
        # A second gateway on the same work area is refused: it would claim the same files.
        r = edigate("run", "--config", cfg, "--once")
        self.assertEqual(r.returncode, 3)
        self.assertIn("another edigate gateway is running", r.stderr)
        d.send_signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=20), 0)
        self.assertIn("event=stopped", self.log(d))
        for line in self.log(d).splitlines():
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=\w+ event=[\w-]+")
        check_oracle(self, work)

    def test_operator_commands_queue_resend_replay(self):
        cfg = write_config(self.base, scan_interval_ms=100)
        work = self.base / "work"
        drop(self.base / "spool/JGCB/in", "broken.edi", (SAMPLES / "cusdec-d96a-declaration.edi").read_bytes().replace(b"UNT+", b"UNT+9"))
        drop(self.base / "spool/LYGHHSA/in", "good.edi", manifest("REF0301"))
        edigate("run", "--config", cfg, "--once")
        ids = {f["name"]: f["id"] for f in json.loads(edigate("track", "REF0301", "--config", cfg, "--json", check=0).stdout)["files"]}
        queue = json.loads(edigate("queue", "list", "--config", cfg, "--json", check=0).stdout)["files"]
        self.assertEqual([(f["name"], f["state"]) for f in queue], [("broken.edi", "rejected")])
        broken = queue[0]["id"]
        # Only allowed moves: a finished file cannot be held, an unknown id is said.
        self.assertEqual(edigate("queue", "hold", ids["good.edi"], "--config", cfg).returncode, 1)
        self.assertIn("no file 999", edigate("queue", "hold", "999", "--config", cfg).stderr)
        d = self.start(cfg)
        # retry and resend while the daemon runs: it takes them up within its scan interval
        edigate("queue", "retry", broken, "--config", cfg, check=0)
        edigate("resend", ids["good.edi"], "--config", cfg, check=0)

        def kinds(i):
            return [e["kind"] for e in json.loads(edigate("track", str(i), "--config", cfg, "--json", check=0).stdout)["files"][0]["events"]]
        wait_until(lambda: kinds(broken).count("rejected") == 2 and kinds(ids["good.edi"]).count("delivered") == 2, what="retry and resend")
        self.assertEqual(len(list((work / "archive/LYGHHSA/delivered").glob("*.report.json"))), 1)
        d.send_signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=20), 0)
        # hold and release of a received file (the batch job leaves a held file alone)
        edigate("resend", ids["good.edi"], "--config", cfg, check=0)
        edigate("queue", "hold", ids["good.edi"], "--config", cfg, check=0)
        self.assertTrue(list((work / "hold/LYGHHSA").iterdir()))
        edigate("run", "--config", cfg, "--once", check=0)
        self.assertEqual(rows(work)["good.edi"], "held")
        edigate("queue", "release", ids["good.edi"], "--config", cfg, check=0)
        edigate("run", "--config", cfg, "--once", check=0)
        self.assertEqual(rows(work)["good.edi"], "delivered")
        # replay: the same mappings and values give the same bytes; a changed partner value shows
        r = json.loads(edigate("replay", "--from", "2020-01-01", "--route", "manifest", "--config", cfg, "--json", check=0).stdout)
        self.assertEqual((r["same"], r["different"]), (2, 0))
        # the outbound folder cleaned up by an operator: replay compares with the archive's copies
        shutil.move(work / "outbound", self.base / "outbound-aside")
        r = json.loads(edigate("replay", "--from", "2020-01-01", "--route", "manifest", "--config", cfg, "--json", check=0).stdout)
        self.assertEqual((r["same"], r["different"]), (2, 0), r)
        shutil.move(self.base / "outbound-aside", work / "outbound")
        cfg.write_text(cfg.read_text().replace("2305138764521", "2305999999999"))
        r = edigate("replay", "--from", "2020-01-01", "--route", "manifest", "--config", cfg, "--json")
        self.assertEqual(r.returncode, 1)
        results = [o["result"] for f in json.loads(r.stdout)["files"] for o in f["outputs"]]
        self.assertTrue(any(x.startswith("changed: edigate diff") for x in results), results)
        self.assertIn("same", results)  # the bill list CSV does not carry the customs code
        check_oracle(self, work)

    def test_a_poison_file_is_set_aside_after_three_crashes(self):
        """RELIABILITY.md crash case 10: a file that crashes the translator (an abort injected on a
        marker) is set aside after 3 attempts; the files around it are delivered."""
        cfg = write_config(self.base)
        inbox = self.base / "spool/LYGHHSA/in"
        drop(inbox, "a-good.edi", manifest("REF0401"))
        drop(inbox, "b-poison.edi", manifest("REF0402").replace(b"LIANYUNGANG", b"POISON-PILL"))
        drop(inbox, "c-good.edi", manifest("REF0403"))
        env = dict(os.environ, EDIGATE_TEST_CRASH_MARKER="POISON-PILL")
        crashes = 0
        for _ in range(8):
            d = subprocess.Popen([EDIGATE, "run", "--config", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            try:
                wait_until(lambda: d.poll() is not None or (len(rows(self.base / "work")) == 3 and set(rows(self.base / "work").values()) <= TERMINAL),
                           what="a crash or the end")
            except AssertionError:
                pass
            if d.poll() is None:
                d.send_signal(signal.SIGTERM)
                self.assertEqual(d.wait(timeout=20), 0)
                break
            crashes += 1
        self.assertEqual(crashes, 3, "the poison file crashed the gateway three times, then was set aside")
        self.assertEqual(rows(self.base / "work"), {"a-good.edi": "delivered", "b-poison.edi": "failed", "c-good.edi": "delivered"})
        t = json.loads(edigate("track", "b-poison.edi", "--config", cfg, "--json", check=0).stdout)
        self.assertIn("stopped 3 times while translating this file", t["files"][0]["events"][-1]["text"])
        check_oracle(self, self.base / "work")

    def test_check_config_lists_every_mistake_with_its_line(self):
        cfg = self.base / "bad.toml"
        cfg.write_text('[gateway]\nwork = "w"\nsetle_ms = 5\nworkers = 0\n\n[[partner]]\nname = "a/b"\ninbox = "in"\nroute = "manifest"\n\n'
                       '[[partner]]\nname = "OK"\ninbox = "in2"\nroute = "no-such-route"\n')
        r = edigate("check-config", cfg)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"{cfg}:3: unknown key 'setle_ms'", r.stderr)
        self.assertIn(f"{cfg}:4: workers must be", r.stderr)
        self.assertIn(f"{cfg}:7: partner name 'a/b'", r.stderr)
        self.assertIn(f"{cfg}:14: partner OK: --route: no route 'no-such-route'", r.stderr)
        self.assertEqual(edigate("check-config", write_config(self.base)).returncode, 0)
        self.assertEqual(edigate("run", "--config", cfg, "--once").returncode, 2)


class DiskFull(unittest.TestCase):
    """The work area on a small tmpfs that fills up: the input is kept and taken again when there
    is room, never lost and never half-written. Needs mount(2): root, or a user namespace."""

    def test_full_work_area_defers_then_delivers(self):
        base = Path(tempfile.mkdtemp(prefix="edigate-full-"))
        try:
            # In a mount namespace of its own (as root too), so the tmpfs goes away with the scenario.
            mount = ["unshare", "-m" if os.geteuid() == 0 else "-rm", "sh", "-c", 'mount -t tmpfs -o size=4m tmpfs "$0" && exec "$@"']
            probe = subprocess.run(mount + [str(base), "true"], capture_output=True, text=True)
            if probe.returncode != 0:
                self.fail(f"cannot mount a tmpfs for the disk-full test (run as root or allow user namespaces): {probe.stderr}")
            # The scenario runs inside the mount: this same file with --disk-full-scenario.
            r = subprocess.run(mount + [str(base), sys.executable, __file__, "--edigate", EDIGATE, "--disk-full-scenario", str(base)],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        finally:
            shutil.rmtree(base, ignore_errors=True)


def fill(path):
    """Writes `path` until its file system is full."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096) > 0:
            pass
    except OSError:
        pass
    os.close(fd)


def disk_full_scenario(base):
    """Runs with `base` a fresh 4 MiB tmpfs. Exit status 0 when the oracle holds."""
    base = Path(base)
    t = unittest.TestCase()
    cfg = write_config(base, retry_after_ms=200, retry_max_ms=800, scan_interval_ms=100)
    work = base / "work"
    inbox = base / "spool/LYGHHSA/in"
    staged = base / "staged.edi"
    staged.write_bytes(manifest("FULL0001"))
    filler = base / "filler"
    # The agencies' channel folders on a file system of their own (1 MiB), for the second phase.
    agencies = base / "agencies"
    agencies.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(agencies)], check=True)
    log = tempfile.NamedTemporaryFile("w+", prefix="edigate-full-", suffix=".log")  # not on the full file system
    d = subprocess.Popen([EDIGATE, "run", "--config", str(cfg)], stderr=log)
    wait_until(lambda: "event=started" in Path(log.name).read_text(), what="the daemon to start")
    fill(filler)  # the disk fills up while the gateway runs
    os.rename(staged, inbox / "full.edi")
    try:
        wait_until(lambda: "event=deferred" in Path(log.name).read_text() or "event=register-failed" in Path(log.name).read_text(),
                   what="the full disk to be noticed")
        time.sleep(2)
        t.assertTrue((inbox / "full.edi").exists() or any((work / "claimed/LYGHHSA").iterdir()), "the input is kept")
        # no retry storm: the waits double from retry_after_ms up to retry_max_ms
        waits = [float(w) for w in re.findall(r"retry_in_s=([0-9.]+)", Path(log.name).read_text())]
        t.assertEqual(waits[:4], [0.2, 0.4, 0.8, 0.8][:len(waits[:4])], waits)
        t.assertGreaterEqual(len(waits), 3, waits)
        t.assertNotEqual(rows(work).get("full.edi"), "delivered")
        filler.unlink()  # room again: the next retry delivers it
        wait_until(lambda: rows(work).get("full.edi") == "delivered", what="delivery once there is room")
        # Second phase: the work area has room, but an agency's channel folder is full. The file
        # is translated, its copy for the agency cannot be written: nothing of it is left in the
        # channel or the outbound folder, the input stays claimed, and it is delivered once there is room.
        channel_filler = agencies / "filler"
        fill(channel_filler)
        deferrals = Path(log.name).read_text().count("event=deferred")
        drop(inbox, "channel.edi", manifest("FULL0002"))
        wait_until(lambda: Path(log.name).read_text().count("event=deferred") > deferrals, what="the full channel to be noticed")
        t.assertNotEqual(rows(work).get("channel.edi"), "delivered")
        t.assertEqual([f.name for f in (work / "claimed/LYGHHSA").iterdir()][0].split("-", 1)[1], "channel.edi", "the input is kept")
        t.assertFalse([f for f in agencies.rglob("*") if f.is_file() and f != channel_filler and b"FULL0002" in f.read_bytes()],
                      "nothing half-written in the channel")
        t.assertFalse([f for f in (work / "outbound").rglob("*") if f.is_file() and "FULL0002" in f.read_text(errors="replace")],
                      "no output without its delivery")
        channel_filler.unlink()
        wait_until(lambda: rows(work).get("channel.edi") == "delivered", what="delivery once the channel has room")
    finally:
        d.send_signal(signal.SIGTERM)
        d.wait(timeout=20)
        print(Path(log.name).read_text())
    check_oracle(t, work)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edigate", required=True)
    parser.add_argument("--disk-full-scenario", metavar="DIR")
    args, rest = parser.parse_known_args()
    EDIGATE = str(Path(args.edigate).resolve())
    if args.disk_full_scenario:
        sys.exit(disk_full_scenario(args.disk_full_scenario))
    unittest.main(argv=[sys.argv[0], *rest])
