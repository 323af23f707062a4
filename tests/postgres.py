"""A throwaway PostgreSQL cluster for tests: Debian's binaries (``/usr/lib/postgresql/*/bin``), a data folder
and socket in the test's temporary folder, a free localhost port. As root, the server runs as the
``postgres`` user (initdb refuses root). Skips when PostgreSQL or psycopg is not installed."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def cluster():
    """→ a SQLAlchemy URL ``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres``; removed afterwards."""
    pytest.importorskip("psycopg")
    bins = bin_dir()
    if bins is None:
        pytest.skip("PostgreSQL binaries not installed")
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        as_user = ["runuser", "-u", "postgres", "--"]
    # Its own folder directly in /tmp: pytest's folders are private to the user running the tests.
    tmp = Path(tempfile.mkdtemp(prefix="recon-pg-"))
    data = tmp / "pg"
    data.mkdir(mode=0o700)
    if as_user:
        shutil.chown(tmp, "postgres")
        shutil.chown(data, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        _start(bins, as_user, tmp, data, port)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {exc.stderr}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


def _start(bins: Path, as_user: list[str], tmp: Path, data: Path, port: int) -> None:
    subprocess.run([*as_user, str(bins / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E",
                    "UTF8"], check=True, capture_output=True, timeout=120)
    subprocess.run([*as_user, str(bins / "pg_ctl"), "-D", str(data), "-l", str(tmp / "pg.log"), "-w", "-t", "60",
                    "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True, timeout=120)
