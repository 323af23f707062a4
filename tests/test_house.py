"""Issue 16's house-keeping: one Location type, suites read once and kept on the Result, diff through the
pipeline, and `_guarded` telling a user's mistake from a bug."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from recon import intake, pipeline, rules
from recon.appeal.location import Location
from recon.cli import app
from recon.errors import UsageError


def test_every_finding_carries_a_location_and_json_keeps_its_text(mi2015_result):
    found = mi2015_result.findings
    assert found and all(isinstance(f.location, Location) for f in found)
    assert any(f.location.sheet == "Summary" and f.location.cell for f in found)
    for f in found:
        assert f.to_json()["location"] == str(f.location) == " › ".join(
            p for p in (f.location.file, f.location.sheet, f.location.cell) if p)


def test_an_archived_finding_keeps_its_cell_for_the_annotated_copy(mi2015_result):
    # The web stores findings as JSON and annotates a download from them: the cell comes from the stored
    # parts, never from reading "file › sheet › cell" back.
    odd = Location("a › b.xlsx", "Summary", "B7")  # a file name holding the separator
    f = mi2015_result.findings[0]
    for finding in (f, type(f)(f.rule, f.severity, location=odd), type(f)(f.rule, f.severity)):
        stored = json.loads(json.dumps(intake.stored(finding), ensure_ascii=False))
        assert intake.as_findings([stored]) == [dataclasses.replace(finding, usd_at_stake=0.0)]  # not stored


def test_an_upload_checker_reads_the_suites_once(monkeypatch):
    from recon.rules import gx  # the GX adapter loads the suites it is given a folder of

    reads = []
    real = rules.load_suites
    monkeypatch.setattr(gx, "load_suites", lambda d=None: reads.append(d) or real(d))
    checker = intake.Checker()
    assert len(reads) == 1 and checker.version == checker.rules.loaded.version


def test_a_result_names_the_suites_it_ran_with(mi2015_result):
    assert mi2015_result.rules_version == mi2015_result.suites.version == rules.load_suites().version


@pytest.mark.parametrize("args", [
    ["user", "add", "bob"],                       # only HQ accounts exist
    ["office", "rotate", "--region", "Atlantis"],  # no such region
    ["office", "rotate", "--region", "East and Horn of Africa", "--country", "Kenya"],  # no such office yet
])
def test_a_users_mistake_is_one_line_not_an_internal_error(tmp_path, monkeypatch, args):
    monkeypatch.setenv("RECON_PASSWORD", "a long enough password")
    result = CliRunner().invoke(app, [*args, "--data", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert result.output.startswith("recon: ") and "internal error" not in result.output, result.output


def test_a_bug_shows_as_a_bug(monkeypatch):
    def broken(*_a, **_k):
        raise ValueError("an index out of step")  # not a recon error: a bug somewhere

    monkeypatch.setattr(pipeline, "run", broken)
    result = CliRunner().invoke(app, ["reconcile"])
    assert result.exit_code == 2 and "internal error: ValueError: an index out of step" in result.output


def test_diff_of_a_folder_without_workbooks_says_so(tmp_path):
    with pytest.raises(UsageError, match="no .xlsx workbooks and no report.json"):
        pipeline.revision(tmp_path)
