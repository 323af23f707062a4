"""Faults (issue 18 item 6): a real ``recon serve`` or ``recon revision freeze`` killed with SIGKILL at the worst
moments, a data folder on a disk that is full, a data folder recon may not write in — on SQLite and, where the
database takes part, on a throwaway PostgreSQL.

The exact moments are reached with the archive's test-only pause points (``recon/archive/holds.py``:
``RECON_TEST_HOLD=<point>`` makes the process touch a marker file and wait there to be killed), or, for a
request body still streaming, by a client that sends half of it. After each kill: no revision without its whole
file, no row without its file, no temporary file left in the data folder (or anywhere in the server's TMPDIR),
and the office can upload again.

The full-disk and read-only tests mount a small tmpfs, so they need root (they skip otherwise).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import fixtures as fx
import httpx
import pytest

from recon.archive import Archive

REGION = "East and Horn of Africa"
ROWS = [{"area": "Migration Health", "amount": 1_000_000}, {"area": "Migrant Assistance", "amount": 500_000}]
MISSING = [{"area": "Migration Health", "amount": None, "status": "Requirement"},
           {"area": "Migrant Assistance", "amount": 500_000}]
REPORTS = ["report.html", "report.json", "report.md", "report.xlsx"]


# --------------------------------------------------------------------------------------------- helpers

@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    """None (SQLite in the data folder) or the URL of a throwaway PostgreSQL."""
    if request.param == "sqlite":
        yield None
    else:
        from postgres import cluster

        with cluster() as url:
            yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "recon.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def environment(tmp: Path, **extra: str) -> dict:
    """The server's environment: its own TMPDIR (to see whatever it leaves there), pause points if asked."""
    tmp.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp), "RECON_TEST_HOLD_DIR": str(tmp.parent), **extra}


class Server:
    """``recon serve`` as a real process on a free port, stopped or killed by the test."""

    def __init__(self, data: Path, db: str | None, env: dict, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "recon.cli", "serve", "--data", str(data), "--port", str(self.port),
                 *(["--db", db] if db else [])], stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 240  # the rules are built before the server listens
        while True:
            try:
                httpx.get(self.base + "/", timeout=5)
                return
            except httpx.HTTPError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.proc.kill()
                    pytest.fail(f"recon serve did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def serving(data: Path, db: str | None, env: dict, log: Path):
    server = Server(data, db, env, log)
    try:
        yield server
    finally:
        server.stop()


def office_session(server: Server, link: str) -> tuple[httpx.Client, str, str]:
    """An office's browser: the link opened → (client with its session cookie, upload path, CSRF token)."""
    client = httpx.Client(base_url=server.base, timeout=300)
    page = client.get(link.replace("http://127.0.0.1:8000", server.base), follow_redirects=True)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    action = re.search(r'action="(/offices/\d+/upload)"', page.text).group(1)
    return client, action, token


def upload(server: Server, link: str, book: Path) -> httpx.Response:
    client, action, token = office_session(server, link)
    try:
        return client.post(action, data={"csrf_token": token}, files={"workbook": (book.name, book.read_bytes())})
    finally:
        client.close()


def wait_for(marker: Path, proc: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        assert proc.poll() is None, "the process ended before reaching its pause point"
        assert time.monotonic() < deadline, f"{marker.name} never reached"
        time.sleep(0.05)


def leftovers(data: Path, tmpdir: Path) -> list[Path]:
    """Temporary files or folders: anything in ``<data>/tmp`` or in the server's own TMPDIR."""
    return sorted([*(data / "tmp").glob("*"), *tmpdir.glob("*")])


def store_is_whole(data: Path) -> list[Path]:
    """Every file in the content-addressed store holds exactly the bytes its name says → the files."""
    files = sorted(p for p in (data / "files").rglob("*") if p.is_file())
    for p in files:
        assert hashlib.sha256(p.read_bytes()).hexdigest() == p.parent.name + p.name, f"{p} is not whole"
    return files


def with_office(data: Path, db: str | None) -> tuple[Archive, str]:
    archive = Archive.open(db, data)
    _office, token = archive.add_office(REGION, "Kenya")
    return archive, f"http://127.0.0.1:8000/o/{token}"


def revisions(archive: Archive) -> list:
    office = archive.find_office(REGION, "Kenya")
    return archive.revisions(office.id)


def sqlite_is_sound(data: Path, db: str | None) -> None:
    if db is None:
        import sqlite3

        with contextlib.closing(sqlite3.connect(data / "recon.sqlite3")) as c:
            assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def uploads_again(server: Server, link: str, book: Path, archive: Archive, number: int = 1) -> None:
    r = upload(server, link, book)
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"].endswith(f"/revisions/{number}")
    assert [(rev.number, rev.status) for rev in revisions(archive)][0] == (number, "accepted")


# ------------------------------------------------------------------------------ killed during an upload

def test_server_killed_while_the_upload_body_streams_keeps_nothing_and_takes_the_next_upload(db, tmp_path):
    data, tmpdir, log = tmp_path / "recon-data", tmp_path / "server-tmp", tmp_path / "serve.log"
    archive, link = with_office(data, db)
    book = fx.clean_country(tmp_path, "kenya", ROWS)
    server = Server(data, db, environment(tmpdir), log)
    try:
        client, action, token = office_session(server, link)
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        body = httpx.Request("POST", server.base + action, data={"csrf_token": token},
                             files={"workbook": (book.name, book.read_bytes())})
        payload = body.read()
        head = (f"POST {action} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nCookie: {cookie}\r\n"
                f"Content-Type: {body.headers['content-type']}\r\nContent-Length: {len(payload)}\r\n\r\n")
        with socket.create_connection(("127.0.0.1", server.port)) as slow:
            slow.sendall(head.encode() + payload[: len(payload) // 2])  # half the body, then nothing
            time.sleep(1.0)  # the server is reading the body
            server.kill()
        client.close()
    finally:
        server.stop()
    assert revisions(archive) == []
    with serving(data, db, environment(tmpdir), log) as again:
        assert revisions(archive) == [] and store_is_whole(data) == []
        assert leftovers(data, tmpdir) == []
        uploads_again(again, link, book, archive)
    sqlite_is_sound(data, db)
    assert leftovers(data, tmpdir) == []
    archive.close()


def test_server_killed_after_storing_the_workbook_before_recording_it(db, tmp_path):
    """The file is in the store, its revision not committed: after the restart there is no revision, the
    stored file is whole, the upload's private copy is gone, and the same workbook uploads as revision 1.
    Found a bug: the upload's copy (the office's workbook, ``$TMPDIR/recon-upload-…``) stayed for good."""
    data, tmpdir, log = tmp_path / "recon-data", tmp_path / "server-tmp", tmp_path / "serve.log"
    archive, link = with_office(data, db)
    book = fx.clean_country(tmp_path, "kenya", ROWS)
    server = Server(data, db, environment(tmpdir, RECON_TEST_HOLD="upload-stored"), log)
    try:
        sender = threading.Thread(target=lambda: _quietly(upload, server, link, book), daemon=True)
        sender.start()
        wait_for(tmp_path / "upload-stored", server.proc)
        server.kill()
        sender.join(timeout=30)
    finally:
        server.stop()
    assert revisions(archive) == []  # no row
    stored = store_is_whole(data)  # the file that was stored is whole (just not a revision)
    assert [p.read_bytes() for p in stored] == [book.read_bytes()]
    with serving(data, db, environment(tmpdir), log) as again:
        assert leftovers(data, tmpdir) == []  # swept on start
        uploads_again(again, link, book, archive)
    assert store_is_whole(data) == stored  # the same content, stored once
    sqlite_is_sound(data, db)
    archive.close()


def test_server_killed_while_writing_the_workbook_into_the_store(tmp_path):
    """Half the file written to its temporary name: nothing half-written ever appears in the store, and the
    temporary is removed on the next start. Found a bug: the half-written temporary (``files/tmp/tmp…``) was
    never removed."""
    data, tmpdir, log = tmp_path / "recon-data", tmp_path / "server-tmp", tmp_path / "serve.log"
    archive, link = with_office(data, None)
    book = fx.clean_country(tmp_path, "kenya", ROWS)
    server = Server(data, None, environment(tmpdir, RECON_TEST_HOLD="store-writing"), log)
    try:
        threading.Thread(target=lambda: _quietly(upload, server, link, book), daemon=True).start()
        wait_for(tmp_path / "store-writing", server.proc)
        server.kill()
    finally:
        server.stop()
    assert revisions(archive) == [] and store_is_whole(data) == []
    with serving(data, None, environment(tmpdir), log) as again:
        assert leftovers(data, tmpdir) == [] and not (data / "files" / "tmp").exists()
        uploads_again(again, link, book, archive)
    archive.close()


def _quietly(fn, *args):
    with contextlib.suppress(httpx.HTTPError):
        fn(*args)


# ------------------------------------------------------------------------------- killed during a freeze

def test_freeze_killed_while_storing_its_reports_leaves_no_revision_and_the_next_freeze_is_whole(db, tmp_path,
                                                                                                   checker):
    """Found a bug: the half-written report (``files/tmp/tmp…``) stayed in the store for good."""
    from recon import intake

    data, tmpdir = tmp_path / "recon-data", tmp_path / "freeze-tmp"
    archive, _link = with_office(data, db)
    kenya = archive.find_office(REGION, "Kenya")
    intake.receive(archive, checker, kenya, fx.clean_country(tmp_path, "kenya", MISSING), uploader="test")
    args = ["revision", "freeze", "--data", str(data), *(["--db", db] if db else [])]
    # The second report file half-written into the store, the first one stored: then SIGKILL.
    proc = subprocess.Popen([sys.executable, "-m", "recon.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=environment(tmpdir, RECON_TEST_HOLD="store-writing:2"))
    try:
        wait_for(tmp_path / "store-writing", proc)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert archive.budget_revisions() == []  # no revision without its complete report set
    assert len(store_is_whole(data)) == 2  # the workbook and one whole report, nothing half-written
    done = cli(*args, env=environment(tmpdir))
    assert done.returncode == 0, done.stderr
    assert "froze budget revision 1" in done.stdout
    frozen, = archive.budget_revisions()
    assert sorted(f.name for f in frozen.files) == REPORTS
    for f in frozen.files:
        assert hashlib.sha256(archive.store.path(f.sha256).read_bytes()).hexdigest() == f.sha256
    assert leftovers(data, tmpdir) == []
    sqlite_is_sound(data, db)
    archive.close()


# ------------------------------------------------------------------------------------------- full disk

@contextlib.contextmanager
def tiny_disk(where: Path, size: str, read_only: bool = False):
    """A tmpfs of ``size`` mounted at ``where`` (root only: skips otherwise)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(disk: Path, leave: int) -> Path:
    """A ballast file taking all of ``disk`` but about ``leave`` bytes → the ballast."""
    ballast = disk / "ballast"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(ballast, "wb") as out:
        out.write(b"\0" * max(0, free - leave))
    return ballast


def test_an_upload_that_does_not_fit_gets_a_clear_507_and_nothing_half_stored(tmp_path):
    """Found a bug: the office got "Internal Server Error" (a 500 and a traceback in the server's log)."""
    tmpdir, log = tmp_path / "server-tmp", tmp_path / "serve.log"
    with tiny_disk(tmp_path / "disk", "4m") as disk:
        data = disk / "recon-data"
        archive, link = with_office(data, None)
        book = fx.clean_country(tmp_path, "kenya", ROWS)
        with serving(data, None, environment(tmpdir), log) as server:
            ballast = fill(disk, leave=book.stat().st_size // 3)
            r = upload(server, link, book)
            assert r.status_code == 507, r.text[:500]
            assert "no room left to store your workbook" in r.text and "upload it again later" in r.text
            assert store_is_whole(data) == [] and leftovers(data, tmpdir) == []
            ballast.unlink()
            uploads_again(server, link, book, archive)
        assert "Traceback" not in log.read_text()
        assert "no space left on device — nothing was stored" in log.read_text()
        sqlite_is_sound(data, None)
        archive.close()


def test_a_freeze_that_does_not_fit_fails_whole_in_one_line(tmp_path, checker):
    """Found a bug: "recon: internal error: OSError: [Errno 28] No space left on device (run with --verbose and
    report it)"."""
    from recon import intake

    tmpdir = tmp_path / "freeze-tmp"
    with tiny_disk(tmp_path / "disk", "4m") as disk:
        data = disk / "recon-data"
        archive, _link = with_office(data, None)
        kenya = archive.find_office(REGION, "Kenya")
        intake.receive(archive, checker, kenya, fx.clean_country(tmp_path, "kenya", MISSING), uploader="test")
        before = store_is_whole(data)
        ballast = fill(disk, leave=20_000)  # room for some of the report set, not all of it
        failed = cli("revision", "freeze", "--data", str(data), env=environment(tmpdir))
        assert failed.returncode == 2
        said = failed.stderr.strip()
        assert said.count("\n") == 0 and "Traceback" not in said, said
        assert f"{data}: no space left on device — nothing was stored; free space there" in said
        assert archive.budget_revisions() == []
        assert store_is_whole(data) == before and leftovers(data, tmpdir) == []
        ballast.unlink()
        done = cli("revision", "freeze", "--data", str(data), env=environment(tmpdir))
        assert done.returncode == 0, done.stderr
        assert sorted(f.name for f in archive.budget_revision(1).files) == REPORTS
        archive.close()


# --------------------------------------------------------------------------------- unwritable data folder

def test_serve_with_a_read_only_data_folder_stops_with_one_line_naming_it(tmp_path):
    """Found a bug: "internal error: OSError: [Errno 30] Read-only file system: …/files", without the folder's
    role or what to do."""
    with tiny_disk(tmp_path / "disk", "1m") as disk:
        data = disk / "recon-data"
        data.mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        ran = cli("serve", "--data", str(data), "--port", str(free_port()), timeout=120)
    assert ran.returncode == 2
    said = ran.stderr.strip()
    assert said == (f"recon: {data}: the data folder is not writable (Read-only file system) — give a folder "
                    "recon may write to with --data, or make this one writable by the user running recon"), said
    assert ran.stdout == ""


def test_serve_with_a_data_folder_that_is_a_file_stops_with_one_line_naming_it(tmp_path):
    """Found a bug: "internal error: FileExistsError: [Errno 17] File exists: …/recon-data"."""
    data = tmp_path / "recon-data"
    data.write_text("not a folder")
    ran = cli("serve", "--data", str(data), "--port", str(free_port()), timeout=120)
    assert ran.returncode == 2
    said = ran.stderr.strip()
    assert said == (f"recon: {data}: the data folder is not a folder — give a folder recon may write to with "
                    "--data, or make this one writable by the user running recon"), said
