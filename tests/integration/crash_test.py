#!/usr/bin/env python3
"""Kill -9 harness: the gateway daemon is killed with SIGKILL at random moments while files flow,
and restarted, many times; then it runs until every input is finished, and the oracle is checked:

- every input reached exactly one terminal state, the one a run without kills gives (control run);
- every input is archived once under that state; the inboxes and the claimed folder are empty;
- every output exists exactly once, has its row, no temporary is left; each input has the same
  outputs as in the control run, with the same content (digit runs of 6 or more, the times and
  stamps that differ between two runs, are masked before comparing);
- the database passes PRAGMA integrity_check.

With --deliver the outputs also go to a real sshd (customs, SFTP) and a real HTTPS server
(legacy) on loopback while the kills happen, and the oracle adds: every output was delivered,
exactly once, under its name, with its bytes; each HTTPS delivery was stored once (its
Idempotency-Key held across attempts); nothing is left "sending" or pending.

    tests/integration/crash_test.py --edigate build/test/src/cli/edigate --runs 200 [--deliver]   # the long tier
The ctest entries run 20 kills (the short tier), without and with delivery. Prints the figures at the end.
"""
import argparse
import hashlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway_test as g  # noqa: E402  (the helpers: config, drop, rows, oracle)
import servers  # noqa: E402


def inputs(count, rng):
    """Distinct inputs: mostly good manifests, some with a broken segment count (rejected)."""
    out = []
    for k in range(count):
        data = g.manifest(f"KILL{k:06d}")
        if rng.random() < 0.15:
            data = data.replace(b"UNT+", b"UNT+9", 1)
        out.append((f"in-{k:05d}.edi", data))
    return out


def outputs_by_input(work):
    """input name -> {(message, mapping file suffix): masked sha256} from the database."""
    import sqlite3
    db = sqlite3.connect(f"file:{work / 'edigate.db'}?mode=ro", uri=True)
    found = {}
    for name, work_name, path in db.execute(
            "SELECT f.name, f.work_name, o.path FROM outputs o JOIN messages m ON m.id = o.message_id "
            "JOIN interchanges i ON i.id = m.interchange_id JOIN files f ON f.id = i.file_id WHERE o.status = 'written'"):
        suffix = Path(path).name[len(Path(work_name).stem):]
        masked = re.sub(rb"\d{6,}", b"#", Path(path).read_bytes())
        found.setdefault(name, {})[suffix] = hashlib.sha256(masked).hexdigest()
    db.close()
    return found


def unsent(work):
    """Deliveries not yet sent (pending, sending); [] when there are none or no table yet."""
    import sqlite3
    try:
        db = sqlite3.connect(f"file:{work / 'edigate.db'}?mode=ro", uri=True)
    except sqlite3.Error:
        return [1]
    try:
        return db.execute("SELECT id FROM deliveries WHERE status NOT IN ('sent', 'delivered')").fetchall()
    except sqlite3.Error:
        return [1]
    finally:
        db.close()


def check_deliveries(t, work, sftp, https):
    """Every output of an agency with a channel was delivered once, under its name, with its bytes."""
    import sqlite3
    db = sqlite3.connect(f"file:{work / 'edigate.db'}?mode=ro", uri=True)
    rows = db.execute("SELECT d.channel, d.status, d.remote_name, o.path FROM deliveries d JOIN outputs o ON o.id = d.output_id").fetchall()
    outputs = db.execute("SELECT path FROM outputs WHERE status = 'written'").fetchall()
    db.close()
    t.assertEqual(len(rows), len(outputs), "one delivery per output")
    t.assertEqual({s for _, s, _, _ in rows}, {"sent"})
    remote = {p.name: p.read_bytes() for p in sftp.upload_dir.iterdir() if not p.name.startswith(".")}
    stored = https.stored()
    want_sftp = {name: Path(path).read_bytes() for ch, _, name, path in rows if ch == "customs-sftp"}
    want_https = {name: Path(path).read_bytes() for ch, _, name, path in rows if ch == "legacy-https"}
    t.assertEqual(sorted(remote), sorted(want_sftp), "the SFTP server holds each customs output once, nothing else")
    t.assertEqual(sorted(stored), sorted(want_https), "the HTTPS server holds each legacy output, nothing else")
    for name, data in want_sftp.items():
        t.assertEqual(remote[name], data, f"{name}: the bytes sent are the output's")
    for name, data in want_https.items():
        t.assertEqual(stored[name], data, f"{name}: the bytes sent are the output's")
    per_name = {}
    for r in https.requests():
        if r.get("stored"):
            per_name[r["name"]] = per_name.get(r["name"], 0) + 1
    t.assertEqual({n for n, c in per_name.items() if c > 1}, set(), "an HTTPS delivery stored twice")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edigate", required=True)
    ap.add_argument("--runs", type=int, default=20, help="kills (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-delay", type=float, default=0.4, help="longest time before a kill, seconds")
    ap.add_argument("--deliver", action="store_true", help="deliver to a loopback sshd and HTTPS server while killing")
    args = ap.parse_args()
    g.EDIGATE = str(Path(args.edigate).resolve())
    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="edigate-crash-"))
    t = unittest.TestCase()
    try:
        partners = [("LYGHHSA", "manifest", 'profile = "LYGHHSA"\nset = { customs_code = "2305138764521", dxp_id = "DXPENT0000458762" }')]
        files = inputs(args.runs * 3, rng)
        # Control: the same inputs through the batch job, no kills.
        control_base = base / "control"
        control_base.mkdir()
        ccfg = g.write_config(control_base, partners=partners)
        for name, data in files:
            g.drop(control_base / "spool/LYGHHSA/in", name, data)
        g.edigate("run", "--config", ccfg, "--once")
        control_states = g.rows(control_base / "work")
        control_outputs = outputs_by_input(control_base / "work")
        t.assertEqual(len(control_states), len(files))

        # Random kills may cut the same innocent file several times: no poison-file limit here.
        channels, sftp, https = None, None, None
        if args.deliver:
            sftp = servers.SftpServer(base / "remote", lifetime=3600).start()
            https = servers.HttpsServer(base / "https-store", lifetime=3600).start()
            channels = ["", "[[channel]]", 'name = "customs-sftp"', 'type = "sftp"', 'agency = "customs"', 'host = "127.0.0.1"',
                        f"port = {sftp.port}", f'user = "{sftp.user}"', f'key_file = "{sftp.client_key}"',
                        f'known_hosts = "{sftp.known_hosts}"', f'folder = "{sftp.upload_dir}"', "retry_min_ms = 50", "retry_max_ms = 200",
                        "", "[[channel]]", 'name = "legacy-https"', 'type = "https"', 'agency = "legacy"',
                        f'url = "https://127.0.0.1:{https.port}/ok/"', f'ca_file = "{https.ca_cert}"', "retry_min_ms = 50",
                        "retry_max_ms = 200"]
        cfg = g.write_config(base, partners=partners, channels=channels, scan_interval_ms=50, max_attempts=1000000)
        work, inbox = base / "work", base / "spool/LYGHHSA/in"
        pending = list(files)
        kills, started = 0, time.monotonic()
        for run in range(args.runs):
            for _ in range(rng.randint(0, 5)):
                if pending:
                    g.drop(inbox, *pending.pop(0))
            d = subprocess.Popen([g.EDIGATE, "run", "--config", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, args.max_delay))
            d.send_signal(signal.SIGKILL)
            d.wait()
            kills += 1
        for item in pending:
            g.drop(inbox, *item)
        # Finally a run that is not killed: everything must reach its state.
        log = open(base / "final.log", "w+")
        d = subprocess.Popen([g.EDIGATE, "run", "--config", str(cfg)], stdout=subprocess.DEVNULL, stderr=log)
        try:
            g.wait_until(lambda: len(g.rows(work)) == len(files) and set(g.rows(work).values()) <= g.TERMINAL and not unsent(work),
                         timeout=120, what="every input to reach a terminal state (and every delivery to be sent)")
        finally:
            d.send_signal(signal.SIGTERM)
            t.assertEqual(d.wait(timeout=30), 0)
        states = g.rows(work)
        t.assertEqual(states, control_states, "each input ends in the state of the control run")
        t.assertEqual(list(inbox.iterdir()), [])
        t.assertEqual(list((work / "claimed/LYGHHSA").iterdir()), [])
        g.check_oracle(t, work)
        t.assertEqual(outputs_by_input(work), control_outputs, "the same outputs, with the same content, as the control run")
        if args.deliver:
            check_deliveries(t, work, sftp, https)
            sftp.stop()
            https.stop()
        import sqlite3
        db = sqlite3.connect(f"file:{work / 'edigate.db'}?mode=ro", uri=True)
        resumed_total = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'resumed'").fetchone()[0]
        delivered_total = db.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'").fetchone()[0]
        retried_total = sum(int(t.split()[0]) for (t,) in db.execute("SELECT text FROM events WHERE kind = 'deliveries-resumed'"))  # noqa: E501
        already_total = db.execute("SELECT COUNT(*) FROM deliveries WHERE text LIKE '%already%'").fetchone()[0]
        db.close()
        by_state = {s: list(states.values()).count(s) for s in sorted(set(states.values()))}
        print(f"crash_test: {kills} kills (SIGKILL after 0-{args.max_delay:.1f} s), {len(files)} inputs {by_state}, "
              f"{resumed_total} resumed after a kill, {sum(len(v) for v in control_outputs.values())} outputs, "
              + (f"{delivered_total} delivered over SFTP/HTTPS ({retried_total} attempts cut off by a kill and resumed, "
                 f"{already_total} found already there), " if args.deliver else "")
              + f"0 violations, {time.monotonic() - started:.1f} s")
        return 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
