#!/usr/bin/env python3
"""SFTP uploads through transfer::sftp_session (libcurl) against a real OpenSSH sshd on loopback
(servers.SftpServer: its own host key, a test user key, internal-sftp). The RELIABILITY.md
transport and host-key cases this layer decides:

- uploads appear under their name only complete (a .part name, then a rename), several files over
  one SSH connection;
- a changed host key, an unknown one (wrong known_hosts) and an empty known_hosts refuse the
  transfer and say so; nothing arrives;
- server down: transient, nothing arrives; up again: sent;
- a retried upload whose earlier rename went through is recognised (same bytes: sent, no second
  copy); other bytes under that name are never overwritten;
- a key the server does not accept, a folder that does not exist: for an operator.

    sftp_test.py --probe build/test/tests/transfer_probe
"""
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import servers  # noqa: E402
from probe import main as probe_main, run as run_probe  # noqa: E402


def probe(server, known_hosts, *uploads, folder=None, key=None, timeout=60):
    """Sends NAME=FILE over one session; returns (per-file results, connections opened)."""
    return run_probe(["sftp", "--port", server.port, "--user", server.user, "--key", key or server.client_key,
                      "--known-hosts", known_hosts, "--folder", folder or server.upload_dir, "--connect-timeout", "5",
                      *[f"{name}={path}" for name, path in uploads]], timeout)


class Sftp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = Path(tempfile.mkdtemp(prefix="edigate-sftp-test-"))
        cls.server = servers.SftpServer(cls.base / "remote").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        subprocess.run(["rm", "-rf", str(cls.base)])

    def local(self, name, text):
        p = self.base / name
        p.write_bytes(text)
        return p

    def remote(self):
        return sorted(p.name for p in self.server.upload_dir.iterdir())

    def tearDown(self):
        for p in self.server.upload_dir.iterdir():
            p.unlink()

    def test_files_arrive_complete_over_one_connection(self):
        files = [(f"MT1101-{k}.xml", self.local(f"a{k}", f"<Manifest n='{k}'/>\n".encode() * 500)) for k in range(5)]
        results, connections = probe(self.server, self.server.known_hosts, *files)
        self.assertEqual([r["outcome"] for r in results], ["sent"] * 5, results)
        self.assertEqual(self.remote(), sorted(n for n, _ in files), "no .part left, every file under its name")
        for name, path in files:
            self.assertEqual((self.server.upload_dir / name).read_bytes(), path.read_bytes())
        self.assertEqual(connections, 1, "one SSH connection for the five files")

    def test_unknown_changed_or_missing_host_keys_are_refused(self):
        f = self.local("k", b"UNB+UNOC:3+X+Y'\n")
        empty = self.base / "empty_known_hosts"
        empty.write_text("")
        for known_hosts, says in ((self.server.wrong_known_hosts(), "CHANGED"), (empty, "missing or empty"),
                                  (self.base / "no-such-file", "missing or empty")):
            results, _ = probe(self.server, known_hosts, ("k.edi", f))
            self.assertEqual(results[0]["outcome"], "needs-operator", results)
            self.assertIn(says, results[0]["text"])
            self.assertEqual(self.remote(), [], "nothing arrives at an untrusted server")
        # a host key the known_hosts file does not mention at all (another host:port entry only)
        other = self.base / "other_host_known_hosts"
        other.write_text(self.server.known_hosts.read_text().replace(f"]:{self.server.port} ", f"]:{self.server.port + 1} "))
        self.assertNotIn(f"]:{self.server.port} ", other.read_text())
        results, _ = probe(self.server, other, ("k.edi", f))
        self.assertEqual((results[0]["outcome"], results[0]["curl"]), ("needs-operator", 60), results)
        self.assertIn("is not in", results[0]["text"])

    def test_server_down_is_transient_then_sent(self):
        f = self.local("d", b"<Declaration/>\n")
        self.server.down()
        try:
            results, _ = probe(self.server, self.server.known_hosts, ("DEC-1.xml", f))
            self.assertEqual((results[0]["outcome"], results[0]["curl"]), ("transient", 7), results)
        finally:
            self.server.start()
        results, _ = probe(self.server, self.server.known_hosts, ("DEC-1.xml", f))
        self.assertEqual(results[0]["outcome"], "sent", results)
        self.assertEqual(self.remote(), ["DEC-1.xml"])

    def test_a_retry_after_an_unrecorded_rename_gives_no_second_copy(self):
        f = self.local("r", b"<Manifest>retry</Manifest>\n")
        results, _ = probe(self.server, self.server.known_hosts, ("MT-R.xml", f), ("MT-R.xml", f))
        self.assertEqual([r["outcome"] for r in results], ["sent", "sent"], results)
        self.assertEqual([r["already_there"] for r in results], [False, True], results)
        self.assertEqual(self.remote(), ["MT-R.xml"], "one copy, no .part left")
        # other bytes under the same name: never overwritten
        g = self.local("r2", b"<Manifest>other</Manifest>\n")
        results, _ = probe(self.server, self.server.known_hosts, ("MT-R.xml", g))
        self.assertEqual(results[0]["outcome"], "needs-operator", results)
        self.assertIn("different file", results[0]["text"])
        self.assertEqual((self.server.upload_dir / "MT-R.xml").read_bytes(), f.read_bytes())
        self.assertEqual(self.remote(), ["MT-R.xml"])

    def test_rejected_key_missing_folder_and_bad_names_need_an_operator(self):
        f = self.local("o", b"x\n")
        stranger = self.base / "stranger_ed25519"
        if not stranger.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
        results, _ = probe(self.server, self.server.known_hosts, ("o.edi", f), key=stranger)
        self.assertEqual((results[0]["outcome"], results[0]["curl"]), ("needs-operator", 67), results)
        self.assertNotIn(str(stranger), results[0]["text"], "the key's path is not printed, only its name")
        results, _ = probe(self.server, self.server.known_hosts, ("o.edi", f), folder=self.server.upload_dir / "no-such-folder")
        self.assertEqual(results[0]["outcome"], "needs-operator", results)
        results, _ = probe(self.server, self.server.known_hosts, ("../o.edi", f), (".hidden", f), ("a b.edi", f))
        self.assertEqual([r["outcome"] for r in results], ["needs-operator"] * 3, results)
        self.assertEqual(self.remote(), [])


if __name__ == "__main__":
    probe_main()
