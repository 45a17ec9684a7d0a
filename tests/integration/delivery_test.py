#!/usr/bin/env python3
"""Deliveries and receipts end to end: the real edigate gateway sends its outputs to a real OpenSSH
sshd (customs, SFTP) and a real HTTPS server with its own CA (the legacy clearance application,
HTTPS), both on loopback, started and stopped here (servers.py). The faults of RELIABILITY.md 2.3
and 2.9 that a gateway must survive, each with its outcome checked against the same oracle: every
output is on the server once with the bytes of outbound/, or its delivery says why not (pending
with a next attempt, or failed with the reason); nothing under a final name is partial.

    delivery_test.py --edigate build/test/src/cli/edigate [-v] [TestName]
"""
import argparse
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import servers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
EDIGATE = None


def manifest(reference):
    """The sample CUSCAR with its own interchange and message references (a distinct input)."""
    text = (SAMPLES / "cuscar-d96a-manifest.edi").read_bytes()
    return text.replace(b"LHS2403160001", reference.encode()).replace(b"LHS240316001", (reference + "M").encode())


def drop(inbox, name, data):
    tmp = Path(inbox) / f".{name}.part"
    tmp.write_bytes(data)
    os.rename(tmp, Path(inbox) / name)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def wait_until(predicate, timeout=30, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Delivery(unittest.TestCase):
    def setUp(self):
        self.base = Path(tempfile.mkdtemp(prefix="edigate-delivery-test-"))
        self.sftp = servers.SftpServer(self.base / "remote").start()
        (self.sftp.root_dir / "receipts").mkdir(exist_ok=True)
        (self.base / "in").mkdir()
        self.https = servers.HttpsServer(self.base / "https-store").start()
        self.daemon = None

    def tearDown(self):
        if self.daemon:
            if self.daemon.poll() is None:
                self.daemon.kill()
                self.daemon.wait()
            self.log.close()
        self.https.stop()
        self.sftp.stop()
        if os.environ.get("EDIGATE_KEEP_TEST") != "1":
            subprocess.run(["rm", "-rf", str(self.base)])

    # ---- the gateway under test -----------------------------------------------------------------

    def config(self, sftp=None, https=None, sftp_port=None):
        """customs -> SFTP, legacy -> HTTPS; `sftp` / `https`: keys that replace the defaults."""
        s = {"host": "127.0.0.1", "port": sftp_port or self.sftp.port, "user": self.sftp.user, "key_file": self.sftp.client_key,
             "known_hosts": self.sftp.known_hosts, "folder": self.sftp.upload_dir, "receipts": self.sftp.root_dir / "receipts",
             "connect_timeout_s": 3, "low_speed_time_s": 3, "retry_min_ms": 100, "retry_max_ms": 400, "receipts_interval_ms": 200}
        s.update(sftp or {})
        h = {"url": f"https://127.0.0.1:{self.https.port}/ok/", "ca_file": self.https.ca_cert, "connect_timeout_s": 3, "timeout_s": 3,
             "retry_min_ms": 100, "retry_max_ms": 400}
        h.update(https or {})
        value = lambda v: str(v) if isinstance(v, (int, float)) else json.dumps(str(v))  # noqa: E731
        lines = ["[gateway]", f'work = "{self.base / "work"}"', f'profiles = "{SAMPLES / "profiles.toml"}"',
                 "settle_ms = 0", "scan_interval_ms = 100", "retry_after_ms = 200", "workers = 2",
                 "", "[[channel]]", 'name = "customs-sftp"', 'type = "sftp"', 'agency = "customs"']
        lines += [f"{k} = {value(v)}" for k, v in s.items() if v is not None]
        lines += ["", "[[channel]]", 'name = "legacy-https"', 'type = "https"', 'agency = "legacy"']
        lines += [f"{k} = {value(v)}" for k, v in h.items() if v is not None]
        lines += ["", "[[partner]]", 'name = "LYGHHSA"', f'inbox = "{self.base / "in"}"', 'route = "manifest"', 'profile = "LYGHHSA"',
                  'identities = ["LYGHHSA"]', 'receipt_route = "receipts"',

                  'set = { customs_code = "2305138764521", dxp_id = "DXPENT0000458762", customs_district = "2305", edi_charset = "UNOW" }']
        path = self.base / "gateway.toml"
        path.write_text("\n".join(lines) + "\n")
        return path

    def once(self, config, expect=None):
        r = subprocess.run([EDIGATE, "run", "--once", "--json", "--config", config], capture_output=True, text=True, timeout=120)
        if expect is not None:
            self.assertIn(r.returncode, expect if isinstance(expect, tuple) else (expect,), f"edigate run --once: {r.stdout}\n{r.stderr}")
        return json.loads(r.stdout) if r.stdout.strip() else {}, r.stderr

    def start_daemon(self, config):
        if self.daemon:
            self.log.close()
        self.log = open(self.base / "daemon.log", "a")
        self.daemon = subprocess.Popen([EDIGATE, "run", "--config", config], stderr=self.log, stdout=self.log)

    def deliveries(self):
        if not (self.base / "work" / "edigate.db").exists():
            return []
        db = sqlite3.connect(f"file:{self.base / 'work' / 'edigate.db'}?mode=ro", uri=True)
        try:
            return [dict(zip(("id", "channel", "status", "attempts", "name", "text", "key", "source"), row)) for row in
                    db.execute("SELECT id, channel, status, attempts, remote_name, text, idempotency_key, source FROM deliveries ORDER BY id")]
        except sqlite3.OperationalError:  # the gateway is still creating its schema
            return []
        finally:
            db.close()

    def events(self, kind):
        db = sqlite3.connect(f"file:{self.base / 'work' / 'edigate.db'}?mode=ro", uri=True)
        try:
            return [t for (t,) in db.execute("SELECT text FROM events WHERE kind = ? ORDER BY id", (kind,))]
        finally:
            db.close()

    def edigate(self, *args):
        return subprocess.run([EDIGATE, *map(str, args)], capture_output=True, text=True, timeout=60)

    # ---- the oracle -----------------------------------------------------------------------------

    def check_oracle(self):
        """Every sent output is on its server once, under its name, with the bytes of outbound/;
        nothing else is there but temporaries; every unsent one says why."""
        remote = {p.name: p.read_bytes() for p in self.sftp.upload_dir.iterdir() if not p.name.startswith(".")}
        stored = self.https.stored()
        for d in self.deliveries():
            local = Path(d["source"]).read_bytes()
            there = (remote if d["channel"] == "customs-sftp" else stored).get(d["name"])
            if d["status"] == "sent":
                self.assertEqual(there, local, f"{d['name']} on the server differs from outbound/")
            else:
                self.assertIn(d["status"], ("pending", "failed"), d)
                self.assertTrue(d["text"], d)
                if there is not None:  # possible only for an attempt whose answer was lost: then complete
                    self.assertEqual(there, local)
        # the HTTPS server stored each Idempotency-Key once
        keys = [r["headers"].get("Idempotency-Key") for r in self.https.requests() if r.get("stored")]
        self.assertEqual(len(keys), len(set(keys)), "one delivery stored twice")

    # ---- the cases ------------------------------------------------------------------------------

    def test_outputs_reach_sftp_and_https_once_then_receipts_come_back(self):
        config = self.config()
        drop(self.base / "in", "m1.edi", manifest("REF001"))
        drop(self.base / "in", "m2.edi", manifest("REF002"))
        report, log = self.once(config, expect=0)
        self.assertEqual(report["deliveries"], {"customs-sftp": {"sent": 2}, "legacy-https": {"sent": 2}}, log)
        d = self.deliveries()
        self.assertEqual(sorted(x["status"] for x in d), ["sent"] * 4)
        self.assertTrue(all(x["attempts"] == 1 for x in d), d)
        self.assertEqual(len(list(self.sftp.upload_dir.glob("*.xml"))), 2)
        self.assertEqual(len(self.https.stored()), 2)
        self.check_oracle()
        # one SSH connection for both uploads; the Idempotency-Key is sent with each HTTPS delivery
        self.assertEqual(sum(1 for line in self.sftp.log.read_text().splitlines() if "Accepted publickey" in line), 1,
                         "one SSH connection for the uploads and the receipts folder")
        keys = {r["headers"].get("Idempotency-Key") for r in self.https.requests()}
        self.assertEqual(keys, {x["key"] for x in d if x["channel"] == "legacy-https"})
        t = json.loads(self.edigate("track", "m1.edi", "--config", config, "--json").stdout)["files"][0]
        self.assertEqual(t["declaration"], "customs sent, legacy sent")

        # The customs answer: a manifest Response in the remote receipts folder, tied to the
        # delivery by its bill numbers, removed from the server once recorded.
        # (samples/agency/customs-manifest-response.xml answers the sample's bills: two accepted, one rejected)
        (self.sftp.root_dir / "receipts" / "R1.xml").write_bytes((SAMPLES / "agency" / "customs-manifest-response.xml").read_bytes())
        (self.sftp.root_dir / "receipts" / "junk.xml").write_bytes(b"<Hello/>")
        self.once(config, expect=0)
        self.assertEqual(list((self.sftp.root_dir / "receipts").iterdir()), [], "a recorded receipt is removed from the server")
        kept = sorted(p.name for p in (self.base / "work" / "receipts" / "customs-sftp").iterdir())
        self.assertEqual(len(kept), 2, "both are kept in the work area, the unreadable one too")
        self.assertEqual(len(self.events("receipt-unreadable")), 1)
        t = json.loads(self.edigate("track", "REF002", "--config", config, "--json").stdout)["files"][0]
        customs = [a for a in t["agencies"] if a["agency"] == "customs"][0]
        self.assertEqual(customs["status"], "partial", t)  # the latest of the two manifests carrying those bills
        self.assertIn("bill LHCL2403170038 rejected: 03", customs["text"])
        self.assertEqual(t["declaration"], "customs partial, legacy sent")
        first = json.loads(self.edigate("track", "REF001", "--config", config, "--json").stdout)["files"][0]
        self.assertEqual(first["declaration"], "customs sent, legacy sent", "the receipt answers one declaration only")
        # the sender gets it back as an APERAK from the route, from the original's recipient
        replies = [e for e in self.events("reply")]
        self.assertEqual(len(replies), 1, replies)
        aperak = Path(replies[0].split(" -> ")[1]).read_text(encoding="utf-8", errors="replace")
        self.assertIn("APERAK", aperak)
        self.assertIn("LYGHHSA", aperak.split("'")[0] + aperak.split("'")[1])  # UNB ... back to the sender
        # The same receipt once more (its removal had failed, say): recorded once, answered once
        (self.sftp.root_dir / "receipts" / "R1-again.xml").write_bytes((SAMPLES / "agency" / "customs-manifest-response.xml").read_bytes())
        self.once(config, expect=0)
        self.assertEqual(list((self.sftp.root_dir / "receipts").iterdir()), [])
        self.assertEqual(len(self.events("receipt")), 1)
        self.assertEqual(len(self.events("reply")), 1)

    def test_a_declaration_answered_at_once_and_by_a_receipts_folder(self):
        """F5: the DecMessage goes to the data centre over HTTPS, whose answer is its DecImportResponse
        (tied by ClientSeqNo); later declarations go to a folder channel whose receipts folder the
        agency fills. Each answer reaches the broker as an APERAK; a receipt for nothing we sent is
        kept and said, never attached to a declaration."""
        sets = 'set = { agent_code = "3207980B47", typist_no = "8930000165231", entry_type = "M", edi_charset = "UNOW" }'
        def config(channel):
            lines = ["[gateway]", f'work = "{self.base / "work"}"', "settle_ms = 0", "scan_interval_ms = 100", "workers = 2", "",
                     "[[channel]]", 'name = "customs"', 'agency = "customs"', *channel, "",
                     "[[partner]]", 'name = "JGCB"', f'inbox = "{self.base / "in"}"', 'route = "declaration"', 'receipt_route = "receipts"',
                     'identities = ["LYGJGCB"]', sets]
            (self.base / "gateway.toml").write_text("\n".join(lines) + "\n")
            return self.base / "gateway.toml"
        cusdec = (SAMPLES / "cusdec-d96a-declaration.edi").read_bytes()
        c = config(['type = "https"', f'url = "https://127.0.0.1:{self.https.port}/decimport/"', f'ca_file = "{self.https.ca_cert}"'])
        drop(self.base / "in", "dec1.edi", cusdec)
        self.once(c, expect=0)
        t = json.loads(self.edigate("track", "dec1.edi", "--config", c, "--json").stdout)["files"][0]
        self.assertEqual(t["declaration"], "customs accepted", t)
        self.assertIn("accepted", t["agencies"][0]["text"])
        self.assertEqual(len(self.events("reply")), 1)

        # The same declaration once more (another number), to a folder channel with a receipts folder
        folder, receipts = self.base / "agency", self.base / "agency-receipts"
        receipts.mkdir()
        c = config(['type = "directory"', f'path = "{folder}"', f'receipts = "{receipts}"', "receipts_interval_ms = 100"])
        drop(self.base / "in", "dec2.edi", cusdec.replace(b"JGCB-IMP-240318-087", b"JGCB-IMP-240318-088")
                                                .replace(b"JG240318000087", b"JG240318000088"))
        self.once(c, expect=0)
        answer = (SAMPLES / "agency" / "decmessage-decimportresponse-rejected.xml").read_text(encoding="utf-8")
        seq = answer.split("ClientSeqNo>")[1].split("<")[0]
        (receipts / "r-ours.xml").write_text(answer.replace(seq, "JGCB-IMP-240318-088"), encoding="utf-8")
        (receipts / "r-other.xml").write_text(answer.replace(seq, "SOMEONE-ELSES-1"), encoding="utf-8")
        os.symlink(self.sftp.client_key, receipts / "r-link.xml")  # a link to our own key: never read
        for p in ("r-ours.xml", "r-other.xml"):  # still being written: changed within the last second (now, for the run below)
            os.utime(receipts / p, (time.time() + 30, time.time() + 30))
        self.once(c, expect=0)
        self.assertEqual(sorted(p.name for p in receipts.iterdir()), ["r-link.xml", "r-other.xml", "r-ours.xml"],
                         "a receipt still being written waits")
        for p in ("r-ours.xml", "r-other.xml"):
            os.utime(receipts / p, (time.time() - 5, time.time() - 5))
        self.once(c, expect=0)
        self.assertEqual([p.name for p in receipts.iterdir()], ["r-link.xml"], "a link is left where it is")
        (receipts / "r-link.xml").unlink()
        t = json.loads(self.edigate("track", "dec2.edi", "--config", c, "--json").stdout)["files"][0]
        self.assertEqual(t["declaration"], "customs rejected", t)
        first = json.loads(self.edigate("track", "dec1.edi", "--config", c, "--json").stdout)["files"][0]
        self.assertEqual(first["declaration"], "customs accepted", "each receipt answers its own declaration")
        unmatched = self.events("receipt-unmatched")
        self.assertEqual(len(unmatched), 1)
        self.assertIn("SOMEONE-ELSES-1", unmatched[0])
        self.assertEqual(len(self.events("reply")), 2)
        replies = sorted((self.base / "work" / "replies" / "JGCB").iterdir())
        self.assertTrue(all("APERAK" in p.read_text(encoding="utf-8") for p in replies), replies)

        # Days later the data centre's status receipt for the first declaration: it carries no
        # ClientSeqNo, only the SeqNo its DecImportResponse gave, and still finds the declaration.
        released = (SAMPLES / "agency" / "receipts" / "decmessage-decresult-released.xml").read_text(encoding="utf-8")
        self.assertIn("Z23050000241867530", released)  # the SeqNo the test server answers with
        (receipts / "r-released.xml").write_text(released, encoding="utf-8")
        os.utime(receipts / "r-released.xml", (time.time() - 5, time.time() - 5))
        self.once(c, expect=0)
        first = json.loads(self.edigate("track", "dec1.edi", "--config", c, "--json").stdout)["files"][0]
        self.assertEqual(first["declaration"], "customs accepted", first)
        self.assertIn("800 海关已放行", first["agencies"][0]["text"], "the status receipt is on the first declaration")
        second = json.loads(self.edigate("track", "dec2.edi", "--config", c, "--json").stdout)["files"][0]
        self.assertNotIn("海关已放行", json.dumps(second, ensure_ascii=False), "and on no other")
        self.assertEqual(len(self.events("receipt-unmatched")), 1)
        cusres = [p for p in (self.base / "work" / "replies" / "JGCB").iterdir() if "CUSRES" in p.read_text(encoding="utf-8")]
        self.assertEqual(len(cusres), 1, "the broker gets the status as a CUSRES")
        self.assertIn("RFF+AEA:Z23050000241867530", cusres[0].read_text(encoding="utf-8"))

    def test_server_down_at_start_then_up(self):
        config = self.config()
        self.sftp.down()
        drop(self.base / "in", "m1.edi", manifest("REF011"))
        report, log = self.once(config, expect=3)  # waiting for the channel's next attempt
        self.assertEqual(report["deliveries"]["customs-sftp"], {"pending": 1}, log)
        self.assertEqual(report["deliveries"]["legacy-https"], {"sent": 1}, "one agency down does not hold the others")
        [d] = [x for x in self.deliveries() if x["channel"] == "customs-sftp"]
        self.assertEqual(d["attempts"], 1)
        self.assertIn("curl 7", d["text"])
        self.assertIn("event=deferred", log)
        self.sftp.start()
        time.sleep(0.5)  # past the pause (retry_max_ms 400)
        report, log = self.once(config, expect=0)
        [d] = [x for x in self.deliveries() if x["channel"] == "customs-sftp"]
        self.assertEqual((d["status"], d["attempts"]), ("sent", 2))
        self.check_oracle()

    def test_http_500_then_ok_is_one_copy_and_4xx_fails_without_a_retry_storm(self):
        config = self.config(https={"url": f"https://127.0.0.1:{self.https.port}/flaky/"})
        drop(self.base / "in", "m1.edi", manifest("REF021"))
        self.once(config, expect=(0, 3))  # 0 when the retry came within this run (a loaded machine)
        time.sleep(0.5)
        self.once(config, expect=0)
        [d] = [x for x in self.deliveries() if x["channel"] == "legacy-https"]
        self.assertEqual(d["status"], "sent")
        tries = [r for r in self.https.requests() if r.get("name") == d["name"]]
        # 500, then 201; under load the 201 may come after our 3 s timeout, and the resend with the
        # same key gets the idempotent 200 without a second copy
        self.assertEqual([r["status"] for r in tries][:2], [500, 201])
        self.assertTrue(all(r["status"] == 200 and not r["stored"] for r in tries[2:]), tries)
        self.assertEqual({r["headers"].get("Idempotency-Key") for r in tries}, {d["key"]}, "the resend carries the same key")
        self.check_oracle()

        # 400 for one document: failed at once with the status, tried once; resend --deliveries
        config = self.config(https={"url": f"https://127.0.0.1:{self.https.port}/400/"})
        drop(self.base / "in", "m2.edi", manifest("REF022"))
        report, log = self.once(config, expect=1)
        failed = [x for x in self.deliveries() if x["status"] == "failed"]
        self.assertEqual(len(failed), 1)
        self.assertIn("HTTP 400", failed[0]["text"])
        self.assertEqual(len([r for r in self.https.requests() if r.get("name") == failed[0]["name"]]), 1, "tried once, no storm")
        self.assertIn("event=alert", log)
        self.once(config, expect=0)  # a later run leaves it alone (and is not failed for it: status and track still show it)
        self.assertEqual(len([r for r in self.https.requests() if r.get("name") == failed[0]["name"]]), 1)
        status = self.edigate("status", "--config", config).stdout
        self.assertIn("failed deliveries", status)
        config = self.config()  # the agency's endpoint fixed
        r = self.edigate("resend", "--deliveries", "--channel", "legacy-https", "--config", config)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 failed delivery is pending again", r.stdout)
        self.once(config, expect=0)
        self.assertEqual([x["status"] for x in self.deliveries()], ["sent"] * 4)
        self.assertEqual(self.edigate("resend", "--deliveries", "--config", config).returncode, 1, "nothing left to resend")

    def test_untrusted_servers_are_refused_until_fixed(self):
        # SFTP: a host key that is not the one in known_hosts (changed, as after a man in the middle);
        # HTTPS: a certificate from another CA, then one for another name
        wrong = self.sftp.wrong_known_hosts()
        drop(self.base / "in", "m1.edi", manifest("REF031"))
        for k, kind in enumerate(("unknown_ca", "wrong_name")):
            other = servers.HttpsServer(self.base / f"other-store-{kind}", cert=kind).start()
            try:
                config = self.config(sftp={"known_hosts": wrong}, https={"url": f"https://127.0.0.1:{other.port}/ok/"})
                report, log = self.once(config, expect=3)
                self.assertEqual(report["deliveries"], {"customs-sftp": {"pending": 1}, "legacy-https": {"pending": 1}}, log)
                texts = {x["channel"]: x["text"] for x in self.deliveries()}
                self.assertIn("host key has CHANGED", texts["customs-sftp"])
                self.assertIn("TLS refused", texts["legacy-https"])
                self.assertEqual(list(self.sftp.upload_dir.iterdir()), [], "nothing reaches an untrusted server")
                self.assertEqual(other.stored(), {})
                alerts = self.events("alert")  # one per attempt: the channel is paused in between (100-400 ms here)
                self.assertTrue(any("host key" in a for a in alerts) and any("TLS refused" in a for a in alerts), alerts)
            finally:
                other.stop()
            time.sleep(0.5)
        # A known_hosts without the key: check-config refuses an empty one before anything runs
        empty = self.base / "empty_known_hosts"
        empty.write_text("")
        r = self.edigate("check-config", self.config(sftp={"known_hosts": empty}))
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing or empty", r.stdout + r.stderr)
        # fixed: the same deliveries go through, once
        time.sleep(0.5)
        self.once(self.config(), expect=0)
        self.assertEqual([x["status"] for x in self.deliveries()], ["sent", "sent"])
        self.check_oracle()

    def test_a_wrong_password_pauses_the_channel_and_no_secret_is_written_anywhere(self):
        secret = self.base / "password"
        secret.write_text("")  # an empty password file: the channel cannot even be set up
        secret.chmod(0o600)
        config = self.config(https={"url": f"https://127.0.0.1:{self.https.port}/auth/", "user": "agency", "password_file": secret})
        drop(self.base / "in", "m1.edi", manifest("REF071"))
        report, log = self.once(config, expect=3)
        [d] = [x for x in self.deliveries() if x["channel"] == "legacy-https"]
        self.assertEqual(d["status"], "pending")
        self.assertIn("cannot read the password file", d["text"])
        secret.write_text("not-the-password\n")
        time.sleep(0.5)
        report, log = self.once(config, expect=3)
        [d] = [x for x in self.deliveries() if x["channel"] == "legacy-https"]
        self.assertEqual(d["status"], "pending", "our credentials: every delivery would fail the same way; the channel waits")
        self.assertIn("HTTP 401", d["text"])
        secret.write_text("s3cret\n")
        time.sleep(0.5)
        report, log2 = self.once(config, expect=0)
        self.assertEqual([x["status"] for x in self.deliveries()], ["sent", "sent"])
        # I6: neither password nor the Basic token is in the logs, the database or the reports
        import base64
        needles = [b"s3cret", b"not-the-password", base64.b64encode(b"agency:s3cret"), base64.b64encode(b"agency:not-the-password")]
        haystacks = [(log + log2).encode()]
        for p in (self.base / "work").rglob("*"):
            if p.is_file():
                haystacks.append(p.read_bytes())
        for n in needles:
            self.assertFalse(any(n in h for h in haystacks), f"{n!r} was written somewhere")

    def test_the_code_never_turns_certificate_checks_off(self):
        import re
        for p in (ROOT / "src").rglob("*.cpp"):
            text = p.read_text()
            self.assertIsNone(re.search(r"SSL_VERIFY(PEER|HOST)\s*,\s*0", text), p)
            self.assertIsNone(re.search(r"FOLLOWLOCATION\s*,\s*1", text), p)
            self.assertIsNone(re.search(r"CURLKHSTAT_FINE_ADD", text), p)

    def test_sigterm_during_a_hung_upload_stops_at_once(self):
        # an HTTPS server that takes the body and never answers, with a 120 s timeout: SIGTERM must
        # not wait for it; the delivery is sent again at the next start, once
        config = self.config(https={"url": f"https://127.0.0.1:{self.https.port}/hangonce/", "timeout_s": 120})
        drop(self.base / "in", "m1.edi", manifest("REF111"))
        self.start_daemon(config)
        wait_until(lambda: any(r.get("outcome") == "hang" or r.get("mode") == "hangonce" for r in self.https.events()), what="the hung request")
        # the SFTP copy of the same file is not what this is about: let it finish first
        wait_until(lambda: any(x["channel"] == "customs-sftp" and x["status"] == "sent" for x in self.deliveries()), what="the SFTP delivery")
        t0 = time.monotonic()
        self.daemon.send_signal(signal.SIGTERM)
        self.assertEqual(self.daemon.wait(timeout=30), 0)
        self.assertLess(time.monotonic() - t0, 5, "stopped without waiting for the timeout")
        [d] = [x for x in self.deliveries() if x["channel"] == "legacy-https"]
        self.assertEqual((d["status"], d["attempts"]), ("pending", 0), "a stop is not a failed attempt")
        self.assertEqual(len(self.events("interrupted")), 1)
        time.sleep(0.5)
        self.once(config, expect=0)
        self.assertEqual(len(self.https.stored()), 1)
        self.check_oracle()

    def test_a_delivery_past_its_lifetime_fails_with_an_alert(self):
        self.sftp.down()
        config = self.config(sftp={"lifetime_hours": 0.0002})  # 0.72 s
        drop(self.base / "in", "m1.edi", manifest("REF081"))
        self.once(config, expect=(1, 3))  # 1 when a loaded machine already took longer than the lifetime
        time.sleep(1)
        report, log = self.once(config, expect=1)
        [d] = [x for x in self.deliveries() if x["channel"] == "customs-sftp"]
        self.assertEqual(d["status"], "failed")
        self.assertIn("not sent within 0.72 s", d["text"])
        self.assertIn("curl 7", d["text"], "the last reason is kept")
        self.assertIn("event=alert", log)
        self.assertTrue(any("failed" in a for a in self.events("alert")))

    def test_a_key_the_server_does_not_accept_pauses_the_channel_with_an_alert(self):
        other = self.base / "other_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
        config = self.config(sftp={"key_file": other})
        drop(self.base / "in", "m1.edi", manifest("REF091"))
        report, log = self.once(config, expect=3)
        [d] = [x for x in self.deliveries() if x["channel"] == "customs-sftp"]
        self.assertEqual(d["status"], "pending")
        self.assertIn("refused our key other_key", d["text"])
        self.assertIn("event=alert", log)
        self.assertEqual(list(self.sftp.upload_dir.iterdir()), [])

    def test_a_remote_folder_we_may_not_write_pauses_the_channel_then_delivers(self):
        # root (the test's SFTP user) may write anywhere; an immutable folder refuses even root (EPERM)
        if subprocess.run(["chattr", "+i", str(self.sftp.upload_dir)]).returncode != 0:
            self.skipTest("chattr +i is not available on this file system")
        try:
            config = self.config(sftp={"receipts": None})
            drop(self.base / "in", "m1.edi", manifest("REF101"))
            report, log = self.once(config, expect=3)
            [d] = [x for x in self.deliveries() if x["channel"] == "customs-sftp"]
            self.assertEqual(d["status"], "pending", "every delivery of the channel would meet the same refusal")
            self.assertIn("permissions", d["text"])
            self.assertIn("event=alert", log)
        finally:
            subprocess.run(["chattr", "-i", str(self.sftp.upload_dir)])
        time.sleep(0.5)
        self.once(config, expect=0)
        self.check_oracle()

    def test_a_key_readable_by_others_is_refused_by_check_config(self):
        key = self.base / "loose_key"
        key.write_bytes(Path(self.sftp.client_key).read_bytes())
        key.chmod(0o644)
        r = self.edigate("check-config", self.config(sftp={"key_file": key}))
        self.assertEqual(r.returncode, 2)
        self.assertIn("may be read by others", r.stdout + r.stderr)

    def test_connection_cut_mid_upload_and_no_answer_are_sent_again_once(self):
        # SFTP through a proxy that cuts the first connection; HTTPS to a server that stores the
        # body but never answers the first time (the outcome is unknown to us)
        proxy = servers.FaultProxy(self.sftp.port, cut_after=4000, faulty_connections=1).start()
        try:
            config = self.config(sftp={"known_hosts": self.sftp.known_hosts_for(proxy.port), "receipts": None}, sftp_port=proxy.port,
                                 https={"url": f"https://127.0.0.1:{self.https.port}/hangonce/", "timeout_s": 2})
            drop(self.base / "in", "m1.edi", manifest("REF041"))
            self.once(config, expect=(0, 3))  # 0 when the retry came within this run (a loaded machine)
            d = {x["channel"]: x for x in self.deliveries()}
            # (the customs courier may already have retried while the run waited for the HTTPS timeout)
            self.assertIn("cut", [e.get("event") for e in proxy.events()])
            self.assertTrue(any("outcome is unknown" in e for e in self.events("deferred")), self.events("deferred"))
            time.sleep(0.5)
            self.once(config, expect=0)
        finally:
            proxy.stop()
        d = {x["channel"]: x for x in self.deliveries()}
        self.assertEqual({k: v["status"] for k, v in d.items()}, {"customs-sftp": "sent", "legacy-https": "sent"})
        self.assertTrue(all(v["attempts"] >= 2 for v in d.values()), d)  # (more when a loaded machine is slower than the timeouts)
        self.assertEqual(len(self.https.stored()), 1, "the body the first attempt left is the one copy")
        self.check_oracle()

    def test_remote_disk_full_defers_then_delivers(self):
        with servers.small_tmpfs("256k") as disk:
            self.sftp.stop()
            self.sftp = servers.SftpServer(disk).start()
            filler = disk / "filler"
            try:
                with open(filler, "wb") as f:
                    f.write(b"x" * (1 << 20))
            except OSError:
                pass
            config = self.config(sftp={"receipts": None})
            drop(self.base / "in", "m1.edi", manifest("REF051"))
            self.once(config, expect=3)
            [d] = [x for x in self.deliveries() if x["channel"] == "customs-sftp"]
            self.assertEqual(d["status"], "pending")
            self.assertEqual([p.name for p in self.sftp.upload_dir.iterdir() if not p.name.startswith(".")], [], "no partial file")
            filler.unlink()
            time.sleep(0.5)
            self.once(config, expect=0)
            self.check_oracle()
            self.sftp.stop()

    def test_sigkill_during_an_upload_then_restart_delivers_once(self):
        # The proxy stalls the first connection mid-upload (a black hole): the daemon is killed
        # while its attempt hangs; at restart the attempt is found cut off and sent again.
        proxy = servers.FaultProxy(self.sftp.port, stall_after=6000, faulty_connections=1).start()
        try:
            config = self.config(sftp={"known_hosts": self.sftp.known_hosts_for(proxy.port), "low_speed_time_s": 30, "receipts": None},
                                 sftp_port=proxy.port)
            drop(self.base / "in", "m1.edi", manifest("REF061"))
            self.start_daemon(config)
            wait_until(lambda: any(x["status"] == "sending" for x in self.deliveries()), what="an upload in progress")
            wait_until(lambda: any(e.get("event") == "stall" for e in proxy.events()), what="the stall")
            self.daemon.send_signal(signal.SIGKILL)
            self.daemon.wait()
            [d] = [x for x in self.deliveries() if x["channel"] == "customs-sftp"]
            self.assertEqual(d["status"], "sending")
            self.start_daemon(config)
            wait_until(lambda: all(x["status"] == "sent" for x in self.deliveries()), what="sent after the restart")
            self.daemon.send_signal(signal.SIGTERM)
            self.assertEqual(self.daemon.wait(timeout=30), 0)
        finally:
            proxy.stop()
        [d] = [x for x in self.deliveries() if x["channel"] == "customs-sftp"]
        self.assertEqual(d["attempts"], 1, "the cut-off attempt was never recorded; the one after the restart was")
        self.assertIn("deliveries-resumed", (self.base / "daemon.log").read_text())
        self.assertEqual(len(list(self.sftp.upload_dir.glob("*.xml"))), 1)
        self.check_oracle()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--edigate", required=True)
    args, rest = parser.parse_known_args()
    EDIGATE = str(Path(args.edigate).resolve())
    unittest.main(argv=[sys.argv[0], *rest])
