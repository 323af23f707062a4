"""``recon serve`` as a real process for the bench scripts (``serve.py``, ``deadline.py``): started on a free
127.0.0.1 port, waited for until it answers (the rules are built before it listens), and always stopped.

    with serving(Path("/tmp/x/recon-data"), db=None, log=Path("/tmp/x/serve.log")) as server:
        httpx.get(server.base + "/")          # server.base == "http://127.0.0.1:41873", server.pid for /proc
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

START_SECONDS = 300  # building the rule suites on a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    base: str
    started_s: float  # from the start of the process until it answered

    @property
    def pid(self) -> int:
        return self.proc.pid


@contextlib.contextmanager
def serving(data: Path, db: str | None = None, log: Path | None = None, port: int | None = None):
    """``recon serve --data DATA [--db DB]`` on ``port`` (a free one by default) → :class:`Server` once it
    answers ``GET /``; terminated (killed after 60 s) on the way out. Output goes to ``log`` (appended), or
    nowhere. Stops the bench (SystemExit, with the log's end) if the server does not come up."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "recon.cli", "serve", "--data", str(data), "--port", str(port),
           *(["--db", db] if db else [])]
    started = time.perf_counter()
    with open(log, "a") if log else contextlib.nullcontext(subprocess.DEVNULL) as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5).close()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - started > START_SECONDS:
                    said = log.read_text()[-2000:] if log else ""
                    raise SystemExit(f"recon serve did not start: {said}") from None
                time.sleep(0.2)
        yield Server(proc, base, time.perf_counter() - started)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
