"""recon diff: the 2015 edition against a revised copy with three known edits, duplicates, published tables."""

import json
import shutil

import pytest
from conftest import MI2015
from openpyxl import load_workbook
from typer.testing import CliRunner

from recon import pipeline
from recon.cli import app
from recon.report import diff, record

EHOA, SAM = "East and Horn of Africa", "South America"
EHOA_FILE, SAM_FILE = "east-and-horn-of-africa.xlsx", "south-america.xlsx"
# The three edits of the revised copy, as recon diff must report them (and nothing else).
EXPECTED = [
    ("amount", EHOA, "Regional Programmes", "Migration Health", 1_000_000.0, 1_200_000.0,
     f"{EHOA_FILE} › Entries › C3"),
    ("published-percent", EHOA, None, "Migration Policy and Research", "2.8", "2.7", f"{EHOA_FILE} › Summary › C22"),
    ("status", SAM, "Argentina", "Operations, Emergencies and Post-crisis", "Requirement", "Funded",
     f"{SAM_FILE} › Entries › C5"),
]


def revise(tmp_path):
    """A copy of the 2015 edition with three edits, written with openpyxl; workbooks/mi2015 is only read."""
    out = tmp_path / "revised"
    out.mkdir()
    for f in MI2015.glob("*.xlsx"):
        shutil.copy(f, out / f.name)
    wb = load_workbook(MI2015 / EHOA_FILE)
    assert (wb["Entries"]["A3"].value, wb["Entries"]["B3"].value, wb["Entries"]["C3"].value) == (
        "Regional Programmes", "Migration Health", 1_000_000)
    wb["Entries"]["C3"] = 1_200_000  # 1. an amount
    assert (wb["Summary"]["A22"].value, wb["Summary"]["C22"].value) == ("Migration Policy and Research", "2.8")
    wb["Summary"]["C22"] = "2.7"  # 2. a published pie-chart percentage
    wb.save(out / EHOA_FILE)
    wb = load_workbook(MI2015 / SAM_FILE)
    assert [c.value for c in wb["Entries"][5]][:4] == ["Argentina", "Operations, Emergencies and Post-crisis",
                                                       15_000, "Requirement"]
    wb["Entries"]["D5"] = "Funded"  # 3. a status
    wb.save(out / SAM_FILE)
    return out


@pytest.fixture(scope="module")
def revised(tmp_path_factory):
    return revise(tmp_path_factory.mktemp("diff"))


def flat(d):
    return [(c["kind"], c["region"], c["country"], c["area"], c["old"], c["new"], c["location_new"])
            for c in d["changes"]]


def test_revised_copy_reports_exactly_the_three_edits(revised):
    d = diff.compare(pipeline.revision(MI2015), pipeline.revision(revised))
    assert flat(d) == EXPECTED
    assert d["counts"] == {"amount": 1, "status": 1, "published-percent": 1}
    req = d["requirement"]
    assert req["total"]["change"] == 200_000 - 15_000
    assert [(r["region"], r["change"]) for r in req["regions"] if r["change"]] == [(EHOA, 200_000), (SAM, -15_000)]
    assert len(req["regions"]) == 10  # every region listed, changed or not
    assert [(r["country"], r["old"], r["new"]) for r in req["countries"]] == [
        ("Regional Programmes", 14_900_000, 15_100_000), ("Argentina", 410_000, 395_000)]
    assert [(r["area"], r["change"]) for r in req["areas"]] == [
        ("Migration Health", 200_000), ("Operations, Emergencies and Post-crisis", -15_000)]


def test_a_revision_against_itself_and_its_report_json_has_no_changes(mi2015_result, tmp_path):
    path = record.write(record.build(mi2015_result), tmp_path / "report.json")
    for old, new in ((MI2015, MI2015), (path, MI2015), (tmp_path, path)):
        d = diff.compare(pipeline.revision(old), pipeline.revision(new))
        assert d["changes"] == [] and d["requirement"]["total"]["change"] == 0


def test_report_json_of_the_old_revision_gives_the_same_diff(mi2015_result, revised, tmp_path):
    path = record.write(record.build(mi2015_result), tmp_path / "report.json")
    assert flat(diff.compare(pipeline.revision(path), pipeline.revision(revised))) == EXPECTED


def entry(country, area, amount, status="Requirement", row=2):
    return {"region": EHOA, "country": country, "area": area, "amount": amount, "status": status,
            "location": f"x.xlsx › Entries › C{row}"}


def snap(entries, published=()):
    return {"label": "", "inputs": [], "entries": entries, "published": list(published)}


def test_removing_one_of_two_identical_duplicates_is_one_removal():
    old = [entry("Kenya", "Migration Health", 500_000, row=2), entry("Kenya", "Migration Health", 500_000, row=3),
           entry("Kenya", "Migration Health", 900_000, row=4)]
    new = [entry("Kenya", "Migration Health", 500_000, row=2), entry("Kenya", "Migration Health", 900_000, row=3)]
    d = diff.compare(snap(old), snap(new))
    assert [(c["kind"], c["old"], c["location_old"]) for c in d["changes"]] == [
        ("entry-removed", 500_000, "x.xlsx › Entries › C3")]


def test_changed_duplicate_pairs_in_order_and_extra_rows_are_added():
    old = [entry("Kenya", "Migration Health", 100), entry("Kenya", "Migration Health", 200)]
    new = [entry("Kenya", "Migration Health", 100), entry("Kenya", "Migration Health", 250),
           entry("Kenya", "Migration Health", 300), entry("Somalia", "Migrant Assistance", None, "Funded")]
    d = diff.compare(snap(old), snap(new))
    assert [(c["kind"], c["country"], c["old"], c["new"]) for c in d["changes"]] == [
        ("entry-added", "Kenya", None, 300), ("entry-added", "Somalia", None, None), ("amount", "Kenya", 200, 250)]
    assert d["requirement"]["total"] == {"old": 300, "new": 650, "change": 350}  # a Funded line adds nothing


def test_status_and_amount_changed_together_are_two_changes():
    d = diff.compare(snap([entry("Kenya", "Migration Health", 100)]),
                     snap([entry("Kenya", "Migration Health", 120, "Funded")]))
    assert [c["kind"] for c in d["changes"]] == ["amount", "status"]
    assert d["requirement"]["countries"] == [{"region": EHOA, "country": "Kenya", "old": 100, "new": 0,
                                             "change": -100}]


def published(countries, areas, total=1000.0):
    def row(name, usd, pct=None, funded=False):
        r = {"name": name, "name_printed": name, "usd": usd, "funded": funded, "location": f"S › B {name}"}
        return r if pct is None else {**r, "percent": pct, "percent_location": f"S › C {name}"}

    return {"region": EHOA, "title": "EHOA", "total": total, "total_location": "S › B30",
            "countries": [row(*c) for c in countries], "areas": [row(*a) for a in areas]}


def test_published_tables_total_and_rows_added_or_removed():
    old = published([("Kenya", 600.0), ("Somalia", 400.0)], [("Migration Health", 1000.0, "100")])
    new = published([("Kenya", 700.0), ("Uganda", 300.0)], [("Migration Health", 1000.0, "100.0")], total=1100.0)
    d = diff.compare(snap([], [old]), snap([], [new]))
    assert [(c["kind"], c["table"], c["name"], c["old"], c["new"]) for c in d["changes"]] == [
        ("published-added", "countries", "Uganda", None, 300.0),
        ("published-removed", "countries", "Somalia", 400.0, None),
        ("published-usd", "countries", "Kenya", 600.0, 700.0),
        ("published-percent", "areas", "Migration Health", "100", "100.0"),
        ("published-total", "total", None, 1000.0, 1100.0),
    ]
    assert {diff.describe(c) for c in d["changes"]} >= {"published total: 1,000 → 1,100",
                                                         "Somalia removed from the country table"}


def test_a_summary_added_is_one_change():
    d = diff.compare(snap([]), snap([], [published([("Kenya", 1.0)], [])]))
    assert [(c["kind"], c["region"]) for c in d["changes"]] == [("summary-added", EHOA)]


def test_not_a_report_json_is_a_one_line_error(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"findings": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a recon report.json"):
        pipeline.revision(bad)
    result = CliRunner().invoke(app, ["diff", str(bad), str(MI2015)])
    assert result.exit_code == 2 and "not a recon report.json" in result.output


def test_cli_diff_json_and_plain(revised):
    runner = CliRunner()
    result = runner.invoke(app, ["diff", str(MI2015), str(revised), "--format", "json"])
    assert result.exit_code == 0
    assert flat(json.loads(result.output)) == EXPECTED
    plain = runner.invoke(app, ["diff", str(MI2015), str(revised)])
    assert plain.exit_code == 0
    lines = plain.output.splitlines()
    assert "3 changes" in lines[0] and "(+185,000)" in lines[0]
    assert [ln.split()[0] for ln in lines[3:]] == ["amount", "published-percent", "status"]
    assert "pie chart % of Migration Policy and Research: 2.8 → 2.7" in plain.output


def test_diff_help_has_an_example():
    result = CliRunner().invoke(app, ["diff", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "recon diff" in result.output


def test_terminal_rendering_draws_tables(revised):
    import io

    from rich.console import Console

    buf = io.StringIO()
    diff.render(diff.compare(pipeline.revision(MI2015), pipeline.revision(revised)),
                Console(file=buf, force_terminal=True, width=160, color_system=None))
    out = buf.getvalue()
    assert "Requirement by region" in out and "Changes" in out
    assert "+200,000" in out and "-15,000" in out and "status of Argentina" in out
