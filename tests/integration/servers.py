#!/usr/bin/env python3
"""Real servers on loopback for the delivery tests: an OpenSSH SFTP server, an HTTPS fault server
and a TCP fault proxy, each started and stopped by the test that uses it (stdlib only).

    with SftpServer(tmp / "sftp") as sftp, HttpsServer(tmp / "store") as https:
        ... sftp.url("/upload/x.edi"), sftp.known_hosts, https.url("/ok/x.edi"), https.ca_cert ...

Every server runs as a child process we own by PID, on 127.0.0.1 only, and ends on its own:
- stop() (or leaving the with block) ends it by PID, with every process it forked;
- if the test process dies (even by SIGKILL), the kernel sends the server SIGTERM (parent-death
  signal), so start servers from the thread that lives as long as the test (the main thread);
- every server has a hard lifetime (`lifetime` seconds, default 300), after which it exits anyway;
- an atexit hook stops whatever is still running when the interpreter exits normally.

The HTTPS server and the proxy are this same file run as `servers.py _https CONFIG` and
`servers.py _proxy CONFIG`. See README-servers.md for what each fixture gives.
"""
import atexit
import base64
import contextlib
import ctypes
import hashlib
import http.server
import json
import os
import re
import pwd
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid
from pathlib import Path

HERE = Path(__file__).resolve()
SSHD = "/usr/sbin/sshd"  # sshd must be started by its absolute path
DEFAULT_LIFETIME = 300
KEEP = os.environ.get("EDIGATE_KEEP_SERVERS") == "1"  # keep the servers' work folders for a post-mortem

_LIVE = set()


class ServerError(RuntimeError):
    pass


def free_port():
    """A free TCP port on 127.0.0.1 (bind port 0, read it back, close). Another process may take it
    before we use it: the servers that bind themselves (HTTPS, proxy) bind port 0 directly instead."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def descendants(pid):
    """Every living process below `pid` (children, their children, ...), found through /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] not in ("Z", "X"):
            children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _signal(pid, sig):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _wait_gone(pids, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.02)
    return not any(alive(p) for p in pids)


def _run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=60, **kw)
    if r.returncode != 0:
        raise ServerError(f"{' '.join(map(str, cmd))} exited {r.returncode}\n{r.stdout}{r.stderr}")
    return r


def _tail(path, lines=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class _Server:
    """start()/stop(), a context manager, stop by PID, the atexit safety net. `pids` lists every
    PID the server ever had (for the test's check that nothing is left running)."""

    prefix = "edigate-server-"

    def __init__(self, lifetime=DEFAULT_LIFETIME, keep=KEEP):
        self.lifetime = lifetime
        self.keep = keep
        self.workdir = None
        self.proc = None
        self.pids = []

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _make_workdir(self):
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix=self.prefix))
        _LIVE.add(self)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _main_pids(self):
        return [self.proc.pid] if self.proc else []

    def _stop_processes(self):
        """SIGTERM to the server and everything it forked, SIGKILL after 3 s, reap our child."""
        if self.proc is None:
            return
        mains = [p for p in self._main_pids() if alive(p)]
        tree = []
        for p in mains:
            tree += descendants(p)
        self.pids += [p for p in mains + tree if p not in self.pids]
        for p in mains + tree:
            _signal(p, signal.SIGTERM)
        if not _wait_gone(mains + tree, 3):
            for p in mains + tree + descendants(self.proc.pid):
                _signal(p, signal.SIGKILL)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        _wait_gone(mains + tree, 3)
        self.proc = None

    def down(self):
        """Stop the server but keep its port, keys, certificates and logs: start() brings it back on
        the same port (the "server down, then up again" case; a client gets connection refused)."""
        self._stop_processes()

    def stop(self):
        self._stop_processes()
        _LIVE.discard(self)
        if self.workdir is not None and not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
            self._forget()

    def _forget(self):
        """After the work folder is gone: a later start() begins afresh (new port, keys, certs)."""
        self.port = None


@atexit.register
def _stop_all():
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop()


# --------------------------------------------------------------------------------------------
# SFTP: OpenSSH sshd on a loopback port with throwaway ed25519 keys


def _ssh_keygen(path, comment):
    path = Path(path)
    for p in (path, path.with_name(path.name + ".pub")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
    return path


def _pub_fields(pub_path):
    """'ssh-ed25519 AAAA...' (key type and base64 blob, without the comment)."""
    return " ".join(Path(pub_path).read_text().split()[:2])


class SftpServer(_Server):
    """OpenSSH sshd on 127.0.0.1:<port> that serves SFTP only (internal-sftp), public-key login as
    the current user. Paths are absolute: upload into `upload_dir` (root_dir/upload).

    port, user, client_key, client_pub      what a client needs to log in
    known_hosts                             a known_hosts file pinning the current host key
    host_key_sha256 / host_key_md5          the host key fingerprint (curl --hostpubsha256, libcurl
                                            CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256 / _MD5)
    wrong_known_hosts()                     a known_hosts with another key for the same host:port
    known_hosts_for(port)                   the right key for another port (e.g. through a FaultProxy)
    rotate_host_key()                       restart on the same port with a new host key
    url(path), ssh_options(), sftp_batch(commands), curl_args()
    """

    prefix = "edigate-sftp-"

    def __init__(self, root_dir, lifetime=DEFAULT_LIFETIME, port=None, keep=KEEP):
        super().__init__(lifetime, keep)
        self.root_dir = Path(root_dir).resolve()
        self.upload_dir = self.root_dir / "upload"
        self.user = pwd.getpwuid(os.geteuid()).pw_name
        self.port = port
        self._fixed_port = port is not None
        self.generation = 0
        self.sshd_pid = None
        self.known_hosts = None

    # paths inside the work folder
    @property
    def keys(self):
        return self.workdir / "keys"

    @property
    def client_key(self):
        return self.keys / "client_ed25519"

    @property
    def client_pub(self):
        return self.keys / "client_ed25519.pub"

    @property
    def host_key(self):
        return self.keys / f"host_ed25519.{self.generation}"

    @property
    def host_pub(self):
        return self.keys / f"host_ed25519.{self.generation}.pub"

    @property
    def log(self):
        return self.workdir / "sshd.log"

    def start(self):
        if self.running():
            return self
        self._make_workdir()
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        self.keys.mkdir(exist_ok=True)
        if not self.client_key.exists():
            _ssh_keygen(self.client_key, "edigate-test-client")
            shutil.copy(self.client_pub, self.keys / "authorized_keys")
            os.chmod(self.keys / "authorized_keys", 0o600)
        if not self.host_key.exists():
            _ssh_keygen(self.host_key, "edigate-test-host")
        with contextlib.suppress(PermissionError):
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # the privilege-separation folder sshd expects
        fixed = self._fixed_port or self.known_hosts is not None  # a restart keeps its port
        for attempt in range(5):
            if not fixed and (self.port is None or attempt > 0):
                self.port = free_port()
            if self._launch():
                break
            if fixed and attempt >= 2:
                raise ServerError(f"sshd could not bind 127.0.0.1:{self.port}\n{_tail(self.log)}")
            time.sleep(0.2)
        else:
            raise ServerError(f"sshd did not start\n{_tail(self.log)}")
        self.known_hosts = self.known_hosts_for(self.port, name=f"known_hosts.{self.generation}")
        return self

    def _config(self):
        w = self.workdir
        return "\n".join([
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            "AddressFamily inet",
            f"HostKey {self.host_key}",
            f"PidFile {w}/sshd.pid",
            f"AuthorizedKeysFile {self.keys}/authorized_keys",
            "AuthenticationMethods publickey",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            f"AllowUsers {self.user}",
            "StrictModes no",
            "UsePAM no",
            "UseDNS no",
            "PrintMotd no",
            "AllowTcpForwarding no",
            "X11Forwarding no",
            "LoginGraceTime 15",
            "ClientAliveInterval 5",
            "ClientAliveCountMax 3",
            "MaxStartups 100",
            "Subsystem sftp internal-sftp",
            "ForceCommand internal-sftp",
            "LogLevel VERBOSE",
            "",
        ])

    def _launch(self):
        """Start sshd -D under our Popen (through setpriv for the parent-death signal and timeout for
        the lifetime); True once it listens, False if the port was taken."""
        cfg = self.workdir / "sshd_config"
        cfg.write_text(self._config())
        _run([SSHD, "-t", "-f", cfg])
        pidfile = self.workdir / "sshd.pid"
        with contextlib.suppress(FileNotFoundError):
            pidfile.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.log.rename(self.workdir / f"sshd.log.{time.time_ns()}")
        self.proc = subprocess.Popen(
            ["setpriv", "--pdeathsig", "TERM", "--", "timeout", "-k", "5", str(self.lifetime),
             SSHD, "-D", "-f", str(cfg), "-E", str(self.log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pids.append(self.proc.pid)
        ready = f"Server listening on 127.0.0.1 port {self.port}."
        end = time.monotonic() + 10
        while time.monotonic() < end:
            text = self.log.read_text(errors="replace") if self.log.exists() else ""
            if ready in text and pidfile.exists() and pidfile.read_text().strip():
                self.sshd_pid = int(pidfile.read_text())
                self.pids.append(self.sshd_pid)
                return True
            if self.proc.poll() is not None:
                self.proc = None
                if "Address already in use" in text:
                    return False
                raise ServerError(f"sshd exited at start\n{text}")
            time.sleep(0.02)
        self._stop_processes()
        raise ServerError(f"sshd did not listen within 10 s\n{_tail(self.log)}")

    def _main_pids(self):
        pids = super()._main_pids()
        if self.sshd_pid:
            pids.append(self.sshd_pid)
        return pids

    def _stop_processes(self):
        super()._stop_processes()
        self.sshd_pid = None

    def _forget(self):
        self.known_hosts = None
        self.generation = 0
        if not self._fixed_port:
            self.port = None

    def known_hosts_for(self, port, name=None, key_pub=None):
        """A known_hosts file with the host key (or `key_pub`) for [127.0.0.1]:port and [localhost]:port."""
        key = _pub_fields(key_pub or self.host_pub)
        path = self.keys / (name or f"known_hosts.{self.generation}.port{port}")
        path.write_text(f"[127.0.0.1]:{port} {key}\n[localhost]:{port} {key}\n")
        return path

    def wrong_known_hosts(self):
        """A known_hosts for the same host:port with a different ed25519 key (an impostor's view)."""
        other = _ssh_keygen(self.keys / "other_ed25519", "edigate-test-impostor")
        return self.known_hosts_for(self.port, name="known_hosts.wrong", key_pub=other.with_name(other.name + ".pub"))

    def rotate_host_key(self):
        """Restart on the same port with a brand-new host key: a client holding the old known_hosts
        sees a changed host key. Returns the new known_hosts (also in .known_hosts); the old file
        is left as it was."""
        self._stop_processes()
        self.generation += 1
        self.start()
        return self.known_hosts

    @property
    def host_key_sha256(self):
        blob = base64.b64decode(_pub_fields(self.host_pub).split()[1])
        return base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")

    @property
    def host_key_md5(self):
        blob = base64.b64decode(_pub_fields(self.host_pub).split()[1])
        return hashlib.md5(blob).hexdigest()

    def url(self, path, port=None):
        return f"sftp://{self.user}@127.0.0.1:{port or self.port}{Path(path).resolve()}"

    def ssh_options(self, known_hosts=None, port=None):
        """OpenSSH client options: our key only, strict host-key checking against `known_hosts`,
        nothing from ~/.ssh or /etc/ssh."""
        opts = {
            "Port": port or self.port,
            "User": self.user,
            "IdentityFile": self.client_key,
            "IdentitiesOnly": "yes",
            "UserKnownHostsFile": known_hosts or self.known_hosts,
            "GlobalKnownHostsFile": "/dev/null",
            "StrictHostKeyChecking": "yes",
            "UpdateHostKeys": "no",
            "BatchMode": "yes",
            "ConnectTimeout": 10,
            "ServerAliveInterval": 5,
            "ServerAliveCountMax": 2,
            "LogLevel": "ERROR",
        }
        out = ["-F", "/dev/null"]
        for k, v in opts.items():
            out += ["-o", f"{k}={v}"]
        return out

    def sftp_batch(self, commands, known_hosts=None, port=None, timeout=60):
        """Run the OpenSSH sftp client in batch mode (-b: stops at the first failing command).
        Returns the CompletedProcess (returncode 0 when every command succeeded)."""
        batch = self.workdir / f"batch-{uuid.uuid4().hex[:8]}"
        batch.write_text("\n".join(commands) + "\n")
        try:
            return subprocess.run(["sftp", "-b", str(batch), *self.ssh_options(known_hosts, port), "127.0.0.1"],
                                  capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        finally:
            batch.unlink()

    def curl_args(self):
        """curl CLI options for SFTP: our key pair, the host key pinned by fingerprint (curl 7.88
        has no --knownhosts option; it reads ~/.ssh/known_hosts if that exists)."""
        return ["--key", str(self.client_key), "--pubkey", str(self.client_pub),
                "--hostpubsha256", self.host_key_sha256]


# --------------------------------------------------------------------------------------------
# TLS material: a throwaway CA made with the openssl CLI (P-256)


class CertAuthority:
    """A throwaway CA in `directory`: cert (PEM) and key. issue() makes server or client certs."""

    def __init__(self, directory, name="edigate test CA", days=2):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        stem = "".join(c if c.isalnum() else "-" for c in name)
        self.cert, self.key = self.dir / f"{stem}.crt", self.dir / f"{stem}.key"
        _run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-keyout", self.key, "-out", self.cert, "-days", days, "-subj", f"/CN={name}",
              "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])

    def issue(self, stem, cn, dns=(), ips=(), client=False, days=2, expired=False):
        """(cert, key) signed by this CA. `expired`: valid only in 2020 (made with `openssl ca`,
        whose -startdate/-enddate `openssl x509 -req` of OpenSSL 3.0 does not have)."""
        crt, key, csr, ext = (self.dir / f"{stem}.{s}" for s in ("crt", "key", "csr", "ext"))
        _run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-keyout", key, "-out", csr, "-subj", f"/CN={cn}"])
        lines = ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature",
                 f"extendedKeyUsage={'clientAuth' if client else 'serverAuth'}"]
        sans = [f"DNS:{d}" for d in dns] + [f"IP:{i}" for i in ips]
        if sans:
            lines.append("subjectAltName=" + ",".join(sans))
        ext.write_text("\n".join(lines) + "\n")
        if expired:
            db = self.dir / f"{stem}.ca"
            db.mkdir(exist_ok=True)
            (db / "index.txt").write_text("")
            cfg = db / "ca.cnf"
            cfg.write_text(f"[ca]\ndefault_ca=d\n[d]\ndatabase={db}/index.txt\nserial={db}/serial\nnew_certs_dir={db}\n"
                           f"default_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n")
            _run(["openssl", "ca", "-batch", "-config", cfg, "-cert", self.cert, "-keyfile", self.key,
                  "-in", csr, "-out", crt, "-notext", "-extfile", ext, "-create_serial",
                  "-startdate", "20200101000000Z", "-enddate", "20200102000000Z"])
        else:
            _run(["openssl", "x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
                  "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-out", crt,
                  "-days", days, "-extfile", ext])
        csr.unlink()
        return crt, key


# --------------------------------------------------------------------------------------------
# Shared by the child processes (HTTPS server, proxy)


def _spawn(server, mode, config):
    """Start `servers.py mode config.json` as a child; wait for its ready file {pid, port}."""
    cfg = dict(config, parent=os.getpid(), lifetime=server.lifetime, ready=str(server.workdir / "ready.json"),
               port=server.port or 0)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(cfg["ready"])
    path = server.workdir / f"{mode.strip('_')}.json"
    path.write_text(json.dumps(cfg))
    log = open(server.workdir / "server.log", "ab")
    try:
        server.proc = subprocess.Popen([sys.executable, str(HERE), mode, str(path)], stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=log, start_new_session=True)
    finally:
        log.close()
    server.pids.append(server.proc.pid)
    end = time.monotonic() + 15
    while time.monotonic() < end:
        if os.path.exists(cfg["ready"]):
            return json.loads(Path(cfg["ready"]).read_text())["port"]
        if server.proc.poll() is not None:
            server.proc = None
            raise ServerError(f"{mode} exited at start\n{_tail(server.workdir / 'server.log')}")
        time.sleep(0.02)
    raise ServerError(f"{mode} not ready within 15 s\n{_tail(server.workdir / 'server.log')}")


def _child_guard(cfg):
    """In the child: die with the parent (PR_SET_PDEATHSIG), and by the lifetime at the latest."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != cfg["parent"]:
        os._exit(3)  # the parent died before the prctl
    t = threading.Timer(cfg["lifetime"], os._exit, (0,))
    t.daemon = True
    t.start()


def _ready(cfg, port):
    tmp = cfg["ready"] + ".tmp"
    Path(tmp).write_text(json.dumps({"pid": os.getpid(), "port": port}))
    os.rename(tmp, cfg["ready"])


class _JsonLog:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def write(self, record):
        record.setdefault("time", round(time.time(), 3))
        with self.lock:
            self.f.write(json.dumps(record, sort_keys=True) + "\n")
            self.f.flush()


def _read_jsonl(path):
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n") and line.strip()]


# --------------------------------------------------------------------------------------------
# HTTPS fault server


class HttpsServer(_Server):
    """An HTTPS upload endpoint on 127.0.0.1:<port> (Python http.server + ssl, in a child process)
    that stores PUT/POST bodies in `store_dir`. With mode_by_prefix, the first path segment picks
    the behaviour (the name is the last segment; a name with `..`, a leading `.`, or empty: 400):

      /ok/NAME       store (temp file, fsync, rename, fsync dir): 201 new, 200 replaced
      /dupe/NAME     like ok, but 409 if NAME is already stored
      /drop/NAME     read half the body, then shut the connection down (no response)
      /hang/NAME     read and store the body, never answer (until the client goes away)
      /hangonce/NAME the first request for NAME like hang; later ones like dupe (the resend case)
      /slow/NAME     read the body at slow_rate bytes/s, then like ok
      /flaky/NAME    500 the first time for NAME, then like ok
      /auth/NAME     Basic auth required (users), 401 otherwise; then like ok
      /NNN/NAME      that status (400..599) after reading the body; 503 with Retry-After: 2,
                     401 with WWW-Authenticate
    Without mode_by_prefix every path behaves like /ok/. Other methods: 405. Unknown prefix: 404.

    Idempotency-Key header: a key seen before is never stored twice: 200 if the body's sha256 is
    the same as the first time, 409 if it differs (also for ok/dupe/hangonce/slow/flaky/auth).

    cert: "good" (CN localhost, SAN DNS:localhost IP:127.0.0.1, signed by our CA), "wrong_name"
    (CN/SAN wrong.example), "unknown_ca" (good names, signed by another CA the client does not
    have), "expired" (good names, valid only in 2020), "self_signed" (good names, no CA).
    Clients trust `ca_cert` (always our CA). require_client_cert: mutual TLS, the client must
    present a cert signed by our CA (`client_cert`, `client_key` are one).

    requests(): every request as a dict (method, path, mode, name, status, outcome, headers with
    the Authorization value redacted, body_sha256, body_bytes, stored, auth_user, client_cert).
    events(): the same plus TLS handshake failures ({"event": "tls_error", ...}).
    """

    prefix = "edigate-https-"

    def __init__(self, store_dir, mode_by_prefix=True, cert="good", require_client_cert=False, users=None,
                 slow_rate=2048, ca=None, lifetime=DEFAULT_LIFETIME, keep=KEEP):
        super().__init__(lifetime, keep)
        self.store_dir = Path(store_dir).resolve()
        self.mode_by_prefix = mode_by_prefix
        self.cert_kind = cert
        self.require_client_cert = require_client_cert
        self.users = dict(users) if users is not None else {"agency": "s3cret"}
        self.slow_rate = slow_rate
        self.ca, self._own_ca = ca, False
        self.port = None

    def start(self):
        if self.running():
            return self
        self._make_workdir()
        self.store_dir.mkdir(parents=True, exist_ok=True)
        if not (self.workdir / "tls").exists():
            self._make_tls(self.workdir / "tls")
        self.log_path = self.workdir / "requests.jsonl"
        self.port = _spawn(self, "_https", {
            "cert": str(self.server_cert), "key": str(self.server_key), "ca": str(self.ca_cert),
            "require_client_cert": self.require_client_cert, "store": str(self.store_dir),
            "log": str(self.log_path), "mode_by_prefix": self.mode_by_prefix, "users": self.users,
            "slow_rate": self.slow_rate, "state": str(self.workdir / "state.json")})
        return self

    def _forget(self):
        self.port = None
        if self._own_ca:
            self.ca, self._own_ca = None, False

    def _make_tls(self, tls):
        tls.mkdir(parents=True, exist_ok=True)  # also when the CA is another server's
        if self.ca is None:
            self.ca, self._own_ca = CertAuthority(tls), True
        self.ca_cert = self.ca.cert
        good = dict(cn="localhost", dns=("localhost",), ips=("127.0.0.1",))
        if self.cert_kind == "good":
            self.server_cert, self.server_key = self.ca.issue("server", **good)
        elif self.cert_kind == "wrong_name":
            self.server_cert, self.server_key = self.ca.issue("server-wrong-name", "wrong.example", dns=("wrong.example",))
        elif self.cert_kind == "expired":
            self.server_cert, self.server_key = self.ca.issue("server-expired", expired=True, **good)
        elif self.cert_kind == "unknown_ca":
            other = CertAuthority(tls / "other", name="unknown test CA")
            self.server_cert, self.server_key = other.issue("server-unknown-ca", **good)
        elif self.cert_kind == "self_signed":
            self.server_cert, self.server_key = tls / "self-signed.crt", tls / "self-signed.key"
            _run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-keyout", self.server_key, "-out", self.server_cert, "-days", "2", "-subj", "/CN=localhost",
                  "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        else:
            raise ValueError(f"unknown cert kind {self.cert_kind!r}")
        self.client_cert, self.client_key = self.ca.issue("client", "edigate-client", client=True)

    def url(self, path, host="localhost", port=None):
        return f"https://{host}:{port or self.port}/{path.lstrip('/')}"

    def curl_args(self, client_cert=False, port=None):
        """curl CLI options: trust our CA only, localhost pinned to 127.0.0.1 (no ::1 attempt)."""
        port = port or self.port
        args = ["--cacert", str(self.ca_cert), "--resolve", f"localhost:{port}:127.0.0.1"]
        if client_cert:
            args += ["--cert", str(self.client_cert), "--key", str(self.client_key)]
        return args

    def events(self):
        return _read_jsonl(self.log_path) if self.workdir else []

    def requests(self):
        return [e for e in self.events() if e.get("event") == "request"]

    def stored(self):
        """{name: bytes} of the files in the store (temporaries, which start with '.', left out)."""
        return {p.name: p.read_bytes() for p in sorted(self.store_dir.iterdir())
                if p.is_file() and not p.name.startswith(".")}


class _HttpsState:
    def __init__(self, cfg):
        self.cfg = cfg
        self.store = Path(cfg["store"])
        self.log = _JsonLog(cfg["log"])
        self.lock = threading.Lock()
        self.keys = {}    # Idempotency-Key -> {"name", "sha256"}
        self.seen = set()  # (mode, name) for flaky and hangonce
        with contextlib.suppress(FileNotFoundError):  # kept across down() and start()
            for line in Path(cfg["state"]).read_text().splitlines():
                saved = json.loads(line)
                if "key" in saved:
                    self.keys[saved["key"]] = saved["record"]
                else:
                    self.seen.add(tuple(saved["seen"]))

    def save(self, **item):
        """Under self.lock: one more key (key=, record=) or name seen (seen=), for a restart after
        down(); appended, so that a load test with 10,000 keys does not rewrite them all each time."""
        with open(self.cfg["state"], "a") as f:
            f.write(json.dumps(item) + "\n")


class _HttpsHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "edigate-fault/1"
    # the headers and the body go out in separate writes: with Nagle on, the body waits for the
    # client's delayed ACK (40 ms a request on loopback), which would be the test server's slowness, not ours
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    # --- body reading: Content-Length or chunked, optionally throttled
    def _body(self, rate=None, limit=None):
        """Yield the request body in pieces; stop after `limit` bytes if given."""
        state = {"got": 0}

        def take(n):
            if limit is not None:
                n = min(n, limit - state["got"])
            if rate:
                n = min(n, max(1, rate // 8))
            data = self.rfile.read(n) if n > 0 else b""
            if n > 0 and not data:
                raise ConnectionError("client closed the connection in the body")
            state["got"] += len(data)
            if rate:
                time.sleep(len(data) / rate)
            return data

        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while limit is None or state["got"] < limit:
                size = int(self.rfile.readline(100).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1000).strip():  # trailers
                        pass
                    return
                left = size
                while left and (limit is None or state["got"] < limit):
                    data = take(min(left, 65536))
                    left -= len(data)
                    yield data
                if left:
                    return
                self.rfile.readline(10)
            return
        left = int(self.headers.get("Content-Length", "0"))
        while left and (limit is None or state["got"] < limit):
            data = take(min(left, 65536))
            left -= len(data)
            yield data

    def _reply(self, status, rec, body=None, headers=(), raw=None):
        """Answers JSON (`body`), or `raw` = (bytes, content type). The request is logged before
        the answer goes out: a client that has its answer finds the record (logged after, a test
        reading the log at once could miss it)."""
        rec["status"] = status
        payload = json.dumps(body if body is not None else {"status": status}).encode() + b"\n"
        if raw is not None:
            payload = raw[0]
        self.server.state.log.write(rec)
        try:
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Type", raw[1] if raw is not None else "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (OSError, ssl.SSLError) as e:  # the client went away: the request stays logged once
            self.server.state.log.write({"event": "reply_failed", "path": self.path, "status": status, "error": str(e)})
            self.close_connection = True

    def _drain(self, rec, rate=None):
        h = hashlib.sha256()
        n = 0
        for data in self._body(rate):
            h.update(data)
            n += len(data)
        rec["body_sha256"], rec["body_bytes"] = h.hexdigest(), n

    def _store(self, rec, name, dupe=False, rate=None):
        """Body to a temporary in the store, fsync, then (idempotency and dupe checks) rename and
        fsync the folder. Returns the status."""
        st = self.server.state
        tmp = st.store / f".{name}.tmp-{uuid.uuid4().hex[:8]}"
        h = hashlib.sha256()
        n = 0
        try:
            with open(tmp, "wb") as f:
                for data in self._body(rate):
                    f.write(data)
                    h.update(data)
                    n += len(data)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        rec["body_sha256"], rec["body_bytes"] = h.hexdigest(), n
        key = self.headers.get("Idempotency-Key")
        target = st.store / name
        with st.lock:
            if key is not None and key in st.keys:
                tmp.unlink()
                rec["stored"] = False
                rec["idempotent_replay"] = True
                return 200 if st.keys[key]["sha256"] == rec["body_sha256"] else 409
            if dupe and target.exists():
                tmp.unlink()
                rec["stored"] = False
                return 409
            existed = target.exists()
            os.rename(tmp, target)
            fd = os.open(st.store, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            if key is not None:
                st.keys[key] = {"name": name, "sha256": rec["body_sha256"]}
                st.save(key=key, record=st.keys[key])
            rec["stored"] = True
            return 200 if existed else 201

    def _hang(self, rec):
        rec["outcome"] = "hang"
        self.server.state.log.write(rec)
        self.close_connection = True
        self.connection.settimeout(1.0)
        while True:  # until the client goes away (or the lifetime ends the process)
            try:
                if not self.connection.recv(1):
                    return
            except (TimeoutError, socket.timeout):
                continue
            except (OSError, ssl.SSLError):
                return

    def _auth_user(self):
        auth = self.headers.get("Authorization", "")
        if not auth.lower().startswith("basic "):
            return None, False
        try:
            user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, False
        return user, self.server.state.cfg["users"].get(user) == password

    def _upload(self):
        st = self.server.state
        split = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in split.path.split("/")[1:]]
        headers = {k: ("<redacted>" if k.lower() in ("authorization", "proxy-authorization") else v)
                   for k, v in self.headers.items()}
        rec = {"event": "request", "method": self.command, "path": self.path, "headers": headers,
               "status": None, "stored": False, "body_sha256": None, "body_bytes": None}
        cert = self.connection.getpeercert() if st.cfg["require_client_cert"] else None
        rec["client_cert"] = dict(x[0] for x in cert["subject"]).get("commonName") if cert else None
        user, ok = self._auth_user()
        rec["auth_user"] = user
        if st.cfg["mode_by_prefix"]:
            mode, names = (parts[0], parts[1:]) if len(parts) >= 2 else ("", parts)
        else:
            mode, names = "ok", parts
        name = names[-1] if names else ""
        rec["mode"], rec["name"] = mode, name
        if "Content-Length" not in self.headers and "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            return self._reply(411, rec)
        try:
            if not names or any(p in ("", ".", "..") or p.startswith(".") or "/" in p or "\0" in p for p in names):
                self._drain(rec)
                return self._reply(400, rec, {"status": 400, "error": "bad name"})
            if mode == "drop":
                total = int(self.headers.get("Content-Length", "131072"))
                got = sum(len(d) for d in self._body(limit=total // 2))
                rec.update(outcome="dropped", body_bytes=got)
                st.log.write(rec)
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if mode.isdigit() and len(mode) == 3 and 400 <= int(mode) <= 599:
                status = int(mode)
                self._drain(rec)
                extra = [("Retry-After", "2")] if status == 503 else []
                if status == 401:
                    extra = [("WWW-Authenticate", 'Basic realm="edi"')]
                return self._reply(status, rec, {"status": status, "error": f"fault server: {status} by request"}, extra)
            if mode in ("ok", "dupe"):
                return self._reply(self._store(rec, name, dupe=(mode == "dupe")), rec)
            if mode == "slow":
                return self._reply(self._store(rec, name, rate=st.cfg["slow_rate"]), rec)
            if mode == "decimport":  # the data centre: stores, then answers at once with its DecImportResponse
                status = self._store(rec, name)
                seq = re.search(rb"<(?:\w+:)?ClientSeqNo>([^<]*)</", (st.store / name).read_bytes() if status < 300 else b"")
                answer = ('<?xml version="1.0" encoding="UTF-8"?>\n<ns2:DecImportResponse xmlns:ns2="http://www.chinaport.gov.cn/dec">'
                          '<ns2:ResponseCode>0</ns2:ResponseCode><ns2:ErrorMessage>accepted</ns2:ErrorMessage>'
                          f'<ns2:ClientSeqNo>{seq.group(1).decode() if seq else ""}</ns2:ClientSeqNo>'
                          '<ns2:SeqNo>Z23050000241867530</ns2:SeqNo></ns2:DecImportResponse>\n')
                return self._reply(status, rec, raw=(answer.encode(), "application/xml"))
            if mode == "auth":
                if not ok:
                    self._drain(rec)
                    return self._reply(401, rec, headers=[("WWW-Authenticate", 'Basic realm="edi"')])
                return self._reply(self._store(rec, name), rec)
            if mode in ("flaky", "hangonce", "hang"):
                with st.lock:
                    first = (mode, name) not in st.seen
                    if first:
                        st.seen.add((mode, name))
                        st.save(seen=[mode, name])
                if mode == "flaky":
                    if first:
                        self._drain(rec)
                        return self._reply(500, rec, {"status": 500, "error": "fault server: flaky, first try"})
                    return self._reply(self._store(rec, name), rec)
                if mode == "hang" or first:
                    rec["store_status"] = self._store(rec, name, dupe=(mode == "hangonce"))
                    return self._hang(rec)
                return self._reply(self._store(rec, name, dupe=True), rec)
            self._drain(rec)
            return self._reply(404, rec, {"status": 404, "error": f"unknown mode {mode!r}"})
        except (OSError, ssl.SSLError, ConnectionError, ValueError) as e:
            rec["outcome"] = f"error: {e}"
            st.log.write(rec)
            self.close_connection = True

    do_PUT = do_POST = _upload

    def _not_allowed(self):
        rec = {"event": "request", "method": self.command, "path": self.path, "headers": dict(self.headers.items()),
               "stored": False}
        rec["headers"].pop("Authorization", None)
        self.close_connection = True
        self._reply(405, rec, headers=[("Allow", "PUT, POST"), ("Connection", "close")])

    do_GET = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = do_MOVE = _not_allowed


class _TlsHttpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def finish_request(self, request, client_address):
        """The TLS handshake in the connection's own thread (a stuck client does not block accept)."""
        request.settimeout(30)
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.state.log.write({"event": "tls_error", "error": str(e), "client": list(client_address)})
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            with contextlib.suppress(OSError):
                tls.close()


def _https_main(cfg):
    _child_guard(cfg)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cfg["cert"], cfg["key"])
    if cfg["require_client_cert"]:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cfg["ca"])
    srv = _TlsHttpServer(("127.0.0.1", cfg["port"]), _HttpsHandler)
    srv.ctx, srv.state = ctx, _HttpsState(cfg)
    _ready(cfg, srv.server_address[1])
    srv.serve_forever(poll_interval=0.2)


# --------------------------------------------------------------------------------------------
# TCP fault proxy


class FaultProxy(_Server):
    """A TCP proxy 127.0.0.1:<port> -> 127.0.0.1:target_port (child process), per connection:

      cut_after=N     after N client->server bytes: RST to both sides (SO_LINGER 0, close)
      stall_after=N   after N client->server bytes: stop forwarding both ways, keep both sockets
                      open (a silent black hole) until the client goes away
      rate=B          at most B bytes/s in each direction
      faulty_connections=K   the faults apply to the first K connections only (the later ones,
                      e.g. the retry, pass cleanly); None: every connection

    events(): {"event": "connect"|"cut"|"stall"|"close", "conn": n, "up": bytes, "down": bytes}.
    """

    prefix = "edigate-proxy-"

    def __init__(self, target_port, cut_after=None, stall_after=None, rate=None, faulty_connections=None,
                 lifetime=DEFAULT_LIFETIME, keep=KEEP):
        super().__init__(lifetime, keep)
        self.target_port = target_port
        self.cut_after, self.stall_after, self.rate = cut_after, stall_after, rate
        self.faulty_connections = faulty_connections
        self.port = None

    def start(self):
        if self.running():
            return self
        self._make_workdir()
        self.log_path = self.workdir / "proxy.jsonl"
        self.port = _spawn(self, "_proxy", {
            "target": self.target_port, "cut_after": self.cut_after, "stall_after": self.stall_after,
            "rate": self.rate, "faulty_connections": self.faulty_connections, "log": str(self.log_path)})
        return self

    def events(self):
        return _read_jsonl(self.log_path) if self.workdir else []


def _abort(*socks):
    for s in socks:
        with contextlib.suppress(OSError):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            s.close()


def _proxy_connection(cfg, log, n, client):
    faulty = cfg["faulty_connections"] is None or n <= cfg["faulty_connections"]
    cut = cfg["cut_after"] if faulty else None
    stall = cfg["stall_after"] if faulty else None
    rate = cfg["rate"] if faulty else None
    try:
        server = socket.create_connection(("127.0.0.1", cfg["target"]), timeout=10)
    except OSError as e:
        log.write({"event": "connect_failed", "conn": n, "error": str(e)})
        _abort(client)
        return
    log.write({"event": "connect", "conn": n, "faulty": faulty})
    for s in (client, server):
        s.setblocking(False)
    # per direction: pending bytes, byte count, rate allowance
    up = {"src": client, "dst": server, "buf": b"", "count": 0, "eof": False}
    down = {"src": server, "dst": client, "buf": b"", "count": 0, "eof": False}
    burst = max(1, (rate or 0) // 10)  # the bucket holds 0.1 s worth, so the rate holds from the start
    allowance, last = {"up": burst, "down": burst}, time.monotonic()
    try:
        while True:
            if cut is not None and up["count"] >= cut and not up["buf"]:
                log.write({"event": "cut", "conn": n, "up": up["count"], "down": down["count"]})
                _abort(client, server)
                return
            if stall is not None and up["count"] >= stall and not up["buf"]:
                log.write({"event": "stall", "conn": n, "up": up["count"], "down": down["count"]})
                p = select.poll()
                p.register(client, select.POLLRDHUP | select.POLLHUP | select.POLLERR)
                while not p.poll(1000):  # until the client closes or resets (POLLRDHUP: even with unread data)
                    pass
                log.write({"event": "close", "conn": n, "up": up["count"], "down": down["count"], "after": "stall"})
                _abort(client, server)
                return
            if rate:
                now = time.monotonic()
                for k in allowance:
                    allowance[k] = min(burst, allowance[k] + rate * (now - last))
                last = now
            readers, writers = [], []
            for name, d in (("up", up), ("down", down)):
                if not d["buf"] and not d["eof"] and (not rate or allowance[name] >= 1):
                    readers.append(d["src"])
                if d["buf"]:
                    writers.append(d["dst"])
            if up["eof"] and down["eof"] and not up["buf"] and not down["buf"]:
                break
            r, w, _ = select.select(readers, writers, [], 0.05)
            for name, d in (("up", up), ("down", down)):
                if d["src"] in r:
                    want = 65536 if not rate else max(1, min(65536, int(allowance[name])))
                    if name == "up":  # never past the cut or stall point
                        for point in (cut, stall):
                            if point is not None:
                                want = min(want, point - d["count"])
                    try:
                        data = d["src"].recv(want)
                    except (BlockingIOError, InterruptedError):
                        data = None
                    if data == b"":
                        d["eof"] = True
                        with contextlib.suppress(OSError):
                            d["dst"].shutdown(socket.SHUT_WR)
                    elif data:
                        d["buf"] += data
                        d["count"] += len(data)
                        if rate:
                            allowance[name] -= len(data)
                if d["dst"] in w and d["buf"]:
                    try:
                        sent = d["dst"].send(d["buf"])
                        d["buf"] = d["buf"][sent:]
                    except (BlockingIOError, InterruptedError):
                        pass
    except OSError as e:
        log.write({"event": "close", "conn": n, "up": up["count"], "down": down["count"], "error": str(e)})
        _abort(client, server)
        return
    log.write({"event": "close", "conn": n, "up": up["count"], "down": down["count"]})
    for s in (client, server):
        with contextlib.suppress(OSError):
            s.close()


def _proxy_main(cfg):
    _child_guard(cfg)
    log = _JsonLog(cfg["log"])
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", cfg["port"]))
    lsock.listen(64)
    _ready(cfg, lsock.getsockname()[1])
    n = 0
    while True:
        client, _ = lsock.accept()
        n += 1
        threading.Thread(target=_proxy_connection, args=(cfg, log, n, client), daemon=True).start()


# --------------------------------------------------------------------------------------------
# A tiny file system that fills up


@contextlib.contextmanager
def small_tmpfs(size="1m", nr_inodes=None, parent=None):
    """A fresh tmpfs of `size` (mount(8) syntax: 1m, 512k) mounted on a temporary folder; yields
    its Path and unmounts it afterwards. Needs root (CI is); raises unittest.SkipTest otherwise.
    A test killed with SIGKILL leaves the mount behind (umount it by hand)."""
    if os.geteuid() != 0:
        raise unittest.SkipTest("small_tmpfs needs root (mount -t tmpfs)")
    where = Path(tempfile.mkdtemp(prefix="edigate-tmpfs-", dir=parent))
    opts = f"size={size},mode=0777" + (f",nr_inodes={nr_inodes}" if nr_inodes else "")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], capture_output=True, text=True)
    if r.returncode != 0:
        where.rmdir()
        raise unittest.SkipTest(f"cannot mount a tmpfs: {r.stderr.strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)
        with contextlib.suppress(OSError):
            where.rmdir()


# --------------------------------------------------------------------------------------------


def _serve_by_hand(argv):
    """python3 servers.py sftp ROOT | https STORE [cert] | proxy TARGET_PORT cut|stall|rate N:
    start one fixture, print how to reach it, run until Ctrl-C (for trying the C++ side by hand)."""
    kind = argv[0] if argv else ""
    if kind == "sftp" and len(argv) == 2:
        server = SftpServer(argv[1], keep=True)
    elif kind == "https" and len(argv) in (2, 3):
        server = HttpsServer(argv[1], cert=argv[2] if len(argv) == 3 else "good", keep=True)
    elif kind == "proxy" and len(argv) == 4 and argv[2] in ("cut", "stall", "rate"):
        option = {"cut": "cut_after", "stall": "stall_after", "rate": "rate"}[argv[2]]
        server = FaultProxy(int(argv[1]), keep=True, **{option: int(argv[3])})
    else:
        print(_serve_by_hand.__doc__, file=sys.stderr)
        return 2
    server.lifetime = 3600

    def interrupted(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, interrupted)  # also when started in the background, where SIGINT is ignored
    signal.signal(signal.SIGTERM, interrupted)
    with server:
        info = {k: str(v) for k, v in vars(server).items() if k not in ("proc", "pids") and v is not None}
        if kind == "sftp":
            info.update(known_hosts=str(server.known_hosts), host_key_sha256=server.host_key_sha256,
                        client_key=str(server.client_key), url=server.url(server.upload_dir / "x.edi"))
        print(json.dumps(info, indent=2, default=str), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while server.running():
                time.sleep(1)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in ("_https", "_proxy"):
        config = json.loads(Path(sys.argv[2]).read_text())
        (_https_main if sys.argv[1] == "_https" else _proxy_main)(config)
    else:
        sys.exit(_serve_by_hand(sys.argv[1:]))
