"""What sftp_test.py and https_test.py share: running the transfer probe
(tests/integration/transfer_probe.cpp) and their command line (--probe PATH, then unittest's)."""
import argparse
import json
import subprocess
import sys
import unittest

PROBE = None


def run(args, timeout=120):
    """Runs the probe with `args`; returns (one result dict per file sent, connections opened)."""
    r = subprocess.run([PROBE, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"transfer_probe exited {r.returncode}\n{r.stdout}\n{r.stderr}")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    return lines[:-1], lines[-1]["connections"]


def main():
    global PROBE
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe", required=True, help="the transfer_probe executable")
    args, rest = ap.parse_known_args()
    PROBE = args.probe
    unittest.main(module="__main__", argv=[sys.argv[0], *rest], verbosity=2)
