"""``recon export --db URL --revision N|latest`` and ``recon diff --db URL 1 2`` (issue 18): a frozen budget
revision read back from the archive gives the same output as its workbooks in a folder, or its report.json;
on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import json
import shutil

import fixtures as fx
import pytest
from typer.testing import CliRunner
from web_site import BACKENDS, build, on, upload

from recon.archive.freeze import freeze
from recon.cli import app as cli

FIXED = [{"area": "Migration Health", "amount": 1_000_000}, {"area": "Migrant Assistance", "amount": 500_000},
         {"area": "Migration Policy and Research", "status": "Funded"}]


@pytest.fixture(params=BACKENDS)
def two_revisions(request, tmp_path, checker):
    """Kenya's workbook with a missing amount frozen as budget revision 1, its fix (plus Uganda's) as 2 →
    (site, folder of revision 1's workbooks, folder of revision 2's, the `--db … --data …` arguments)."""
    with on(request.param, tmp_path, checker) as site:
        one, two = tmp_path / "one", tmp_path / "two"
        one.mkdir(), two.mkdir()
        kenya = site.office_client(site.kenya_token)
        upload(kenya, site.kenya, fx.clean_country(one, "kenya", fx.KENYA_MISSING_AMOUNT))
        freeze(site.archive, frozen_by="alice", rules_dir=checker.rules_dir, prepared=checker.rules)
        upload(kenya, site.kenya, fx.clean_country(two, "kenya", FIXED))
        upload(site.office_client(site.uganda_token), site.uganda, fx.write(two, "uganda", FIXED, country="Uganda"))
        freeze(site.archive, frozen_by="alice", rules_dir=checker.rules_dir, prepared=checker.rules)
        yield site, one, two, ["--db", site.archive.url, "--data", str(site.data)]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def report_json(site, number: int, folder) -> str:
    """Budget revision ``number``'s report.json, copied to ``folder``/report.json as a download would be."""
    item = next(f for f in site.archive.budget_revision(number).files if f.name == "report.json")
    folder.mkdir()
    shutil.copyfile(site.archive.store.path(item.sha256), folder / "report.json")
    return str(folder / "report.json")


def unlabelled(diff_json: str) -> dict:
    d = json.loads(diff_json)
    for side in ("old", "new"):
        d[side].pop("label")
    return d


def test_export_from_the_archive_gives_what_export_of_the_folder_gives(two_revisions, tmp_path):
    site, one, two, archive = two_revisions
    for fmt in ("csv", "json"):
        for which, folder in (("1", one), ("2", two), ("latest", two)):
            from_folder = run("export", str(folder), "--format", fmt)
            from_archive = run("export", *archive, "--revision", which, "--format", fmt)
            assert from_archive.exit_code == from_folder.exit_code == 0, from_archive.output
            assert from_archive.stdout == from_folder.stdout
    assert run("export", *archive).stdout == run("export", str(two)).stdout  # --revision defaults to latest
    rows = run("export", *archive, "--revision", "2").stdout.splitlines()
    assert rows[0] == "region,country,area,amount_usd,status,source" and len(rows) == 1 + 6
    assert "East and Horn of Africa,Uganda,Migration Health,1000000,requirement,uganda.xlsx › Entries › C" in \
        "\n".join(rows)

    out = tmp_path / "revision-1.csv"
    written = run("export", *archive, "--revision", "1", "-o", str(out))
    assert written.exit_code == 0 and "wrote 2 entries" in written.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and b"Kenya,Migration Health,,requirement" in \
        out.read_bytes()


def test_diff_of_two_frozen_revisions_gives_what_diff_of_their_reports_and_folders_gives(two_revisions, tmp_path):
    site, one, two, archive = two_revisions
    first, second = report_json(site, 1, tmp_path / "r1"), report_json(site, 2, tmp_path / "r2")
    from_archive = run("diff", *archive, "1", "2", "--format", "json")
    assert from_archive.exit_code == 0, from_archive.output
    d = json.loads(from_archive.stdout)
    assert (d["old"]["label"], d["new"]["label"]) == ("budget revision 1", "budget revision 2")
    assert unlabelled(from_archive.stdout) == unlabelled(run("diff", first, second, "--format", "json").stdout)
    assert unlabelled(from_archive.stdout) == unlabelled(run("diff", str(one), str(two), "--format", "json").stdout)
    assert d["counts"] == {"entry-added": 4, "amount": 1}, d["counts"]
    assert run("diff", *archive, "1", "latest", "--format", "json").stdout == from_archive.stdout

    plain, by_file = run("diff", *archive, "1", "2"), run("diff", first, second)
    head, *body = plain.stdout.splitlines()
    assert head.startswith("recon diff · budget revision 1 → budget revision 2 · 5 changes · requirement "
                           "500,000 → 3,000,000")
    assert body == by_file.stdout.splitlines()[1:]
    assert "amount of Kenya · Migration Health: — → 1,000,000" in plain.stdout


@pytest.mark.parametrize("args, says", [
    (["diff", "1", "9"], "no budget revision 9 in the archive"),
    (["diff", "one", "2"], "'one': a budget revision number (1, 2, …) or latest"),
    (["diff", "0", "2"], "'0': a budget revision number"),
    (["export", "--revision", "3"], "no budget revision 3 in the archive"),
    (["export", "--revision", "-1"], "'-1': a budget revision number"),
])
def test_a_revision_the_archive_does_not_hold_is_one_line_and_exit_2(tmp_path, checker, args, says):
    site = build(tmp_path, checker)
    kenya = site.office_client(site.kenya_token)
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", FIXED))
    freeze(site.archive, frozen_by="alice", rules_dir=checker.rules_dir, prepared=checker.rules)
    freeze(site.archive, frozen_by="alice", rules_dir=checker.rules_dir, prepared=checker.rules)
    r = run(args[0], "--data", str(site.data), *args[1:])
    assert r.exit_code == 2, r.output
    assert says in r.output and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_export_of_workbooks_and_of_the_archive_at_once_is_refused(tmp_path):
    r = run("export", str(tmp_path), "--data", str(tmp_path / "recon-data"))
    assert r.exit_code == 2 and "give workbooks or --db/--data/--revision, not both" in r.output
