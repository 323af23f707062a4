"""Messages a person understands (issue 13, item 6)."""

import json
import zipfile

import fixtures as fx
from typer.testing import CliRunner

from recon import pipeline
from recon.appeal.finding import Finding, number
from recon.appeal.location import Location
from recon.cli import app
from recon.reconciliation.reconcile import reconcile
from recon.report.terminal import headline
from recon.workbook.read import read_workbook


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_json_gives_expected_and_actual_as_numbers_beside_the_text(tmp_path):
    bad = fx.clean_country(tmp_path, "bad", rows=[{"area": "Migration Health", "amount": -1}])
    (f,) = json.loads(invoke("check", bad, "--format", "json").stdout)["findings"]
    assert (f["actual"], f["actual_value"]) == ("-1", -1.0)
    assert [number(t) for t in ("1,500,000", "28.6", "(blank)", None)] == [1_500_000.0, 28.6, None, None]


def test_blank_area_says_blank_without_did_you_mean(tmp_path):
    path = fx.write(tmp_path, "blank-area", fx.entries() + [{"country": "Kenya", "area": "", "amount": 5}],
                    fx.summary())
    (f,) = [f for f in pipeline.run([path]).findings if f.rule == "ENTRY-AREA-UNKNOWN"]
    assert f.message == "the programmatic area is blank"
    assert "did you mean" not in (f.suggestion or "")


def test_table_sum_suggestion_has_no_codes(tmp_path):
    s = fx.summary()
    s.countries[2].value = 1_400_000  # Kenya
    rows = fx.entries()
    rows[1]["amount"] = None  # Kenya's Migrant Assistance: no amount
    path = fx.write(tmp_path, "no-codes", rows, s)
    (f,) = [f for f in pipeline.run([path]).findings if f.rule == "COUNTRY-TABLE-SUM"]
    assert "without amount)" not in f.suggestion and "1 entry has no amount" in f.suggestion


def test_headline_is_singular_and_counts_replaced_entries(tmp_path):
    region = read_workbook(fx.clean_region(tmp_path))
    kenya = read_workbook(fx.clean_country(tmp_path, rows=fx.KENYA_ENTRIES[:1]))
    result = pipeline.run_submissions([region, kenya])
    assert "2 workbooks, 5 entries (2 replaced by a country office's workbook)" in headline(result)
    one = pipeline.run([fx.clean_country(tmp_path, "one", rows=fx.KENYA_ENTRIES[:1])])
    assert headline(one).startswith("1 workbook, 1 entry · 0 errors")
    assert reconcile([region, kenya]).replaced == 2


def test_report_md_does_not_repeat_the_region_name():
    from recon.report.memo import render

    record = {"generated_at": "now", "recon_version": "x", "rules": {"version": "v"}, "inputs": [{"file": "sa.xlsx", "sha256": "abc"}],
              "entries": [{}], "counts": {"error": 1, "warning": 0, "info": 0}, "regions": [], "pies": [],
              "findings": [Finding("TOTAL-ENTRIES", "error", "Southern Africa", location=Location("sa.xlsx"),
                                   message="Southern Africa: published total 2; the entries add up to 1").to_json()]}
    text = render(record)
    assert "- Southern Africa: published total 2" in text and "Southern Africa: Southern Africa" not in text
    assert "1 workbook, 1 entry" in text and "**1 error**" in text


def test_ods_is_told_how_to_save_as_xlsx_from_libreoffice(tmp_path):
    ods = tmp_path / "office.xlsx"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    out = invoke("check", ods)
    assert "LibreOffice Calc" in out.stderr and "Save As" in out.stderr


def test_template_for_a_country_needs_no_region(tmp_path):
    """The README example `recon template --country Kenya -o kenya.xlsx` must run as written."""
    out = invoke("template", "--country", "Kenya", "-o", tmp_path / "kenya.xlsx")
    assert out.exit_code == 0
    sub = read_workbook(tmp_path / "kenya.xlsx")
    assert (sub.region, sub.office) == ("East and Horn of Africa", "Kenya")
    assert "in several regions" in invoke("template", "--country", "Regional Programmes", "-o",
                                          tmp_path / "rp.xlsx").stderr
