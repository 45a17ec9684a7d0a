#!/usr/bin/env python3
"""The gateway under load: N small CUSCAR files (gen_edifact.py --files N --type cuscar) dropped
at once into one partner's inbox (renamed in, as a forwarder does), processed by the daemon along
the `bills` route (parse, D96A validation, mapping, CSV output fsync'ed and renamed, tracking
commits) into the local outbound folder. Figures: files/s from the first drop to the last
terminal state, latency from a file's drop to its terminal state (p50, p99, from the tracking
store's times), the daemon's peak RSS and CPU time per file (GNU time), terminal states.

With --deliver sftp|https the outputs also go to a real server on loopback (OpenSSH sshd or the
HTTPS test server of tests/integration/servers.py) through the channel's courier, and the figures
run to the last delivery sent: files/s end to end, drop-to-sent latency, connections opened.

    tests/bench/gateway_bench.py --edigate EDIGATE --files DIR [--work DIR] [--workers 2] [--deliver sftp|https]
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edigate", required=True)
    ap.add_argument("--files", required=True, help="folder of generated files")
    ap.add_argument("--work", default="build/bench-data/gateway", help="scratch folder (emptied)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--deliver", choices=["sftp", "https"], help="send the outputs to a loopback server through this channel type")
    args = ap.parse_args()
    base = Path(args.work).resolve()
    shutil.rmtree(base, ignore_errors=True)
    inbox, stage = base / "spool/in", base / "spool/stage"
    inbox.mkdir(parents=True)
    stage.mkdir(parents=True)
    cfg = base / "gateway.toml"
    channel, server = "", None
    if args.deliver:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
        import servers  # noqa: E402
        if args.deliver == "sftp":
            server = servers.SftpServer(base / "remote", lifetime=3600).start()
            channel = (f'[[channel]]\nname = "bench-sftp"\ntype = "sftp"\nagency = "legacy"\nhost = "127.0.0.1"\nport = {server.port}\n'
                       f'user = "{server.user}"\nkey_file = "{server.client_key}"\nknown_hosts = "{server.known_hosts}"\n'
                       f'folder = "{server.upload_dir}"\nbatch = 256\n')
        else:
            server = servers.HttpsServer(base / "remote", lifetime=3600).start()
            channel = (f'[[channel]]\nname = "bench-https"\ntype = "https"\nagency = "legacy"\n'
                       f'url = "https://127.0.0.1:{server.port}/ok/"\nca_file = "{server.ca_cert}"\nbatch = 256\n')
    cfg.write_text(f'[gateway]\nwork = "{base / "work"}"\nsettle_ms = 0\nscan_interval_ms = 1000\nworkers = {args.workers}\n'
                   f'[[partner]]\nname = "BENCH"\ninbox = "{inbox}"\nroute = "bills"\n' + channel)
    names = sorted(n for n in os.listdir(args.files) if not n.startswith("."))
    for n in names:  # staged on the same file system, so that the drop itself is a rename
        shutil.copyfile(Path(args.files) / n, stage / n)
    total_bytes = sum((stage / n).stat().st_size for n in names)
    log = open(base / "daemon.log", "w+")
    rss_file = base / "rss.txt"
    d = subprocess.Popen(["/usr/bin/time", "-f", "%M %U %S", "-o", str(rss_file), args.edigate, "run", "--config", str(cfg)],
                         stdout=subprocess.DEVNULL, stderr=log)
    while "event=started" not in (base / "daemon.log").read_text():
        if d.poll() is not None:
            sys.exit("the daemon did not start:\n" + (base / "daemon.log").read_text())
        time.sleep(0.05)
    dropped = {}
    t0 = time.time()
    for n in names:
        os.rename(stage / n, inbox / n)
        dropped[n] = time.time()
    db_path = base / "work/edigate.db"
    while True:
        time.sleep(0.2)
        try:
            db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            left = db.execute("SELECT COUNT(*) FROM files WHERE state IN ('received', 'processing')").fetchone()[0]
            have = db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
            db.close()
        except sqlite3.Error:
            continue
        if have == len(names) and left == 0 and not args.deliver:
            break
        if have == len(names) and left == 0:
            try:
                db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
                waiting = db.execute("SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending')").fetchone()[0]
                db.close()
            except sqlite3.Error:
                continue
            if waiting == 0:
                break
    pid = int((base / "daemon.log").read_text().split(" pid=")[1].split()[0])  # edigate itself, not GNU time
    os.kill(pid, signal.SIGTERM)
    d.wait()
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    rows = db.execute("SELECT name, state, updated_at FROM files").fetchall()
    if args.deliver:  # a file is done when its (one) output is sent
        rows = db.execute("SELECT f.name, d.status, MAX(d.at) FROM files f JOIN deliveries d ON d.file_id = f.id GROUP BY f.id").fetchall()
    db.close()

    def seconds(iso):
        return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()

    done = {n: seconds(u) for n, _, u in rows}
    latencies = sorted(max(0.0, done[n] - dropped[n]) for n in names)
    last = max(done.values())
    states = {}
    for _, s, _ in rows:
        states[s] = states.get(s, 0) + 1
    figures = {
        "files": len(names), "bytes": total_bytes, "workers": args.workers,
        "seconds": round(last - t0, 2), "files_per_s": round(len(names) / (last - t0), 1),
        "mb_per_s": round(total_bytes / 1e6 / (last - t0), 1),
        "latency_p50_s": round(latencies[len(latencies) // 2], 3), "latency_p99_s": round(latencies[int(len(latencies) * 0.99)], 3),
        "peak_rss_mib": round(int(rss_file.read_text().split()[-3]) / 1024, 1), "states": states,
        "daemon_cpu_ms_per_file": round((float(rss_file.read_text().split()[-2]) + float(rss_file.read_text().split()[-1])) * 1000 / len(names), 3),
        "outputs": sum(1 for _ in (base / "work/outbound/BENCH").iterdir()),
    }
    if args.deliver:
        log_text = (base / "daemon.log").read_text()
        figures["delivered_to"] = args.deliver
        figures["connections"] = sum(int(x.split()[0]) for x in log_text.split(" connections=")[1:])
        figures["on_server"] = len([p for p in (server.upload_dir if args.deliver == "sftp" else server.store_dir).iterdir()
                                    if not p.name.startswith(".")])
        server.stop()
    print(json.dumps(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
    # Removed after the run, not before the next: ext4 looks for a free inode more slowly while
    # many were deleted moments ago, which would slow the next run's first seconds.
    shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
