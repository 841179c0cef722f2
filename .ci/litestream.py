"""Litestream replicating a live venue-groups database to a real
S3-compatible server (moto), a crash of both, and a restore.

Run by .ci/litestream (which installs Litestream and moto into a venv):
    python .ci/litestream.py BIN VENV_BIN MODE

MODE is the server's --checkpoint: "external" (the documented setup: only
Litestream checkpoints) or "internal" (the server's own checkpoint thread
beside Litestream's, to show whether they fight).

Steps: start moto on 127.0.0.1 and make the bucket; start the server and
`litestream replicate` with dist/litestream.yml (its paths and endpoint
pointed here); write groups through the API from several threads for a
few seconds, noting when each 200 came back; SIGKILL the server and
Litestream at once; `litestream restore` into an empty directory; check
`PRAGMA integrity_check`, that every write acknowledged more than the sync
interval before the kill is in the copy, and that the binary serves the
restored file. Prints the measured recovery point; exits non-zero on any
failure.
"""

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYNC_INTERVAL = 1.0  # dist/litestream.yml's sync-interval
MONITOR_INTERVAL = 0.1  # and its monitor-interval
# Litestream notices a commit on its next monitor tick and ships it on the
# next sync tick; the upload itself then takes time (moto is Python, and CI
# shares two cores with the writers). A write acknowledged longer ago than
# this must be in the replica.
UPLOAD_ALLOWANCE = 0.5
BOUND = SYNC_INTERVAL + MONITOR_INTERVAL + UPLOAD_ALLOWANCE
WRITE_SECONDS = float(os.environ.get("LITESTREAM_WRITE_SECONDS", "8"))
WRITERS = 4
ADMIN = ("admin@litestream.test", "litestream-password")


def fail(message):
    print(f"litestream: FAILED: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.05)
    fail(f"{what} did not happen within {seconds} s")


def call(method, url, token=None, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


class Server:
    """The venue-groups binary on a database file."""

    def __init__(self, bin_path, db, log_path, extra=()):
        env = dict(os.environ, VENUE_GROUPS_ADMIN_EMAIL=ADMIN[0], VENUE_GROUPS_ADMIN_PASSWORD=ADMIN[1])
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [bin_path, "--db", db, "serve", "--addr", "127.0.0.1:0", "--log", "warn", *extra],
            stdout=subprocess.DEVNULL, stderr=self.log, env=env)

        def listening():
            if self.proc.poll() is not None:
                fail(f"the server exited: {open(log_path).read()}")
            m = re.search(r"listening on (http://[0-9.:]+)", open(log_path).read())
            return m and m.group(1)
        self.base = wait_for("the server to listen", listening)
        self.api = self.base + "/api/internal/v1"

    def login(self):
        status, body = call("POST", self.api + "/auth/login", body={"email": ADMIN[0], "password": ADMIN[1]})
        if status != 200:
            fail(f"login answered {status}")
        return body["data"]["token"]


def main():
    bin_path, venv_bin, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    work = tempfile.mkdtemp(prefix="venue-groups-litestream-")
    procs = []
    passed = False
    try:
        run(bin_path, venv_bin, mode, work, procs)
        passed = True
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        # A failed run keeps its logs, database and restored copy.
        if passed and os.environ.get("LITESTREAM_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"litestream: kept {work}", file=sys.stderr)


def run(bin_path, venv_bin, mode, work, procs):
    live = os.path.join(work, "live")
    os.mkdir(live)
    db = os.path.join(live, "venue-groups.db")

    # A real S3 API on loopback.
    port = free_port()
    moto = subprocess.Popen([os.path.join(venv_bin, "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "moto.log"), "w"))
    procs.append(moto)
    endpoint = f"http://127.0.0.1:{port}"
    wait_for("moto to answer", lambda: urllib.request.urlopen(endpoint, timeout=1).status == 200)
    urllib.request.urlopen(urllib.request.Request(endpoint + "/venue-groups-backup", method="PUT"), timeout=5)

    # The documented example, pointed at this database and this endpoint.
    config = open(os.path.join(ROOT, "dist", "litestream.yml")).read()
    config = config.replace("/var/lib/venue-groups/venue-groups.db", db)
    config = config.replace("https://s3.example.com", endpoint)
    if f"sync-interval: {int(SYNC_INTERVAL)}s" not in config or \
            f"monitor-interval: {int(MONITOR_INTERVAL * 1000)}ms" not in config:
        fail("dist/litestream.yml's sync-interval or monitor-interval is not the one this test assumes")
    config_path = os.path.join(work, "litestream.yml")
    open(config_path, "w").write(config)
    env = dict(os.environ, LITESTREAM_ACCESS_KEY_ID="test", LITESTREAM_SECRET_ACCESS_KEY="test")
    # A CA bundle for AWS makes Litestream's S3 client refuse to start
    # ("unable to add custom RootCAs HTTPClient"); the endpoint here is
    # plain HTTP on loopback, so it needs none.
    env.pop("AWS_CA_BUNDLE", None)
    litestream = os.path.join(venv_bin, "litestream")

    server = Server(bin_path, db, os.path.join(work, "server.log"), [f"--checkpoint={mode}"])
    procs.append(server.proc)
    ls_log_path = os.path.join(work, "litestream.log")
    replicate = subprocess.Popen([litestream, "replicate", "-config", config_path],
                                 stdout=open(ls_log_path, "w"), stderr=subprocess.STDOUT, env=env)
    procs.append(replicate)
    token = server.login()
    status, body = call("POST", server.api + "/partners", token, {"name": "Replicated hall"})
    if status != 200:
        fail(f"creating the partner answered {status}")
    partner = body["data"]["id"]
    time.sleep(1.5)  # Litestream's first snapshot

    # Writes under load; each acknowledged one noted with its time.
    acked = []
    lock = threading.Lock()
    stop = threading.Event()
    errors = []

    def writer(w):
        n = 0
        while not stop.is_set():
            name = f"w{w}-{n}"
            try:
                status, _ = call("POST", f"{server.api}/partners/{partner}/groups", token, {"name": name})
            except OSError:
                return  # the kill
            if status == 200:
                with lock:
                    acked.append((name, time.monotonic()))
            elif not stop.is_set():
                errors.append(f"{name}: {status}")
            n += 1
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    time.sleep(WRITE_SECONDS)
    if replicate.poll() is not None:
        fail(f"Litestream stopped while the writes went on:\n{open(ls_log_path).read()[-3000:]}")
    # The crash: both at once, mid-write.
    killed_at = time.monotonic()
    os.kill(server.proc.pid, signal.SIGKILL)
    os.kill(replicate.pid, signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    server.proc.wait()
    replicate.wait()
    if errors:
        fail(f"writes failed under load: {errors[:5]}")
    if len(acked) < 50:
        fail(f"only {len(acked)} writes in {WRITE_SECONDS} s")
    log = open(ls_log_path).read()
    if re.search(r"level=ERROR", log):
        fail(f"Litestream logged errors:\n{log[-3000:]}")

    # The disk is gone: restore into an empty directory from the replica.
    restored_dir = os.path.join(work, "restored")
    os.mkdir(restored_dir)
    restored = os.path.join(restored_dir, "venue-groups.db")
    started = time.monotonic()
    out = subprocess.run([litestream, "restore", "-config", config_path, "-o", restored, db],
                         capture_output=True, text=True, env=env, timeout=120)
    restore_s = time.monotonic() - started
    if out.returncode != 0:
        fail(f"litestream restore: {out.stdout}{out.stderr}")
    conn = sqlite3.connect(restored)
    check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        fail(f"integrity_check: {check}")
    present = {r[0] for r in conn.execute("SELECT name FROM groups")}
    conn.close()
    missing = [(n, t) for n, t in acked if n not in present]
    late = [(n, t) for n, t in missing if killed_at - t > BOUND]
    if late:
        worst = max(killed_at - t for _, t in late)
        fail(f"{len(late)} writes acknowledged more than {BOUND:.1f} s before the kill are missing "
             f"(the oldest {worst:.2f} s before it), e.g. {late[:3]}")
    lost_window = max((killed_at - t for _, t in missing), default=0.0)

    # The binary serves the restored file with every restored write.
    again = Server(bin_path, restored, os.path.join(work, "restored.log"))
    procs.append(again.proc)
    token = again.login()
    status, body = call("GET", f"{again.api}/partners/{partner}/groups?per_page=1", token)
    if status != 200 or body["meta"]["total"] != len(present):
        fail(f"the restored server lists {body and body['meta']['total']} groups, the file has {len(present)}")
    again.proc.send_signal(signal.SIGTERM)
    if again.proc.wait(timeout=30) != 0:
        fail("the server on the restored file did not stop cleanly")

    print(f"litestream ({mode} checkpoints): {len(acked)} writes acknowledged in {WRITE_SECONDS:.0f} s, "
          f"{len(acked) - len(missing)} restored, {len(missing)} lost; the lost ones were acknowledged at most "
          f"{lost_window:.2f} s before the kill (sync interval {SYNC_INTERVAL:.0f} s, monitor interval "
          f"{MONITOR_INTERVAL * 1000:.0f} ms, checked bound {BOUND:.1f} s); restore took {restore_s:.1f} s",
          flush=True)


if __name__ == "__main__":
    main()
