"""Every file recon writes goes through here: checked before any work, written whole or not at all.

Three promises, for the annotated copy, the report set, the export and the template:

- **Never an input, never through a link.** :func:`refuse_unsafe` runs before any workbook is read: an output
  that is an input (same device and inode, however it is spelt), that is a symbolic link (dangling or not),
  or that is not a plain file is refused with one line.
- **Whole or not at all.** A file is written to a temporary file in its own folder, flushed to disk and then
  renamed into place (:func:`write_file`): ``os.replace`` where overwriting is allowed (the export), a hard
  link where it is not (``os.link`` fails if the name was taken meanwhile), so a reader sees the old file or
  the new one, never half of one. On any exception, Ctrl-C included, the temporary file is removed.
- **A report set from one run.** :class:`ReportFolder` takes a lock on the folder itself (``fcntl.flock``
  on its descriptor, so no lock file is left behind: a second run writing the same folder is refused at
  once, and the lock goes with the process however it ends), writes the four files into a staging folder ``DIR/.recon-staging-*`` and moves
  them into place together — report.json, which ``recon diff`` reads, last — with Ctrl-C and SIGTERM held
  back for those four renames. Ctrl-C before then leaves the previous report set as it was; the staging
  folder is removed (or, after a hard kill, by the next run that takes the lock).

>>> refuse_unsafe(Path("in.xlsx"), inputs=[Path("in.xlsx")])                  # doctest: +SKIP
OutputError: in.xlsx is an input of this run; recon never writes over an input — choose another name
>>> write_file(Path("out.csv"), lambda tmp: tmp.write_text("a,b\\n"), overwrite=True)  # doctest: +SKIP
PosixPath('out.csv')
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from recon.errors import OutputError
from recon.inert import line

STAGING_PREFIX = ".recon-staging-"
TEMP_SUFFIX = ".recon-tmp"


def _show(path: Path) -> str:
    return line(path)


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _input_stats(inputs: Iterable[Path]) -> list[tuple[Path, os.stat_result]]:
    out = []
    for p in inputs:
        with contextlib.suppress(OSError):
            out.append((Path(p), os.stat(p)))
    return out


def refuse_unsafe(out: Path, inputs: Iterable[Path] = (), *, overwrite: bool, what: str = "output") -> None:
    """Refuse ``out`` before any work if writing it could harm an input or go somewhere else than named.

    Raises :class:`OutputError` when ``out`` is a symbolic link, exists and is not a regular file, is one of
    ``inputs`` (same inode — a hard link or another spelling counts), or exists while ``overwrite`` is False.
    """
    out = Path(out)
    try:
        st = os.lstat(out)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{_show(out)}: cannot check this {what} ({exc.strerror})") from exc
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise OutputError(f"{_show(out)} is a symbolic link; recon does not write through links — remove it or "
                          "choose another name")
    if st is not None:
        for path, ist in _input_stats(inputs):
            if _same_file(st, ist):
                raise OutputError(f"{_show(out)} is the input {_show(path)}; recon never writes over an input "
                                  "— choose another name")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{_show(out)} exists and is not a regular file; choose another name")
        if not overwrite:
            raise OutputError(f"{_show(out)} exists; choose another name (recon never overwrites a workbook)")
    parent = out.parent
    if not parent.is_dir() and parent.exists():
        raise OutputError(f"{_show(parent)} is not a folder; cannot write {_show(out)}")


def _mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path(directory: Path, name: str) -> Path:
    """A new, empty, private temporary file in ``directory`` for ``name`` (hidden, removed if unused)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=directory)
    os.close(fd)
    return Path(tmp)


def write_file(out: Path, write: Callable[[Path], object], *, inputs: Iterable[Path] = (),
               overwrite: bool = False, what: str = "output") -> Path:
    """Write ``out`` whole or not at all: ``write(tmp)`` fills a temporary file beside it, then it is renamed.

    ``out`` is checked again with :func:`refuse_unsafe` just before it appears. An ``OSError`` (disk full,
    permission) becomes one :class:`OutputError` line naming ``out``.
    """
    out = Path(out)
    refuse_unsafe(out, inputs, overwrite=overwrite, what=what)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path(out.parent, out.name)
    except OSError as exc:
        raise OutputError(f"{_show(out)}: cannot write ({exc.strerror or exc})") from exc
    try:
        write(tmp)
        os.chmod(tmp, _mode())
        _fsync(tmp)
        refuse_unsafe(out, inputs, overwrite=overwrite, what=what)  # the name may have been taken meanwhile
        if overwrite:
            os.replace(tmp, out)
        else:
            try:
                os.link(tmp, out)  # fails if out appeared meanwhile: never overwrite
            except FileExistsError as exc:
                raise OutputError(f"{_show(out)} exists; choose another name (recon never overwrites a "
                                  "workbook)") from exc
        _fsync_dir(out.parent)
    except OSError as exc:
        raise OutputError(f"{_show(out)}: cannot write ({exc.strerror or exc})") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return out


def write_text(out: Path, text: str, *, encoding: str = "utf-8", inputs: Iterable[Path] = (),
               overwrite: bool = False, what: str = "output") -> Path:
    return write_file(out, lambda tmp: tmp.write_text(text, encoding=encoding), inputs=inputs,
                      overwrite=overwrite, what=what)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) and SIGTERM for a few renames; deliver them right after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, lambda n, _f: caught.append(n))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if caught:
            signal.raise_signal(caught[0])


class ReportFolder:
    """A folder the report set is written into, locked for this run; files appear only on :meth:`commit`.

    >>> with ReportFolder(Path("reports/rev2"), FILES, inputs) as folder:   # doctest: +SKIP
    ...     folder.path("report.md").write_text("...")                        # into the staging folder
    ...     folder.commit()                                                   # all four appear together
    """

    def __init__(self, directory: Path, names: Iterable[str], inputs: Iterable[Path] = ()):
        self.directory = Path(directory)
        self.names = tuple(names)
        self.inputs = list(inputs)
        self._lock_fd: int | None = None
        self._staging: Path | None = None
        self.check()

    def check(self) -> None:
        """The refusals that need no lock: the folder is a folder, is not an input folder, and none of the
        report files in it is an input, a link or something other than a file."""
        d = self.directory
        try:
            st = os.lstat(d)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise OutputError(f"{_show(d)}: cannot use as report folder ({exc.strerror})") from exc
        if stat.S_ISLNK(st.st_mode):
            raise OutputError(f"{_show(d)} is a symbolic link; recon does not write through links — give the "
                              "folder itself")
        if not stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{_show(d)} exists and is not a folder; choose another --report-dir")
        for _path, ist in _input_stats(self.inputs):
            if stat.S_ISDIR(ist.st_mode) and _same_file(st, ist):
                raise OutputError(f"{_show(d)} is a folder of input workbooks (its report.xlsx would be read as a "
                                  "submission); choose another --report-dir")
        for name in self.names:
            refuse_unsafe(d / name, self.inputs, overwrite=True, what="report")

    def __enter__(self) -> ReportFolder:
        d = self.directory
        try:
            d.mkdir(parents=True, exist_ok=True)
            self.check()
            fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            raise OutputError(f"{_show(d)}: cannot write reports here ({exc.strerror or exc})") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise OutputError(f"{_show(d)}: another recon run is writing its reports there; wait for it to "
                              "finish or choose another --report-dir") from exc
        self._lock_fd = fd
        try:
            for stale in d.glob(STAGING_PREFIX + "*"):  # left by a run killed outright; we hold the lock
                if stale.is_dir() and not stale.is_symlink():
                    shutil.rmtree(stale, ignore_errors=True)
            self._staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=d))
        except OSError as exc:
            self._release()
            raise OutputError(f"{_show(d)}: cannot write reports here ({exc.strerror or exc})") from exc
        return self

    def path(self, name: str) -> Path:
        """Where to write ``name`` now (inside the staging folder)."""
        assert self._staging is not None and name in self.names
        return self._staging / name

    def commit(self) -> dict[str, Path]:
        """Move every file into the folder together, in reverse order: the first name (report.json) last."""
        assert self._staging is not None
        staged = {name: self._staging / name for name in self.names}
        missing = [n for n, p in staged.items() if not p.is_file()]
        if missing:
            raise OutputError(f"{_show(self.directory)}: {', '.join(missing)} was not written; nothing replaced")
        try:
            mode = _mode()
            for p in staged.values():
                os.chmod(p, mode)
                _fsync(p)
            self.check()  # nothing planted meanwhile (the lock keeps other recon runs out, not people)
            with held_signals():
                for name, p in reversed(staged.items()):
                    os.replace(p, self.directory / name)
            _fsync_dir(self.directory)
        except OSError as exc:
            raise OutputError(f"{_show(self.directory)}: cannot write reports here ({exc.strerror or exc})") from exc
        return {name: self.directory / name for name in self.names}

    def _release(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def __exit__(self, *exc) -> None:
        self._release()
