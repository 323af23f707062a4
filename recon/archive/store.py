"""Content-addressed files: ``<data>/files/ab/cdef…`` named by the SHA-256 of their bytes.

A file is written to a temporary name beside its place and moved there with ``os.replace`` (atomic on one
filesystem), so a reader sees it whole or not at all; a name that already exists holds the same bytes and is
never written again.

Every temporary file or folder the archive needs (an upload being checked, a file on its way into the store, a
freeze's report set) lives in a private folder under ``<data>/tmp/``, locked (``flock``) by the process using
it for as long as it does: a process killed mid-write leaves its folder unlocked, and the next process that
opens the store removes it (:meth:`FileStore.sweep`), while another live process's folder stays untouched.
A full disk is :class:`ArchiveFull`, one line saying so; nothing half-written is ever visible.

>>> store = FileStore(Path("recon-data"))                                  # doctest: +SKIP
>>> store.put_file(Path("upload.tmp"))                                    # doctest: +SKIP
('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 48213)
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from recon.archive.holds import hold
from recon.errors import OutputError

HEX64 = re.compile(r"[0-9a-f]{64}")
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
NEW, LIVE = ".new-", "live-"  # a scratch folder is NEW until its creator holds its lock, then LIVE
NEW_GRACE_S = 60  # a NEW folder older than this was left by a process killed between mkdtemp and flock


class ArchiveFull(OutputError):
    """The data folder (or the database) has no room left: nothing was stored, e.g. ``ArchiveFull("recon-data:
    no space left on device — nothing was stored; free space there or move --data to a larger disk")``."""


class DataFolderUnusable(OutputError):
    """recon cannot write in its data folder (permissions, a read-only disk, not a folder)."""


def full(where: Path | str) -> ArchiveFull:
    return ArchiveFull(f"{where}: no space left on device — nothing was stored; free space there or move "
                       "--data to a larger disk, then try again")


@contextmanager
def no_space_is_clear(where: Path):
    """An OSError for a full disk inside the block → :class:`ArchiveFull` naming ``where``."""
    try:
        yield
    except OSError as exc:
        if exc.errno in NO_SPACE:
            raise full(where) from exc
        raise
    except OutputError as exc:  # recon.output already turned it into a line naming a temporary file
        cause = exc.__cause__
        if isinstance(cause, OSError) and cause.errno in NO_SPACE and not isinstance(exc, ArchiveFull):
            raise full(where) from exc
        raise


def writable(data: Path) -> None:
    """Refuse at once a data folder recon could not write in: one line naming it and what to do."""
    data = Path(data)
    what = ("give a folder recon may write to with --data, or make this one writable by the user running "
            "recon")
    if data.exists() and not data.is_dir():
        raise DataFolderUnusable(f"{data}: the data folder is not a folder — {what}")
    try:
        data.mkdir(parents=True, exist_ok=True)
        for sub in (data, data / "files", data / "tmp"):
            sub.mkdir(exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=sub, prefix=".probe-")
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        if exc.errno in NO_SPACE:
            raise full(data) from exc
        reason = exc.strerror or type(exc).__name__
        raise DataFolderUnusable(f"{data}: the data folder is not writable ({reason}) — {what}") from exc


class FileStore:
    def __init__(self, root: Path):
        self.data = Path(root)
        writable(self.data)
        self.root = self.data / "files"
        self.tmp = self.data / "tmp"
        self.sweep()

    @contextmanager
    def scratch(self):
        """A fresh private folder under ``<data>/tmp/``, locked while in use, removed afterwards → its path."""
        with no_space_is_clear(self.data):
            new = Path(tempfile.mkdtemp(prefix=NEW, dir=self.tmp))
        fd = os.open(new, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # the lock is on the folder itself: it follows the rename
            live = new.with_name(LIVE + new.name[len(NEW):])
            os.rename(new, live)
            try:
                yield live
            finally:
                shutil.rmtree(live, ignore_errors=True)
        finally:
            os.close(fd)

    def sweep(self) -> list[Path]:
        """Remove what killed processes left in ``<data>/tmp/`` (folders no live process holds) → those."""
        import time

        removed = []
        for entry in sorted(self.tmp.iterdir()) if self.tmp.is_dir() else []:
            if entry.name.startswith(NEW):
                with contextlib.suppress(OSError):
                    if time.time() - entry.stat().st_mtime > NEW_GRACE_S:
                        shutil.rmtree(entry, ignore_errors=True)
                        removed.append(entry)
                continue
            if not entry.name.startswith(LIVE):
                continue
            try:
                fd = os.open(entry, os.O_RDONLY)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # a live process is using it
                os.close(fd)
                continue
            try:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
            finally:
                os.close(fd)
        return removed

    def path(self, sha256: str) -> Path:
        if not HEX64.fullmatch(sha256 or ""):  # only ever a hash: nothing from a request becomes a path
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def put_file(self, source: Path) -> tuple[str, int]:
        """Copy ``source`` into the store → (sha256, size). ``source`` is left as it is.
        :class:`ArchiveFull` when it does not fit (nothing of it is left behind)."""
        digest, size = hashlib.sha256(), 0
        with no_space_is_clear(self.data), self.scratch() as d:
            tmp = d / "incoming"
            with open(tmp, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(1 << 16):
                    digest.update(chunk)
                    out.write(chunk)
                    if not size:
                        hold("store-writing")  # a test kills the process here: a first chunk written, no more
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path(sha)
            if final.exists():
                return sha, size
            final.parent.mkdir(exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, final)
            return sha, size

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    @contextmanager
    def named(self, sha256: str, filename: str):
        """The stored file under ``filename`` in a fresh temporary folder (so that findings name the file as
        its office called it), removed afterwards. ``filename`` must already be safe (see safe_filename)."""
        with self.scratch() as d:
            target = d / filename
            try:
                os.link(self.path(sha256), target)
            except OSError:
                shutil.copyfile(self.path(sha256), target)
            yield target


SAFE = re.compile(r"[^\w.() -]+")  # letters of any script stay: "Sénégal.xlsx"


def safe_filename(name: str | None, default: str = "workbook.xlsx") -> str:
    """A plain file name that can never leave its folder, from whatever a browser sent:
    ``"../../x.xlsx"`` → ``"x.xlsx"``, ``"C:\\\\Users\\\\a\\\\b.xlsx"`` → ``"b.xlsx"``, ``"..."`` → ``"workbook.xlsx"``,
    ``"<script>.xlsx"`` → ``"_script_.xlsx"``. The suffix is kept (the guard names a .csv as a CSV)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = SAFE.sub("_", base).strip(" .")
    if len(base) > 120:
        stem, dot, suffix = base.rpartition(".")
        base = f"{stem[:100]}.{suffix[:10]}" if dot else base[:120]
    return base if base.strip("._ ") else default
