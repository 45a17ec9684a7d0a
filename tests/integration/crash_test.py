#!/usr/bin/env python3
"""Kill -9 harness: the gateway daemon is killed with SIGKILL at random moments while files flow,
and restarted, many times; then it runs until every input is finished, and the oracle is checked:

- every input reached exactly one terminal state, the one a run without kills gives (control run);
- every input is archived once under that state; the inboxes and the claimed folder are empty;
- every output exists exactly once, has its row, no temporary is left; each input has the same
  outputs as in the control run, with the same content (digit runs of 6 or more, the times and
  stamps that differ between two runs, are masked before comparing);
- the database passes PRAGMA integrity_check.

    tests/integration/crash_test.py --edigate build/test/src/cli/edigate --runs 200   # the long tier
The ctest entry runs 20 kills (the short tier). Prints the figures at the end.
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edigate", required=True)
    ap.add_argument("--runs", type=int, default=20, help="kills (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-delay", type=float, default=0.4, help="longest time before a kill, seconds")
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
        cfg = g.write_config(base, partners=partners, scan_interval_ms=50, max_attempts=1000000)
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
            g.wait_until(lambda: len(g.rows(work)) == len(files) and set(g.rows(work).values()) <= g.TERMINAL, timeout=120,
                         what="every input to reach a terminal state")
        finally:
            d.send_signal(signal.SIGTERM)
            t.assertEqual(d.wait(timeout=30), 0)
        states = g.rows(work)
        t.assertEqual(states, control_states, "each input ends in the state of the control run")
        t.assertEqual(list(inbox.iterdir()), [])
        t.assertEqual(list((work / "claimed/LYGHHSA").iterdir()), [])
        g.check_oracle(t, work)
        t.assertEqual(outputs_by_input(work), control_outputs, "the same outputs, with the same content, as the control run")
        import sqlite3
        db = sqlite3.connect(f"file:{work / 'edigate.db'}?mode=ro", uri=True)
        resumed_total = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'resumed'").fetchone()[0]
        db.close()
        by_state = {s: list(states.values()).count(s) for s in sorted(set(states.values()))}
        print(f"crash_test: {kills} kills (SIGKILL after 0-{args.max_delay:.1f} s), {len(files)} inputs {by_state}, "
              f"{resumed_total} resumed after a kill, {sum(len(v) for v in control_outputs.values())} outputs, "
              f"0 violations, {time.monotonic() - started:.1f} s")
        return 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
