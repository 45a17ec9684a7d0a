#!/usr/bin/env python3
"""Self-test of the loopback servers in servers.py: each fixture is proved with the OpenSSH client
tools and the curl CLI only (not with our C++ code), one printed line per check.

    python3 tests/integration/servers_selftest.py [GROUP...]     groups: sftp https proxy tmpfs life

Needs root (CI is), openssh-server/-client, curl and openssl (scripts/setup-deps --with-test-tools).
Exit status 0 when every check passed. About 25 s.
"""
import contextlib
import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import FaultProxy, HttpsServer, SftpServer, alive, small_tmpfs  # noqa: E402

FAILED = []
PASSED = []
ALL_PIDS = set()  # every PID any fixture had: none may be alive at the end
WORKDIRS = set()


@contextlib.contextmanager
def check(name):
    """One check: prints `ok   name (time)` or `FAIL name` with the reason, and carries on."""
    t0 = time.monotonic()
    try:
        yield
    except Exception as e:  # an assertion or a fixture that did not start: both are failures
        FAILED.append(name)
        detail = str(e).strip().replace("\n", "\n     ")
        print(f"FAIL {name} ({time.monotonic() - t0:.1f} s)\n     {type(e).__name__}: {detail}", flush=True)
    else:
        PASSED.append(name)
        print(f"ok   {name} ({time.monotonic() - t0:.1f} s)", flush=True)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def track(server):
    """Remember a fixture's PIDs and work folder for the final no-leftovers check."""
    ALL_PIDS.update(server.pids)
    if server.workdir:
        WORKDIRS.add(server.workdir)
    return server


class Curl:
    def __init__(self, r, code, headers):
        self.rc, self.code, self.stderr, self.headers = r.returncode, code, r.stderr.strip(), headers

    def __repr__(self):
        return f"curl rc={self.rc} http={self.code} {self.stderr[:200]!r}"


def curl(*args, timeout=60, env=None):
    """curl -sS; the status code and the response headers of the final response."""
    with tempfile.NamedTemporaryFile("r", prefix="edigate-selftest-hdr-") as hdr:
        r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-D", hdr.name, "-w", "%{http_code}", *map(str, args)],
                           capture_output=True, text=True, timeout=timeout, env=env)
        headers = {}
        for line in Path(hdr.name).read_text(errors="replace").splitlines():
            if line.startswith("HTTP/"):
                headers = {}
            elif ":" in line:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
    return Curl(r, int(r.stdout.strip() or 0), headers)


def eventually(condition, seconds=5.0):
    """Whether condition() holds within `seconds`: for what a server logs from its own thread
    after the client has already given up (a refused TLS handshake)."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


def sha(data):
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------


def test_sftp(tmp):
    payload = os.urandom(300_000)
    local = tmp / "payload.edi"
    local.write_bytes(payload)
    with SftpServer(tmp / "sftp") as srv:
        track(srv)
        up = srv.upload_dir

        with check("sftp: OpenSSH sftp -b puts a .part, renames it; the content matches"):
            r = srv.sftp_batch([f"put {local} {up}/a.edi.part", f"rename {up}/a.edi.part {up}/a.edi"])
            expect(r.returncode == 0, f"sftp exited {r.returncode}: {r.stderr}")
            expect((up / "a.edi").read_bytes() == payload, "uploaded bytes differ")
            expect(not (up / "a.edi.part").exists(), ".part left after the rename")

        with check("sftp: a known_hosts with another key for [127.0.0.1]:port is refused"):
            r = srv.sftp_batch([f"put {local} {up}/wrong.edi"], known_hosts=srv.wrong_known_hosts())
            expect(r.returncode != 0, "sftp accepted an impostor's host key")
            expect("Host key verification failed" in r.stderr, f"unexpected reason: {r.stderr}")
            expect(not (up / "wrong.edi").exists(), "a file arrived despite the refusal")

        with check("sftp: an empty known_hosts is refused (keys are never added automatically)"):
            empty = tmp / "known_hosts.empty"
            empty.write_text("")
            r = srv.sftp_batch(["ls /"], known_hosts=empty)
            expect(r.returncode != 0 and "Host key verification failed" in r.stderr, f"{r.returncode} {r.stderr}")
            expect(empty.read_text() == "", "the client wrote into the known_hosts")

        with check("curl sftp: host key pinned by sha256, upload to .part, POSTQUOTE rename"):
            c = curl(*srv.curl_args(), "-T", local, srv.url(up / "b.edi.part"), "-Q", f"-rename {up}/b.edi.part {up}/b.edi")
            expect(c.rc == 0, c)
            expect((up / "b.edi").read_bytes() == payload, "uploaded bytes differ")

        with check("curl sftp: POSTQUOTE rename onto an existing name fails with rc 21, the .part stays"):
            c = curl(*srv.curl_args(), "-T", local, srv.url(up / "b.edi.part"), "-Q", f"-rename {up}/b.edi.part {up}/b.edi")
            expect(c.rc == 21, c)
            expect((up / "b.edi.part").exists(), "the .part is gone")
            (up / "b.edi.part").unlink()

        with check("curl sftp: the md5 pin (--hostpubmd5) works too"):
            c = curl("--key", srv.client_key, "--pubkey", srv.client_pub, "--hostpubmd5", srv.host_key_md5,
                     "-T", local, srv.url(up / "md5.edi"))
            expect(c.rc == 0 and (up / "md5.edi").read_bytes() == payload, c)

        with check("sftp: down() refuses connections (curl rc 7); start() again: same port, same host key"):
            port = srv.port
            srv.down()
            track(srv)
            c = curl(*srv.curl_args(), "-T", local, srv.url(up / "down.edi"))
            expect(c.rc == 7, c)
            srv.start()
            expect(srv.port == port, f"port changed {port} -> {srv.port}")
            r = srv.sftp_batch([f"put {local} {up}/up-again.edi"])
            expect(r.returncode == 0 and (up / "up-again.edi").read_bytes() == payload, f"{r.returncode} {r.stderr}")

        with check("curl sftp: wrong sha256 pin refused with rc 60"):
            c = curl("--key", srv.client_key, "--pubkey", srv.client_pub, "--hostpubsha256", "A" * 43,
                     "-T", local, srv.url(up / "c.edi"))
            expect(c.rc == 60, c)
            expect(not (up / "c.edi").exists(), "a file arrived despite the refusal")

        with check("curl sftp (libcurl CURLOPT_SSH_KNOWNHOSTS via $HOME/.ssh): right 0, wrong 60, empty 60, none 0"):
            rcs = {}
            for case, text in (("right", srv.known_hosts.read_text()), ("wrong", srv.wrong_known_hosts().read_text()),
                               ("empty", ""), ("none", None)):
                home = tmp / f"home-{case}"
                (home / ".ssh").mkdir(parents=True)
                if text is not None:
                    (home / ".ssh" / "known_hosts").write_text(text)
                c = curl("--key", srv.client_key, "--pubkey", srv.client_pub, "-T", local, srv.url(up / f"kh-{case}.edi"),
                         env=dict(os.environ, HOME=str(home)))
                rcs[case] = c.rc
            expect(rcs == {"right": 0, "wrong": 60, "empty": 60, "none": 0}, f"rc by known_hosts: {rcs}")

        with check("curl sftp: a client key that is not authorized is refused with rc 67"):
            other = srv.keys / "other_ed25519"  # made by wrong_known_hosts()
            c = curl("--key", other, "--pubkey", f"{other}.pub", "--hostpubsha256", srv.host_key_sha256,
                     "-T", local, srv.url(up / "d.edi"))
            expect(c.rc == 67, c)

        with check("sftp: rotate_host_key: the old known_hosts is refused, the new one works, same port"):
            old, port = srv.known_hosts, srv.port
            new = srv.rotate_host_key()
            track(srv)
            expect(srv.port == port, f"port changed {port} -> {srv.port}")
            r = srv.sftp_batch([f"put {local} {up}/e.edi"], known_hosts=old)
            expect(r.returncode != 0 and "REMOTE HOST IDENTIFICATION HAS CHANGED" in r.stderr, f"{r.returncode} {r.stderr}")
            r = srv.sftp_batch([f"put {local} {up}/e.edi"], known_hosts=new)
            expect(r.returncode == 0 and (up / "e.edi").read_bytes() == payload, f"{r.returncode} {r.stderr}")
            c = curl("--key", srv.client_key, "--pubkey", srv.client_pub, "-T", local, srv.url(up / "f.edi"),
                     env=dict(os.environ, HOME=str(tmp / "home-right")))
            expect(c.rc == 60, f"libcurl with the old known_hosts: {c}")
        track(srv)


def test_https(tmp):
    small = os.urandom(50_000)
    local = tmp / "small.edi"
    local.write_bytes(small)
    store = tmp / "store"
    with HttpsServer(store) as h:
        track(h)

        def put(path, *extra, data=local, **kw):
            return curl(*h.curl_args(), *extra, "-T", data, h.url(path), **kw)

        with check("https /ok/: 201 with --cacert, stored bytes match, the request is recorded"):
            c = put("/ok/a.edi", "-H", "Idempotency-Key: key-a")
            expect(c.rc == 0 and c.code == 201, c)
            expect(h.stored().get("a.edi") == small, f"stored: {sorted(h.stored())}")
            rec = h.requests()[-1]
            expect(rec["method"] == "PUT" and rec["status"] == 201 and rec["body_sha256"] == sha(small), rec)
            expect(rec["headers"].get("Idempotency-Key") == "key-a", rec["headers"])
            expect(not [p for p in store.iterdir() if p.name.startswith(".")], "a temporary left in the store")

        with check("https: the same by IP (SAN IP:127.0.0.1) and by POST"):
            c = curl(*h.curl_args(), "-T", local, h.url("/ok/ip.edi", host="127.0.0.1"))
            expect(c.rc == 0 and c.code == 201, c)
            c = curl(*h.curl_args(), "--data-binary", f"@{local}", h.url("/ok/post.edi"))
            expect(c.rc == 0 and c.code == 201 and h.stored()["post.edi"] == small, c)

        with check("https: without --cacert (our CA unknown to the client) curl refuses, rc 60"):
            c = curl("--resolve", f"localhost:{h.port}:127.0.0.1", "-T", local, h.url("/ok/noca.edi"))
            expect(c.rc == 60, c)
            expect("noca.edi" not in h.stored(), "stored despite the refusal")

        with check("https: Idempotency-Key repeated: 200, no second copy; same key, other body: 409"):
            c = put("/ok/a-again.edi", "-H", "Idempotency-Key: key-a")
            expect(c.rc == 0 and c.code == 200, c)
            expect("a-again.edi" not in h.stored(), "a second copy was stored")
            other = tmp / "other.edi"
            other.write_bytes(b"other")
            c = put("/ok/a-other.edi", "-H", "Idempotency-Key: key-a", data=other)
            expect(c.code == 409 and "a-other.edi" not in h.stored(), c)
            expect(h.stored()["a.edi"] == small, "the first copy changed")

        with check("https: down() refuses connections (curl rc 7); start() again: same port, CA and keys"):
            port = h.port
            h.down()
            track(h)
            c = put("/ok/down.edi")
            expect(c.rc == 7, c)
            h.start()
            expect(h.port == port, f"port changed {port} -> {h.port}")
            c = put("/ok/a-after-restart.edi", "-H", "Idempotency-Key: key-a")
            expect(c.rc == 0 and c.code == 200 and "a-after-restart.edi" not in h.stored(), c)

        with check("https /500/: 500 (curl rc 0 without --fail, 22 with)"):
            c = put("/500/x.edi")
            expect(c.rc == 0 and c.code == 500, c)
            c = put("/500/x.edi", "--fail")
            expect(c.rc == 22, c)

        with check("https /503/: 503 with Retry-After: 2; /400/ /403/ /409/ /413/ as asked"):
            c = put("/503/x.edi")
            expect(c.code == 503 and c.headers.get("retry-after") == "2", f"{c} {c.headers}")
            for code in (400, 403, 409, 413):
                c = put(f"/{code}/x.edi")
                expect(c.code == code, c)
            expect("x.edi" not in h.stored(), "a fault mode stored the body")

        with check("https /flaky/: 500 the first time for a name, then 201"):
            codes = [put("/flaky/f.edi").code, put("/flaky/f.edi").code]
            expect(codes == [500, 201], codes)
            expect(h.stored()["f.edi"] == small, "stored bytes differ")

        with check("https /dupe/: 201, then 409 for the same name"):
            codes = [put("/dupe/d.edi").code, put("/dupe/d.edi").code]
            expect(codes == [201, 409], codes)

        with check("https /hang/: curl --max-time 2 gives rc 28; the server had stored the body"):
            t0 = time.monotonic()
            c = put("/hang/h.edi", "--max-time", "2")
            expect(c.rc == 28, c)
            expect(time.monotonic() - t0 < 5, "took too long")
            expect(h.stored().get("h.edi") == small, "the body was not stored")

        with check("https /hangonce/ + resend with the same Idempotency-Key: 200, one copy"):
            c = put("/hangonce/u.edi", "--max-time", "2", "-H", "Idempotency-Key: key-u")
            expect(c.rc == 28, c)
            c = put("/hangonce/u.edi", "-H", "Idempotency-Key: key-u")
            expect(c.rc == 0 and c.code == 200, c)
            c = put("/hangonce/u.edi")  # no key: the name exists
            expect(c.code == 409, c)
            expect(h.stored()["u.edi"] == small, "stored bytes differ")

        with check("https /drop/: the connection is shut mid-body, curl fails (52/55/56), nothing stored"):
            c = put("/drop/x.edi")
            expect(c.rc in (52, 55, 56), c)
            expect(h.requests()[-1].get("outcome") == "dropped", h.requests()[-1])

        with check("https /slow/: 2 KiB/s, 3 KiB take more than 1 s, then 201"):
            three = tmp / "three.edi"
            three.write_bytes(os.urandom(3072))
            t0 = time.monotonic()
            c = put("/slow/s.edi", data=three)
            expect(c.code == 201 and time.monotonic() - t0 > 1.0, f"{c} in {time.monotonic() - t0:.2f} s")

        with check("https /auth/: 401 without or with a wrong password, 201 with; no secret in the log"):
            expect(put("/auth/b.edi").code == 401, "no credentials accepted")
            expect(put("/auth/b.edi", "-u", "agency:wrong").code == 401, "a wrong password accepted")
            c = put("/auth/b.edi", "-u", "agency:s3cret")
            expect(c.code == 201 and "b.edi" in h.stored(), c)
            expect(h.requests()[-1]["auth_user"] == "agency", h.requests()[-1])
            log = h.log_path.read_text()
            expect("s3cret" not in log and "YWdlbmN5" not in log, "a password or the Basic token is in the log")

        with check("https: names with .. or a leading . get 400, other methods 405"):
            for path in ("/ok/%2e%2e", "/ok/.hidden", "/ok/..%2fescape", "/ok/"):
                # POST: with -T, curl would append the local file name to a URL ending in /
                c = curl(*h.curl_args(), "--path-as-is", "--data-binary", f"@{local}", h.url(path))
                expect(c.code == 400, f"{path}: {c}")
            c = curl(*h.curl_args(), h.url("/ok/a.edi"))
            expect(c.code == 405, c)
            expect(not (store.parent / "escape").exists(), "a file escaped the store")

        with check("https: a server cert for the wrong name is refused, rc 60"):
            with HttpsServer(tmp / "store-wrong", cert="wrong_name", ca=h.ca) as w:
                track(w)
                c = curl(*w.curl_args(), "-T", local, w.url("/ok/w.edi"))
                expect(c.rc == 60 and "subject name" in c.stderr, c)
                expect(w.stored() == {}, "stored despite the refusal")

        with check("https: a server signed by an unknown CA is refused, rc 60; an expired cert too"):
            for kind in ("unknown_ca", "expired"):
                with HttpsServer(tmp / f"store-{kind}", cert=kind, ca=h.ca) as u:
                    track(u)
                    c = curl(*u.curl_args(), "-T", local, u.url("/ok/u.edi"))
                    expect(c.rc == 60, f"{kind}: {c}")
                    expect(eventually(lambda: any(e["event"] == "tls_error" for e in u.events())), f"{kind}: no tls_error recorded")

        with check("https: mutual TLS: without a client cert refused, with ours 201"):
            with HttpsServer(tmp / "store-mtls", require_client_cert=True, ca=h.ca) as m:
                track(m)
                c = curl(*m.curl_args(), "-T", local, m.url("/ok/m.edi"))
                expect(c.rc in (35, 55, 56), f"TLS 1.3, no client cert: {c}")
                c = curl(*m.curl_args(), "--tls-max", "1.2", "-T", local, m.url("/ok/m.edi"))
                expect(c.rc == 35, f"TLS 1.2, no client cert: {c}")
                expect("m.edi" not in m.stored(), "stored without a client cert")
                c = curl(*m.curl_args(client_cert=True), "-T", local, m.url("/ok/m.edi"))
                expect(c.rc == 0 and c.code == 201, c)
                expect(m.requests()[-1]["client_cert"] == "edigate-client", m.requests()[-1])
        track(h)


def test_proxy(tmp):
    big = os.urandom(2 * 1024 * 1024)
    local = tmp / "big.edi"
    local.write_bytes(big)
    with SftpServer(tmp / "sftp-proxy") as srv, HttpsServer(tmp / "store-proxy") as h:
        track(srv)
        track(h)
        up = srv.upload_dir

        with check("proxy cut_after 1 MB: curl sftp upload of 2 MB fails (rc 79 or 55), .part short, no final name"):
            with FaultProxy(srv.port, cut_after=1_000_000) as p:
                track(p)
                c = curl(*srv.curl_args(), "-T", local, srv.url(up / "cut.edi.part", port=p.port),
                         "-Q", f"-rename {up}/cut.edi.part {up}/cut.edi")
                # an SSH error (79), or a send failure (55) when the reset arrives while curl sends
                expect(c.rc in (79, 55), c)
                expect(not (up / "cut.edi").exists(), "the final name exists")
                part = up / "cut.edi.part"
                expect(part.exists() and part.stat().st_size < 1_000_000, "no short .part")
                expect(any(e["event"] == "cut" and e["up"] == 1_000_000 for e in p.events()), p.events())
                track(p)

        with check("proxy cut_after 1 MB: OpenSSH sftp upload of 2 MB fails"):
            with FaultProxy(srv.port, cut_after=1_000_000) as p:
                track(p)
                r = srv.sftp_batch([f"put {local} {up}/cut2.edi"], known_hosts=srv.known_hosts_for(p.port), port=p.port)
                expect(r.returncode != 0, "sftp succeeded through the cut")
                expect((up / "cut2.edi").stat().st_size < len(big) if (up / "cut2.edi").exists() else True, "complete file")
                track(p)

        with check("proxy cut_after 1 MB: curl https upload of 2 MB fails (rc 55/56), nothing stored"):
            with FaultProxy(h.port, cut_after=1_000_000) as p:
                track(p)
                c = curl(*h.curl_args(port=p.port), "-T", local, h.url("/ok/cut.edi", port=p.port))
                expect(c.rc in (55, 56), c)
                expect("cut.edi" not in h.stored(), "stored despite the cut")
                track(p)

        with check("proxy faulty_connections=1: the first upload is cut, the retry passes, sha256 matches"):
            with FaultProxy(srv.port, cut_after=1_000_000, faulty_connections=1) as p:
                track(p)
                args = [*srv.curl_args(), "-T", local, srv.url(up / "retry.edi.part", port=p.port),
                        "-Q", f"-rename {up}/retry.edi.part {up}/retry.edi"]
                first, second = curl(*args), curl(*args)
                expect(first.rc == 79 and second.rc == 0, f"{first} / {second}")
                expect(sha((up / "retry.edi").read_bytes()) == sha(big), "sha256 differs")
                track(p)

        with check("proxy stall_after 500 KB: curl https with --speed-limit 1000 --speed-time 2 gives rc 28"):
            with FaultProxy(h.port, stall_after=500_000) as p:
                track(p)
                t0 = time.monotonic()
                c = curl(*h.curl_args(port=p.port), "--speed-limit", "1000", "--speed-time", "2", "-T", local,
                         h.url("/ok/stall.edi", port=p.port))
                expect(c.rc == 28 and time.monotonic() - t0 < 20, f"{c} after {time.monotonic() - t0:.1f} s")
                track(p)

        with check("proxy rate 1 MB/s: 2 MB over https takes 1.5 s or more and succeeds"):
            with FaultProxy(h.port, rate=1_000_000) as p:
                track(p)
                t0 = time.monotonic()
                c = curl(*h.curl_args(port=p.port), "-T", local, h.url("/ok/rate.edi", port=p.port))
                took = time.monotonic() - t0
                expect(c.code == 201 and took >= 1.5 and h.stored()["rate.edi"] == big, f"{c} in {took:.1f} s")
                track(p)
        track(srv)


def test_tmpfs(tmp):
    with check("small_tmpfs 1m: writing 2 MB fails with ENOSPC; unmounted afterwards"):
        with small_tmpfs("1m") as d:
            where = d
            try:
                (d / "fill").write_bytes(b"\0" * 2 * 1024 * 1024)
                raise AssertionError("2 MB fit into a 1 MB tmpfs")
            except OSError as e:
                expect(e.errno == 28, f"errno {e.errno}")
        expect(not where.exists() and not os.path.ismount(where), "the mount is left")

    with check("sftp onto a full 1 MB disk: curl upload of 2 MB fails (rc 79), no final name"):
        local = tmp / "two.edi"
        local.write_bytes(os.urandom(2 * 1024 * 1024))
        with small_tmpfs("1m") as d, SftpServer(d / "root") as srv:
            track(srv)
            up = srv.upload_dir
            c = curl(*srv.curl_args(), "-T", local, srv.url(up / "full.edi.part"), "-Q",
                     f"-rename {up}/full.edi.part {up}/full.edi")
            expect(c.rc == 79, c)
            expect(not (up / "full.edi").exists(), "the final name exists")
            track(srv)


def test_life(tmp):
    with check("lifetime: a server ends by itself when its lifetime is over"):
        with FaultProxy(9, lifetime=1) as p:
            track(p)
            pid = p.proc.pid
            deadline = time.monotonic() + 5
            while p.proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            expect(not alive(pid), "still running after its lifetime")

    with check("a test killed with SIGKILL leaves no server behind (parent-death signal)"):
        script = ("import sys, time; sys.path.insert(0, sys.argv[1]); from servers import *\n"
                  "s = SftpServer(sys.argv[2]).start(); h = HttpsServer(sys.argv[3]).start(); p = FaultProxy(h.port).start()\n"
                  "print(*s.pids, *h.pids, *p.pids, flush=True); print(s.workdir, h.workdir, p.workdir, flush=True)\n"
                  "time.sleep(60)\n")
        child = subprocess.Popen([sys.executable, "-B", "-c", script, str(Path(__file__).resolve().parent),
                                  str(tmp / "crash-sftp"), str(tmp / "crash-store")], stdout=subprocess.PIPE, text=True)
        pids = [int(x) for x in child.stdout.readline().split()]
        workdirs = child.stdout.readline().split()
        ALL_PIDS.update(pids)
        try:
            expect(len(pids) == 4 and all(alive(p) for p in pids), f"servers not running: {pids}")
            child.kill()
            child.wait()
            deadline = time.monotonic() + 10
            while any(alive(p) for p in pids) and time.monotonic() < deadline:
                reap()
                time.sleep(0.05)
            expect(not any(alive(p) for p in pids), f"left running: {[p for p in pids if alive(p)]}")
        finally:
            child.kill()
            child.wait()
            child.stdout.close()
            for d in workdirs:  # the killed test could not remove its work folders
                shutil.rmtree(d, ignore_errors=True)


def reap():
    """We are a child subreaper: orphans of our servers become our children; collect the dead ones."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def our_descendants():
    me = os.getpid()
    out = []
    for task in os.listdir(f"/proc/{me}/task"):
        with contextlib.suppress(FileNotFoundError):
            out += [int(x) for x in Path(f"/proc/{me}/task/{task}/children").read_text().split()]
    return [p for p in out if alive(p)]


GROUPS = {"sftp": test_sftp, "https": test_https, "proxy": test_proxy, "tmpfs": test_tmpfs, "life": test_life}


def main(argv):
    wanted = argv or list(GROUPS)
    unknown = [g for g in wanted if g not in GROUPS]
    if unknown:
        print(f"unknown group(s) {unknown}; groups: {' '.join(GROUPS)}", file=sys.stderr)
        return 2
    missing = [t for t in ("/usr/sbin/sshd", "sftp", "ssh-keygen", "curl", "openssl", "setpriv", "timeout")
               if not shutil.which(t)]
    if missing:
        print(f"missing tools {missing}: run scripts/setup-deps --with-test-tools", file=sys.stderr)
        return 2
    # child subreaper: a server process orphaned by its parent comes to us, so the final check sees it
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="edigate-selftest-"))
    try:
        for name in wanted:
            try:
                GROUPS[name](tmp)
            except Exception as e:
                with check(f"{name}: fixtures start and stop"):
                    raise e
    finally:
        with check("everything stopped: no fixture PID alive, no child process left, work folders removed"):
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                reap()
                if not our_descendants() and not any(alive(p) for p in ALL_PIDS):
                    break
                time.sleep(0.05)
            left = [p for p in ALL_PIDS if alive(p)]
            expect(not left, f"fixture processes still alive: {left}")
            kids = our_descendants()
            expect(not kids, f"child processes left: {[(p, Path(f'/proc/{p}/cmdline').read_text()) for p in kids]}")
            expect(not [d for d in WORKDIRS if d.exists()], f"work folders left: {[d for d in WORKDIRS if d.exists()]}")
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(PASSED)} passed, {len(FAILED)} failed in {time.monotonic() - t0:.1f} s")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
