"""A workbook refused before it is read (a zip bomb, an entity bomb) is reported at once: recon says why and
exits without importing Great Expectations, whose import (2–4 s) would only prepare rules with nothing to
check. Run as a user runs recon, in a fresh interpreter: ``-X importtime`` lists every module it imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import fixtures as fx
import pytest
from test_hostile import entity_bomb, zip_bomb

from recon import pipeline, rules
from recon.speed import readers


def recon(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "recon.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})


def imported(stderr: str) -> set[str]:
    """Modules named by ``-X importtime``: ``import time:  120 |  4000 |   pandas.core`` → ``pandas.core``."""
    return {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def said(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("import time:")]


@pytest.mark.parametrize("build", [zip_bomb, entity_bomb], ids=["zip-bomb", "entity-bomb"])
def test_check_of_a_refused_workbook_says_why_and_exits_before_great_expectations(tmp_path, build):
    path = build(tmp_path)
    done = recon("check", path.name, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = said(done.stderr)
    assert line.startswith(f"recon: {path.name}: ") and "bomb" in line
    modules = imported(done.stderr)
    assert "great_expectations" not in modules
    assert "pandas" not in modules  # the empty reconciliation is not even made: nothing asks for it


def test_a_batch_of_refused_workbooks_read_by_reader_processes_exits_before_great_expectations(tmp_path):
    bomb = zip_bomb(tmp_path)
    names = [bomb.name]
    for i in range(1, 8):  # past readers.PARALLEL_FROM_BYTES, so reader processes read them
        shutil.copy(bomb, tmp_path / f"bomb-{i}.xlsx")
        names.append(f"bomb-{i}.xlsx")
    assert readers.parallel([tmp_path / n for n in names], workers=2, mode="auto")
    done = recon("reconcile", *names, "--format", "json", cwd=tmp_path)
    assert done.returncode == 2
    doc = json.loads(done.stdout)
    assert [(f["rule"], f["location"]) for f in doc["findings"]] == [("READ-UNUSABLE", n) for n in sorted(names)]
    assert doc["rules_version"] == rules.rules_version() and doc["regions"] == []
    assert "great_expectations" not in imported(done.stderr)


def test_refused_workbooks_still_give_the_whole_report(tmp_path):
    """The reports ask for the empty reconciliation and the rules' hash: they are made then."""
    zip_bomb(tmp_path)
    entity_bomb(tmp_path)
    done = recon("reconcile", "zip-bomb.xlsx", "entity-bomb.xlsx", "--report-dir", "out", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "0 workbooks, 0 entries · 2 errors" in done.stdout
    record = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert sorted(f["location"] for f in record["findings"]) == ["entity-bomb.xlsx", "zip-bomb.xlsx"]
    assert "great_expectations" not in imported(done.stderr)


def test_one_readable_workbook_beside_a_refused_one_is_checked_by_every_rule(tmp_path):
    result = pipeline.run([zip_bomb(tmp_path), fx.clean_region(tmp_path)])
    assert result.rule_run is not None and set(result.results) == set(rules.SUITES)
    assert [f.flat(("rule", "location")) for f in result.findings] == [("READ-UNUSABLE", "zip-bomb.xlsx")]
    assert result.exit_code == 2
