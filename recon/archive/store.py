"""Content-addressed files: ``<data>/files/ab/cdef…`` named by the SHA-256 of their bytes.

A file is written to a temporary name beside its place and moved there with ``os.replace`` (atomic on one
filesystem), so a reader sees it whole or not at all; a name that already exists holds the same bytes and is
never written again.

>>> store = FileStore(Path("recon-data"))                                  # doctest: +SKIP
>>> store.put_file(Path("upload.tmp"))                                    # doctest: +SKIP
('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 48213)
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

HEX64 = re.compile(r"[0-9a-f]{64}")


class FileStore:
    def __init__(self, root: Path):
        self.root = Path(root) / "files"
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if not HEX64.fullmatch(sha256 or ""):  # only ever a hash: nothing from a request becomes a path
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def put_file(self, source: Path) -> tuple[str, int]:
        """Copy ``source`` into the store → (sha256, size). ``source`` is left as it is."""
        digest, size = hashlib.sha256(), 0
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=tmp_dir)
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(1 << 16):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path(sha)
            if final.exists():
                return sha, size
            final.parent.mkdir(exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, final)
            tmp = None
            return sha, size
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    @contextmanager
    def named(self, sha256: str, filename: str):
        """The stored file under ``filename`` in a fresh temporary folder (so that findings name the file as
        its office called it), removed afterwards. ``filename`` must already be safe (see safe_filename)."""
        with tempfile.TemporaryDirectory(prefix="recon-") as d:
            target = Path(d) / filename
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
