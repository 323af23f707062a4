"""The terminal report: a progress bar while many workbooks are read, and a findings table kept to what a
screen can show (redirected output keeps every finding)."""

from __future__ import annotations

import dataclasses
import io
import os
import pty
import subprocess
import sys

import fixtures as fx
from rich.console import Console

from recon import pipeline
from recon.appeal.finding import Finding
from recon.appeal.location import Location
from recon.report import terminal

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_reading_many_workbooks_on_a_terminal_shows_a_progress_bar():
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "recon.cli", "reconcile"], stdin=slave, stdout=slave,
                            stderr=slave, cwd=REPO, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=600) == 1  # the 2015 edition has errors
    os.close(master)
    text = out.decode("utf-8", errors="replace")
    assert "Reading workbooks" in text  # ten workbooks: more than a few
    assert "East and Horn of Africa" in text  # and the report followed


def _many_findings(tmp_path, n: int):
    result = pipeline.run([fx.clean_region(tmp_path)])
    found = [Finding("ENTRY-AMOUNT-MISSING", "error", fx.REGION, "Kenya", "Migration Health",
                     location=Location("x.xlsx", "Entries", f"C{i + 2}"), message=f"finding {i}") for i in range(n)]
    return dataclasses.replace(result, findings=found)


def test_a_terminal_draws_the_worst_findings_and_counts_the_rest(tmp_path):
    result = _many_findings(tmp_path, terminal.TERMINAL_FINDINGS + 50)
    console = Console(file=io.StringIO(), width=200, force_terminal=True, record=True)
    terminal.render(result, console)
    text = console.export_text()  # what the screen shows, without escape codes
    assert "finding 0" in text and f"finding {terminal.TERMINAL_FINDINGS - 1}" in text
    assert f"finding {terminal.TERMINAL_FINDINGS}" not in text
    assert "… 50 more, worst first above" in text


def test_redirected_output_lists_every_finding(tmp_path):
    result = _many_findings(tmp_path, terminal.TERMINAL_FINDINGS + 50)
    piped = io.StringIO()
    terminal.render(result, Console(file=piped, width=200, force_terminal=False))
    assert piped.getvalue().count("ENTRY-AMOUNT-MISSING") == terminal.TERMINAL_FINDINGS + 50
    assert "more, worst first" not in piped.getvalue()
