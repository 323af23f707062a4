"""The upload site's second process: the prepared rules, forked once, sharing the suites of every upload.

A server checks each upload in a worker thread, and recon never forks from one
(:func:`recon.speed.forking.helper_available`), so the forked helper that shares a CLI run's rules is not
there for an upload. Instead the upload site forks its partner once, when its checker is built — from the
main thread, before the server starts any other — and the partner keeps the rules as they were then: Great
Expectations imported, every suite built, nothing to load again.

For each upload the checker opens a :class:`Session`. The reconciliation builds the entries frame first and
hands it over at once (:meth:`Session.early`): the partner validates the entries suite — the largest — while
the checker reconciles the published tables. Then :meth:`Session.share` lays the other suites out in a row
(:func:`order`: costliest first) with their frames (a regional workbook's few dozen rows, a few KB
pickled), and both processes take the next suite of the row in turn, through a counter both see, until none
is left: whichever side is free first takes the next one, so an upload's failing expectations (they cost a
second pass) do not leave one side waiting. The partner sends back the findings of the suites it checked.

The partner ends when the checker closes it, when the checker's process exits (it is a daemon), or when the
pipe reads end-of-file — the checker's process is gone, even killed: nothing lingers. It ignores Ctrl-C,
which a terminal sends to the whole process group: the server decides when it stops. Should it die or stop
answering, the checker checks the suites it had taken itself, and every suite from then on.

>>> partner = Partner(rules, check_suite)                                # doctest: +SKIP
>>> with partner.session("auto") as s:                                   # doctest: +SKIP
...     s.early("entries", entries_frame)
...     done = s.share(["totals", "pie_chart"], frame_of, here)
>>> sorted(done)                                                         # doctest: +SKIP
['entries', 'pie_chart', 'totals']
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable

from recon.speed import collector, forking

PATIENCE = 60.0  # seconds without an answer before the partner counts as stuck: far beyond any workbook's share


def order(suites: dict[str, dict], took: dict[str, float] | None = None) -> list[str]:
    """The row both processes take suites from, costliest first, so that the last suites taken are the
    small ones that even out the two sides: by how long each took last time (``took``, seconds: its failing
    expectations' second passes included) once every suite has been timed, else by expectation count (GX's
    cost is mostly per expectation).

    >>> order({"totals": {"expectations": [1] * 8}, "entries": {"expectations": [1] * 11},
    ...        "pie_chart": {"expectations": [1] * 4}, "country_totals": {"expectations": [1] * 7}})
    ['entries', 'totals', 'country_totals', 'pie_chart']
    >>> order({"totals": {"expectations": [1] * 8}, "pie_chart": {"expectations": [1] * 4}},
    ...       {"totals": 0.031, "pie_chart": 0.045})
    ['pie_chart', 'totals']
    """
    if took and all(n in took for n in suites):
        return sorted(suites, key=lambda n: -took[n])
    return sorted(suites, key=lambda n: -len(suites[n]["expectations"]))


def available(mode: str) -> bool:
    """A partner is forked only where fork is safe (:func:`recon.speed.forking.can_fork`), from the main
    thread (the server builds its checker before it starts any other); ``auto`` also wants a second core
    for it to run on."""
    return mode != "off" and forking.can_fork() and threading.current_thread() is threading.main_thread() \
        and (mode == "always" or (os.cpu_count() or 1) > 1)


class Partner:
    """A forked process checking suites with the rules it inherited: ``check(rules, name, frame, mode)``
    → a :class:`~recon.rules.gx.Checked` (what :func:`recon.speed.check_suite` does). One upload at a time
    talks to it, through a :class:`Session`."""

    def __init__(self, rules, check: Callable):
        self.cpu_seconds = 0.0  # the partner's CPU time spent checking, all uploads so far
        self.took: dict[str, float] = {}  # suite → how long its last check took (either process), for order()
        context = forking.context()
        # [next suite to take, suites in the row] of the current upload: shared memory, so that taking a
        # suite is an integer under a lock, not a message.
        self._row = context.Array("i", 2)
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(rules, check, theirs, self._pipe, self._row),
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

    def session(self, mode: str, on_entries: list[str] = ()) -> Session:
        """One upload's exchange; ``on_entries``: the suites on the entries frame (:meth:`Session.entries_ready`)."""
        return Session(self, mode, on_entries)

    def _send(self, message: tuple) -> bool:
        if not self.alive:
            if self.open:
                self._lost()
            return False
        try:
            self._pipe.send(message)
            return True
        except (OSError, ValueError):
            self._lost()
            return False

    def _answer(self) -> dict | None:
        """The partner's findings, ``{name: Checked}``; None if it died or is stuck. A rule error raised there
        is raised here."""
        try:
            # A partner silent this long is stuck (a lock some other thread held at the fork would stay locked
            # there): it is ended, and this process checks alone from then on.
            if not self._pipe.poll(PATIENCE):
                raise TimeoutError
            kind, value, cpu, took = self._pipe.recv()
        except (EOFError, OSError):  # TimeoutError is an OSError
            self._lost()
            return None
        self.cpu_seconds += cpu
        self.took.update(took)
        if kind == "raised":
            raise value
        return value

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


class Session:
    """One upload's exchange with the partner: :meth:`early` hands it a suite whose frame is ready before
    the rest (the entries suite, while the tables are still being reconciled); :meth:`share` then lays out
    the other suites and both processes take them until none is left. However the ``with`` block is left —
    the reconciliation or a rule raised before the partner's answer was read — the exchange is closed and its
    answer read, so that the next upload starts clean."""

    def __init__(self, partner: Partner, mode: str, on_entries: list[str] = ()):
        self.partner, self.mode, self.on_entries = partner, mode, list(on_entries)
        self.early_names: list[str] = []
        self._sent_early = self._sent_rest = False  # what the partner was sent and has not answered yet

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        if self._sent_early and not self._sent_rest:  # the partner waits for the rest: there is none
            self.partner._row[0], self.partner._row[1] = 0, 0
            self._sent_rest = self.partner._send(("rest", [], {}, self.mode))
        if self._sent_rest:  # its answer unread: read (and drop) it
            with contextlib.suppress(Exception):
                self._answer()

    def entries_ready(self, frame) -> None:
        """What the reconciliation calls once the entries frame is final: its suites to the partner."""
        for name in self.on_entries:
            self.early(name, frame)

    def early(self, name: str, frame) -> None:
        """The partner checks suite ``name`` on ``frame`` at once."""
        if self.partner._send(("early", name, frame, self.mode)):
            self.early_names.append(name)
            self._sent_early = True

    def share(self, names: list[str], frame_of: Callable, here: Callable) -> dict:
        """Every suite of ``names`` (and those sent early) checked: ``{name: Checked}``. Both processes take
        the next suite of ``names`` in turn (so put the costliest first); this one checks by ``here(name)``,
        the partner on ``frame_of(name)``, sent now."""
        row = self.partner._row
        row[0], row[1] = 0, len(names)  # the partner is not taking yet: it takes once this message is read
        self._sent_rest = self.partner._send(("rest", names, {n: frame_of(n) for n in names}, self.mode))
        done = {}
        while (i := _take(row)) is not None:
            started = time.perf_counter()
            done[names[i]] = here(names[i])
            self.partner.took[names[i]] = time.perf_counter() - started
        if self._sent_rest:
            done.update(self._answer() or {})
        for name in [*self.early_names, *names]:  # the partner's, had it died or stuck with them
            if name not in done:
                done[name] = here(name)
        return done

    def _answer(self) -> dict | None:
        self._sent_early = self._sent_rest = False
        return self.partner._answer()


def _take(row) -> int | None:
    """The next suite's index in the row; None once all are taken (or if the lock stays taken: a partner
    killed in the middle of taking one — the checker then checks what is left)."""
    lock = row.get_lock()
    if not lock.acquire(timeout=PATIENCE):
        return None
    try:
        if row[0] >= row[1]:
            return None
        row[0] += 1
        return row[0] - 1
    finally:
        lock.release()


def _serve(rules, check: Callable, pipe, checkers_end, row) -> None:
    """The partner's life, until the pipe closes: per upload, the suites sent early checked at once, then
    its turns at the rest; one reply with everything it checked."""
    checkers_end.close()  # else the partner would hold the checker's end open and never read end-of-file
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        done, took, failed, cpu = {}, {}, None, 0.0
        while True:
            try:
                kind, *message = pipe.recv()
            except (EOFError, OSError):
                return
            start = time.thread_time()
            with collector.paused():  # as the checker pauses it around the whole upload
                try:
                    if kind == "early":
                        name, frame, mode = message
                        if failed is None:
                            done[name] = _timed(took, name, check, rules, frame, mode)
                    else:
                        names, frames, mode = message
                        while failed is None and (i := _take(row)) is not None:
                            done[names[i]] = _timed(took, names[i], check, rules, frames[names[i]], mode)
                except Exception as exc:  # noqa: BLE001 — raised again in the checker's process
                    failed = exc
            cpu += time.thread_time() - start
            if kind == "rest":
                break
        try:
            pipe.send_bytes(_pickled(("done", done) if failed is None else ("raised", failed), cpu, took))
        except (OSError, ValueError):
            return


def _timed(took: dict, name: str, check: Callable, rules, frame, mode: str):
    """``check(rules, name, frame, mode)``, its wall time kept in ``took[name]``."""
    started = time.perf_counter()
    checked = check(rules, name, frame, mode)
    took[name] = time.perf_counter() - started
    return checked


def _pickled(reply: tuple, cpu: float, took: dict) -> bytes:
    """The reply as it crosses: GX's results pickled as they are (far cheaper than their JSON, see
    bench/README.md), else as JSON (:meth:`recon.rules.gx.Checked.portable`), else — for an exception that
    does not pickle — its text."""
    kind, value = reply
    try:
        return pickle.dumps((kind, value, cpu, took))
    except Exception:  # noqa: BLE001 — whatever would not pickle, said another way
        pass
    try:
        if kind == "done":
            return pickle.dumps((kind, {name: checked.portable() for name, checked in value.items()}, cpu, took))
    except Exception as exc:  # noqa: BLE001
        value = exc
    return pickle.dumps(("raised", RuntimeError(f"{type(value).__name__}: {value}"), cpu, took))
