"""The upload site's second process: the prepared rules, forked once, sharing the suites of every upload.

A server checks each upload in a worker thread, and recon never forks from one
(:func:`recon.speed.forking.helper_available`), so the forked helper that shares a CLI run's rules is not
there for an upload. Instead the upload site forks its partner once, when its checker is built — from the
main thread, before the server starts any other — and the partner keeps the rules as they were then: Great
Expectations imported, every suite built, nothing to load again.

For each upload, :meth:`Partner.share` lays the suites out in a row (:func:`order`: the entries suite first,
the rest by how many expectations they hold) and the two processes take them from its two ends — the
checker from the front, starting with the entries suite, the partner from the back — each claiming its next
suite in a pair of counters both processes see, until they meet. Whichever side finds its suites quicker
(an upload's failing expectations cost a second pass; the partner starts a moment later, once the frames
have crossed — a regional workbook's few dozen rows, a few KB pickled) simply takes more of them. The
partner sends back the findings of the suites it took.

The partner ends when the checker closes it, when the checker's process exits (it is a daemon), or when the
pipe reads end-of-file — the checker's process is gone, even killed: nothing lingers. It ignores Ctrl-C,
which a terminal sends to the whole process group: the server decides when it stops. Should it die or stop
answering, the checker checks the suites it had taken itself, and every suite from then on.

>>> partner = Partner(check_suite)                                       # doctest: +SKIP
>>> partner.share(["entries", "totals", "pie_chart"], frame_of, here, "auto")   # doctest: +SKIP
{'entries': Checked(...), 'pie_chart': Checked(...), 'totals': Checked(...)}
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable

from recon.speed import collector, forking

PATIENCE = 60.0  # seconds without an answer before the partner counts as stuck; a workbook's share takes < 1


def order(suites: dict[str, dict]) -> list[str]:
    """The row the two processes take suites from: the entries suite first (its frame, the largest, never
    has to cross), then by expectation count, most first — so that the partner, from the back, starts with
    the smallest and the two meet near the middle of the work.

    >>> order({"totals": {"expectations": [1] * 8}, "entries": {"expectations": [1] * 11},
    ...        "pie_chart": {"expectations": [1] * 4}, "country_totals": {"expectations": [1] * 7}})
    ['entries', 'totals', 'country_totals', 'pie_chart']
    """
    return sorted(suites, key=lambda n: (n != "entries", -len(suites[n]["expectations"])))


def available(mode: str) -> bool:
    """A partner is forked only where fork is safe (:func:`recon.speed.forking.can_fork`), from the main
    thread (the server builds its checker before it starts any other); ``auto`` also wants a second core
    for it to run on."""
    return mode != "off" and forking.can_fork() and threading.current_thread() is threading.main_thread() \
        and (mode == "always" or (os.cpu_count() or 1) > 1)


class Partner:
    """A forked process checking suites with the rules it inherited: ``check(rules, name, frame, mode)``
    → a :class:`~recon.rules.gx.Checked` (what :func:`recon.speed.check_suite` does)."""

    def __init__(self, rules, check: Callable):
        self.cpu_seconds = 0.0  # the partner's CPU time spent checking, all uploads so far
        context = forking.context()
        # [next from the front, one past the next from the back] of the current row: shared memory, so
        # that a claim is two integers under a lock, not a message.
        self._ends = context.Array("i", 2)
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(rules, check, theirs, self._pipe, self._ends),
                                        daemon=True, name="recon-partner")
        self._process.start()
        theirs.close()  # the partner's end: only the partner holds it now

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._pipe is not None and self._process.is_alive()

    @property
    def open(self) -> bool:
        """Not closed yet: a partner found dead is closed (and said so) when next asked."""
        return self._pipe is not None

    def share(self, names: list[str], frame_of: Callable, here: Callable, mode: str) -> dict:
        """Every suite of ``names`` (in :func:`order`) checked, by ``here(name)`` in this process or by the
        partner on ``frame_of(name)``: ``{name: Checked}``. A rule error raised there is raised here, as if
        checked here."""
        if not names:
            return {}
        self._ends[0], self._ends[1] = 1, len(names)  # the partner is idle now; the first suite is ours
        done = {}
        answer = self._ask({n: frame_of(n) for n in names[1:]}, names, mode)
        done[names[0]] = here(names[0])
        while (i := _claim(self._ends, front=True)) is not None:
            done[names[i]] = here(names[i])
        said = answer() if answer else None
        done.update(said or {})
        for name in names:  # the partner's, had it died or stuck with them
            if name not in done:
                done[name] = here(name)
        return done

    def _ask(self, frames: dict, names: list[str], mode: str) -> Callable[[], dict | None] | None:
        """Sends the row and its frames; returns what waits for the partner's answer (None if it died or
        is stuck), or None at once if it cannot be reached."""
        if not self.alive:
            if self.open:
                self._lost()
            return None
        try:
            self._pipe.send((names, frames, mode))
        except (OSError, ValueError):
            self._lost()
            return None

        def answer():
            try:
                # A partner silent this long is stuck (a lock some other thread held at the fork would stay
                # locked there): it is ended, and this process checks alone from then on.
                if not self._pipe.poll(PATIENCE):
                    raise TimeoutError
                kind, value, cpu = self._pipe.recv()
            except (EOFError, OSError):  # TimeoutError is an OSError
                self._lost()
                return None
            self.cpu_seconds += cpu
            if kind == "raised":
                raise value
            return value

        return answer

    def _lost(self) -> None:
        print("recon: the rules' partner process stopped answering; this process checks every suite from now on",
              file=sys.stderr)
        self.close()

    def close(self) -> None:
        """Ends the partner (it reads end-of-file) and waits a moment for it."""
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()


def _claim(ends, front: bool) -> int | None:
    """The next suite's index in the row, from the front or from the back; None once the ends have met (or
    if the lock stays taken: a partner killed in the middle of a claim — the checker then checks the rest)."""
    lock = ends.get_lock()
    if not lock.acquire(timeout=PATIENCE):
        return None
    try:
        if ends[0] >= ends[1]:
            return None
        if front:
            ends[0] += 1
            return ends[0] - 1
        ends[1] -= 1
        return ends[1]
    finally:
        lock.release()


def _serve(rules, check: Callable, pipe, checkers_end, ends) -> None:
    """The partner's life: each row's suites taken from the back and checked, until the pipe closes."""
    checkers_end.close()  # else the partner would hold the checker's end open and never read end-of-file
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            names, frames, mode = pipe.recv()
        except (EOFError, OSError):
            return
        cpu = time.thread_time()
        with collector.paused():  # as the checker pauses it around the whole upload
            try:
                done = {}
                while (i := _claim(ends, front=False)) is not None:
                    done[names[i]] = check(rules, names[i], frames[names[i]], mode)
                reply = ("done", done)
            except Exception as exc:  # noqa: BLE001 — raised again in the checker's process
                reply = ("raised", exc)
            message = _pickled(reply, time.thread_time() - cpu)
        try:
            pipe.send_bytes(message)
        except (OSError, ValueError):
            return


def _pickled(reply: tuple, cpu: float) -> bytes:
    """The reply as it crosses: GX's results as they are (their pickle is a fraction of a millisecond; their
    JSON, many), else as JSON (:meth:`recon.rules.gx.Checked.portable`), else — for an exception that does
    not pickle — its text."""
    kind, value = reply
    try:
        return pickle.dumps((kind, value, cpu))
    except Exception:  # noqa: BLE001 — whatever would not pickle, said another way
        pass
    try:
        if kind == "done":
            return pickle.dumps((kind, {name: checked.portable() for name, checked in value.items()}, cpu))
    except Exception as exc:  # noqa: BLE001
        value = exc
    return pickle.dumps(("raised", RuntimeError(f"{type(value).__name__}: {value}"), cpu))
