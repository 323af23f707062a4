"""The validation report: four files from one record — JSON against its schema, self-contained HTML, an XLSX
that opens in openpyxl and LibreOffice, a Markdown memo — and workbook text that stays inert in all of them."""

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import zipfile

import fixtures as fx
import jsonschema
import pytest
from conftest import MI2015
from openpyxl import load_workbook
from typer.testing import CliRunner

from recon import pipeline, rules
from recon.cli import app
from recon.report import FILES, html, record, write_reports

NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
EHOA, AP, EEA = "East and Horn of Africa", "Asia and the Pacific", "European Economic Area"
SCRIPT = '<script>document.body.setAttribute("data-pwned", "1")</script>'
HYPERLINK = '=HYPERLINK("http://example.invalid/x","click me")'
TITLE = '<img src=x onerror="document.title=1"> & Co'
SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


@pytest.fixture(scope="module")
def report(mi2015_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    write_reports(mi2015_result, out, now=NOW)
    return out


@pytest.fixture(scope="module")
def doc(report):
    return json.loads((report / "report.json").read_text(encoding="utf-8"))


def hostile_workbook(tmp_path):
    """A clean region whose country cells and summary title hold markup and a formula, stored as text."""
    path = fx.clean_region(tmp_path, "hostile")
    wb = load_workbook(path)
    for ref, text in (("A2", SCRIPT), ("A4", HYPERLINK)):
        wb["Entries"][ref].value = text
        wb["Entries"][ref].data_type = "s"  # as typed by an office: text, not a formula
    wb["Summary"]["B1"].value = TITLE
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    result = pipeline.run([hostile_workbook(tmp)])
    assert {f.actual for f in result.findings} >= {SCRIPT, HYPERLINK}  # the strings did reach the findings
    write_reports(result, tmp / "out", now=NOW)
    return tmp / "out"


def libreoffice_csv(xlsx, out_dir):
    """Every sheet of ``xlsx`` as CSV through LibreOffice (its own profile); sheet name → text."""
    out_dir.mkdir()
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(out_dir / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
         "--outdir", str(out_dir), str(xlsx)], capture_output=True, text=True, timeout=300, check=False)
    sheets = {p.stem.removeprefix(xlsx.stem + "-"): p.read_text(encoding="utf-8") for p in out_dir.glob("*.csv")}
    assert done.returncode == 0 and sheets, f"LibreOffice did not convert {xlsx}: {done.stdout} {done.stderr}"
    return sheets


# ---------------------------------------------------------------------------------------------- report.json

def test_all_four_files_are_written(report):
    assert sorted(p.name for p in report.iterdir()) == sorted(FILES)


def test_json_validates_against_the_schema_kept_in_the_repo(doc):
    validator = jsonschema.Draft202012Validator(record.schema())
    assert list(validator.iter_errors(doc)) == []
    broken = {**doc, "inputs": [{**doc["inputs"][0], "sha256": "not a hash"}]}
    assert [e.json_path for e in validator.iter_errors(broken)] == ["$.inputs[0].sha256"]


def test_json_says_per_suite_how_many_rows_gx_saw_and_nothing_more(doc, mi2015_result):
    rec = mi2015_result.reconciliation
    frames = {name: len(rec.frame(data["meta"]["frame"])) for name, data in rules.read_suites().items()}
    assert {name: r["meta"]["rows_validated"] for name, r in doc["gx_results"].items()} == frames
    assert all("recon_witness" not in r["meta"] for r in doc["gx_results"].values())


def test_json_names_the_suites_the_run_used_even_if_their_folder_changed_since(tmp_path):
    suites = tmp_path / "suites"
    shutil.copytree(rules.default_dir(), suites)
    totals = json.loads((suites / "totals.json").read_text(encoding="utf-8"))
    totals["meta"]["note"] = "a local copy"  # not the bundled suites: another version
    (suites / "totals.json").write_text(json.dumps(totals), encoding="utf-8")
    used = hashlib.sha256((suites / "totals.json").read_bytes()).hexdigest()
    result = pipeline.run([fx.clean_region(tmp_path)], rules_dir=suites)
    (suites / "totals.json").write_text("{}", encoding="utf-8")  # edited after the run: not what it ran with
    doc = record.build(result, now=NOW)
    assert {s["name"]: s["sha256"] for s in doc["rules"]["suites"]}["totals"] == used
    assert doc["rules"]["version"] == result.rules_version != rules.rules_version()


def test_json_proves_what_was_checked(doc, mi2015_result):
    assert doc["generated_at"] == "2026-03-01T09:30:00Z"
    assert doc["recon_version"] == "0.1.0"
    assert doc["rules"]["version"] == mi2015_result.rules_version == rules.rules_version()
    suites = {s["name"]: s for s in doc["rules"]["suites"]}
    assert list(suites) == list(rules.SUITES)
    assert suites["pie_chart"]["sha256"] == hashlib.sha256(
        (rules.default_dir() / "pie_chart.json").read_bytes()).hexdigest()
    hashes = {i["file"]: i["sha256"] for i in doc["inputs"]}
    assert hashes == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in MI2015.glob("*.xlsx")}
    assert set(doc["gx_results"]) == set(rules.SUITES)
    assert doc["gx_results"]["pie_chart"]["success"] is False
    assert doc["counts"] == {"error": 5, "warning": 12, "info": 10} and doc["exit_code"] == 1
    assert len(doc["findings"]) == 27 and len(doc["entries"]) == 788 and len(doc["published"]) == 9


def test_pies_mark_the_slices_whose_label_the_usd_do_not_give(doc):
    pies = {p["region"]: p for p in doc["pies"]}
    (ehoa,) = [s for s in pies[EHOA]["slices"] if s["marked"]]
    assert (ehoa["area"], ehoa["published_text"], ehoa["computed_text"], ehoa["severity"]) == (
        "Migration Policy and Research", "2.8", "2.7", "error")
    assert [(s["area"], s["published_text"], s["computed_text"]) for s in pies[AP]["slices"] if s["marked"]] == [
        ("Migration Health", "22", "23"), ("Labour Migration and Human Development", None, "7")]
    assert pies[EEA]["published"] is False and pies[EEA]["marked"] == 0  # EEA prints no percentages
    assert {r: p["marked"] for r, p in pies.items()} == {
        AP: 2, "Central America, North America and the Caribbean": 1, EHOA: 1, EEA: 0, "Global": 0,
        "Middle East and North Africa": 1, "South America": 1,
        "South-Eastern Europe, Eastern Europe and Central Asia": 1, "Southern Africa": 0,
        "West and Central Africa": 0}


# ---------------------------------------------------------------------------------------------- report.html

def test_html_is_self_contained(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    # The only URL is the SVG namespace (an identifier, never fetched).
    assert set(re.findall(r"(?:https?:)?//[\w.-]+", page)) == {"http://www.w3.org"}
    for tag in ("<script", "<link", "<img", "<iframe", "<object", "@import", " src="):
        assert tag not in page
    assert set(re.findall(r"url\(([^)]*)\)", page)) <= {f"#{k}{i}-hatch" for k in "pc" for i in range(10)}
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_html_header_summary_charts_and_findings(report, doc):
    page = (report / "report.html").read_text(encoding="utf-8")
    assert "2026-03-01T09:30:00Z" in page and "version 0.1.0" in page and doc["rules"]["version"] in page
    for i in doc["inputs"]:
        assert i["file"] in page and i["sha256"] in page
    for r in doc["regions"]:
        assert f"<h2>{r['region']}</h2>" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="pie"') == 8 + 10  # EEA prints no %

    # 7 slices in each chart: the unlabelled AP and SAM slices are hatched gaps in the published one
    assert page.count('class="slice marked"') == 7 + 7
    assert "No pie-chart percentages printed for this region." in page  # EEA
    assert page.count('<span class="pill error">error</span>') == 5 + 2  # findings; EHoA's slice, SEEECA's area
    assert "east-and-horn-of-africa.xlsx › Summary › C22" in page and "print 2.7%" in page
    assert 'id="changes"' not in page  # no --previous


def test_workbook_text_is_escaped_in_html(hostile):
    page = (hostile / "report.html").read_text(encoding="utf-8")
    assert SCRIPT not in page and "<script" not in page and "<img" not in page
    assert "&lt;script&gt;document.body.setAttribute(&#34;data-pwned&#34;, &#34;1&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;document.title=1&#34;&gt; &amp; Co" in page  # the summary title
    assert "=HYPERLINK(&#34;http://example.invalid/x&#34;,&#34;click me&#34;)" in page  # text, shown as typed


# ---------------------------------------------------------------------------------------------- report.xlsx

def test_xlsx_opens_in_openpyxl_with_filterable_tables(report, doc):
    wb = load_workbook(report / "report.xlsx")
    assert wb.sheetnames == ["About", "Regions", "Findings", "Pie charts", "Inputs"]
    ws = wb["Findings"]
    assert ws.freeze_panes == "A2"
    (table,) = ws.tables.values()
    assert table.ref == f"A1:K{len(doc['findings']) + 1}"
    assert [c.value for c in ws[1]][:3] == ["Severity", "Rule", "Region"]
    assert [c.value for c in ws[2]][:2] == ["error", "COUNTRY-TABLE-SUM"]
    regions = wb["Regions"]
    seeeca = next(row for row in regions.iter_rows(min_row=2) if row[0].value.startswith("South-Eastern"))
    assert [c.value for c in seeeca[3:6]] == [153_115_000, 152_115_000, 1_000_000]
    assert seeeca[5].number_format.startswith("#,##0")
    assert wb["Inputs"]["I2"].value == doc["inputs"][0]["sha256"]


def test_xlsx_opens_in_libreoffice(report, tmp_path):
    sheets = libreoffice_csv(report / "report.xlsx", tmp_path / "lo")
    assert set(sheets) == {"About", "Regions", "Findings", "Pie charts", "Inputs"}
    assert "South-Eastern Europe, Eastern Europe and Central Asia\",105,9,153115000,152115000,1000000" in \
        sheets["Regions"]
    assert sheets["Findings"].count("\nerror,") == 5


def test_workbook_text_never_becomes_a_formula_in_xlsx(hostile, tmp_path):
    path = hostile / "report.xlsx"
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    wb = load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert HYPERLINK not in values and "'" + HYPERLINK in values  # country and "found" columns, neutralised
    assert {c.data_type for c in cells if c.value == "'" + HYPERLINK} == {"s"}
    assert SCRIPT in values  # markup is just text in a spreadsheet
    findings = libreoffice_csv(path, tmp_path / "lo")["Findings"]
    assert "'=HYPERLINK(\"\"http://example.invalid/x\"\",\"\"click me\"\")" in findings  # not evaluated
    assert ",click me," not in findings


# ---------------------------------------------------------------------------------------------- report.md

def test_memo_summarises_and_escapes(report, hostile):
    memo = (report / "report.md").read_text(encoding="utf-8")
    assert "Result: **5 errors**, 12 warnings, 10 info." in memo
    assert "| South-Eastern Europe, Eastern Europe and Central Asia | 153,115,000 | 152,115,000 | 1,000,000 | 4 |" \
        in memo
    ehoa = MI2015 / "east-and-horn-of-africa.xlsx"
    assert f"east-and-horn-of-africa.xlsx `{hashlib.sha256(ehoa.read_bytes()).hexdigest()[:12]}`" in memo
    hostile_memo = (hostile / "report.md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)[<>|]", hostile_memo.split("| Region |")[0] + hostile_memo.split("Errors:")[1])
    assert "\\<script\\>" in hostile_memo


# ---------------------------------------------------------------------------------------------- CLI, --previous

def test_cli_report_dir_with_previous_shows_the_changes(tmp_path, report):
    from test_diff import EXPECTED, revise

    revised = revise(tmp_path)
    out = tmp_path / "rev2"
    result = CliRunner().invoke(app, ["reconcile", str(revised), "--report-dir", str(out), "--previous",
                                      str(report / "report.json"), "--format", "json"])
    assert result.exit_code == 1  # the 2015 errors are still there
    assert "wrote report.json, report.html, report.xlsx, report.md" in result.output
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, record.schema())
    assert [(c["kind"], c["old"], c["new"]) for c in doc["previous"]["changes"]] == [
        (k, old, new) for k, _r, _c, _a, old, new, _loc in EXPECTED]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="changes"' in page and "pie chart % of Migration Policy and Research: 2.8 → 2.7" in page
    assert "Changes" in load_workbook(out / "report.xlsx").sheetnames
    assert "3 changes" in (out / "report.md").read_text(encoding="utf-8")


def test_previous_without_report_dir_is_a_usage_error():
    result = CliRunner().invoke(app, ["reconcile", "--previous", str(MI2015)])
    assert result.exit_code == 2 and "--previous needs --report-dir" in result.output


def test_pie_svg_escapes_labels():
    from recon.report import pie

    out = str(pie.svg([{"label": "<b>x</b>", "value": 1.0, "text": "<i>", "colour": "#000", "marked": True}],
                      title="a & b"))
    assert "<b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out and "&lt;i&gt;" in out and "a &amp; b" in out
    assert 'class="slice marked"' in out


def test_html_renders_from_the_record_alone(doc, report):
    # report.html was rendered from the in-memory record; the JSON file read back must give the same page.
    assert html.render(doc) == (report / "report.html").read_text(encoding="utf-8")
