"""A real spreadsheet client: LibreOffice opens and recalculates the template, a workbook with known errors,
its annotated copy and every 2015 regional workbook (one soffice run for all), and the Summary sheet's live
check formulas must agree with recon's findings on the same data.

Which rules the Summary's Check columns compute (each check cell ↔ the published cell recon points at):

| check cell | published cell | rules |
|---|---|---|
| F, country rows | B, same row | COUNTRY-TABLE-SUM, -FUNDED-HAS-REQUIREMENT, -NO-ENTRIES, -VALUE-MISSING |
| F, area rows | B, same row | AREA-TABLE-SUM, -NO-ENTRIES, -VALUE-MISSING |
| H, area rows | C, same row | PIE-SLICE-MISMATCH, PIE-SLICE-ADJUSTED (Excel only rounds half-up), PIE-LABEL-MISSING |
| F, total row | B, total row | TOTAL-ENTRIES, TOTAL-MISSING |
| F, "Sum of the country/area table" | B, total row | TOTAL-COUNTRY-TABLE / TOTAL-AREA-TABLE |

No Excel check: every ENTRY-* and READ-* rule (Entries has dropdowns and validation instead), name rules
(*-NAME-VARIANT, *-NAME-UNKNOWN — Excel sums Entries by the name as printed, so a variant such as "Cameroun"
shows MISMATCH beside it; recon resolves the name and reports the variant instead), *-NOT-IN-TABLE (no row to
check), PIE-SUM-100 and PIE-NOT-PUBLISHED (regional notes), MERGE-* (several workbooks).
"""

import re
import zipfile

import fixtures as fx
import pytest
from conftest import MI2015
from libreoffice import recalculate
from openpyxl import Workbook, load_workbook

from recon import pipeline
from recon.appeal.published import PublishedRow, PublishedSummary
from recon.workbook import annotate, template
from recon.workbook import layout as L

CHECKED = {
    "country F": {"COUNTRY-TABLE-SUM", "COUNTRY-FUNDED-HAS-REQUIREMENT", "COUNTRY-NO-ENTRIES",
                  "COUNTRY-VALUE-MISSING"},
    "area F": {"AREA-TABLE-SUM", "AREA-NO-ENTRIES", "AREA-VALUE-MISSING"},
    "area H": {"PIE-SLICE-MISMATCH", "PIE-SLICE-ADJUSTED", "PIE-LABEL-MISSING"},
    "total F": {"TOTAL-ENTRIES", "TOTAL-MISSING"},
    "country sum F": {"TOTAL-COUNTRY-TABLE"},
    "area sum F": {"TOTAL-AREA-TABLE"},
}
# Findings that also explain a non-OK check on their row: Excel sums by the printed name and adds no text.
EXPLAINS = {"COUNTRY-NAME-VARIANT", "AREA-NAME-VARIANT", "READ-PUBLISHED-TEXT", "READ-PUBLISHED-UNREADABLE"}
REGIONAL = sorted(p.name for p in MI2015.glob("*.xlsx") if p.name != "global.xlsx")


def known_errors() -> tuple[list[dict], PublishedSummary]:
    """One case per checked rule (East and Horn of Africa)."""
    entries = [
        *fx.entries(),
        {"country": "Regional Programmes", "area": "Migration Health", "amount": 100},  # published "funded"
        {"country": "United Republic of Tanzania", "area": "Migration Health", "amount": 300},
        {"country": "Uganda", "area": "Migration Health", "amount": 1_200},
    ]
    summary = PublishedSummary(
        "EAST AND HORN OF AFRICA",
        countries=[PublishedRow("Regional Programmes", "funded"), PublishedRow("Burundi", None),
                   PublishedRow("Kenya", "1,500,000"), PublishedRow("Djibouti", 50_000),
                   PublishedRow("Tanzania", 300), PublishedRow("Uganda", 1_000)],
        areas=[PublishedRow("Migration Health", 1_001_000, None), PublishedRow("Migrant Assistance", None, None),
               PublishedRow("Operations, Emergencies and Post-crisis", 2_000_000, "60.0"),
               PublishedRow("Migration and Environment", 10_000, None),
               PublishedRow("Migration Policy and Research", 0, "0")],
        total=3_500_000,
    )
    return entries, summary


def stale_cache(path):
    """``=1+1`` saved with a cached value of 999: only a real recalculation shows 2."""
    wb = Workbook()
    wb.active["A1"] = "=1+1"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>999</v>").replace(
        b"<f>1+1</f><v />", b"<f>1+1</f><v>999</v>")
    assert b"<v>999</v>" in parts[sheet]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def lo(tmp_path_factory):
    """Inputs by name and their LibreOffice-recalculated versions, from a single soffice run."""
    d = tmp_path_factory.mktemp("lo-in")
    entries, summary = known_errors()
    errors = fx.write(d, "known-errors", entries, summary)
    inputs = {
        "template.xlsx": template.write(template.build(fx.REGION), d / "template.xlsx"),
        "known-errors.xlsx": errors,
        "annotated.xlsx": annotate.write_copy(errors, pipeline.run([errors]).findings, d / "annotated.xlsx").path,
        "stale.xlsx": stale_cache(d / "stale.xlsx"),
        **{name: MI2015 / name for name in REGIONAL},
    }
    out = recalculate(inputs.values(), tmp_path_factory.mktemp("lo-out"))
    return {name: (path, out[path.resolve()]) for name, path in inputs.items()}


def test_libreoffice_recalculates_instead_of_trusting_cached_values(lo):
    _src, out = lo["stale.xlsx"]
    assert load_workbook(out, data_only=True).active["A1"].value == 2


def check_cells(ws) -> dict[str, tuple[str, str, set[str]]]:
    """Check cell → (its value, the published cell recon points at, the rules it computes)."""
    rows = {ws.cell(row=r, column=1).value: r for r in range(ws.max_row, 0, -1)}  # first occurrence wins
    countries = next(r for r in range(1, ws.max_row) if ws[f"A{r}"].value == L.COUNTRY_TABLE_LABEL
                     and ws[f"B{r}"].value == "Published USD")
    areas = next(r for r in range(countries + 1, ws.max_row) if ws[f"A{r}"].value == L.AREA_TABLE_LABEL)
    total = rows[L.TOTAL_LABEL]
    out = {}
    for r in range(countries + 1, areas - 1):
        out[f"F{r}"] = (ws[f"F{r}"].value, f"B{r}", CHECKED["country F"])
    for r in range(areas + 1, total - 1):
        out[f"F{r}"] = (ws[f"F{r}"].value, f"B{r}", CHECKED["area F"])
        out[f"H{r}"] = (ws[f"H{r}"].value, f"C{r}", CHECKED["area H"])
    out[f"F{total}"] = (ws[f"F{total}"].value, f"B{total}", CHECKED["total F"])
    out[f"F{total + 1}"] = (ws[f"F{total + 1}"].value, f"B{total}", CHECKED["country sum F"])
    out[f"F{total + 2}"] = (ws[f"F{total + 2}"].value, f"B{total}", CHECKED["area sum F"])
    return out


def disagreements(src, recalculated) -> list[str]:
    by_cell: dict[str, set[str]] = {}
    for f in pipeline.run([src]).findings:
        where = annotate.cell_of(f.location)
        if where and where[0] == L.SUMMARY:
            by_cell.setdefault(where[1], set()).add(f.rule)
    checks = check_cells(load_workbook(recalculated, data_only=True)[L.SUMMARY])
    problems = []
    for cell, (value, published, rules) in checks.items():
        if value not in (None, "", L.CHECK_OK) and not by_cell.get(published, set()) & (rules | EXPLAINS):
            problems.append(f"{cell} shows {value}; recon has nothing on {published}")
    for published, found in by_cell.items():
        for rule in found & set().union(*CHECKED.values()):
            cells = [(c, v) for c, (v, p, rules) in checks.items() if p == published and rule in rules]
            if len(cells) != 1 or cells[0][1] in (None, "", L.CHECK_OK):
                problems.append(f"recon {rule} on {published}; Excel's check: {cells or 'none'}")
    return problems


@pytest.mark.parametrize("name", ["template.xlsx", "known-errors.xlsx", "annotated.xlsx", *REGIONAL])
def test_summary_checks_agree_with_recon(lo, name):
    src, recalculated = lo[name]
    assert disagreements(src, recalculated) == []


def test_known_errors_light_up_every_kind_of_check(lo):
    src, recalculated = lo["known-errors.xlsx"]
    checks = check_cells(load_workbook(recalculated, data_only=True)[L.SUMMARY])
    shown = {cell: value for cell, (value, _p, _r) in checks.items() if value not in (None, "", L.CHECK_OK)}
    rules = {f.rule for f in pipeline.run([src]).findings}
    # The other two are in the blank template (TOTAL-MISSING) and the 2015 edition (PIE-SLICE-ADJUSTED).
    assert set().union(*CHECKED.values()) - rules == {"PIE-SLICE-ADJUSTED", "TOTAL-MISSING"}
    # "Tanzania" in the country table: Excel names the canonical name, as recon's COUNTRY-NAME-VARIANT does.
    assert set(shown.values()) == {"MISMATCH", "MISSING", "NO LABEL", "WRITE 'United Republic of Tanzania'"}


def test_the_blank_template_shows_only_its_missing_total(lo):
    _src, recalculated = lo["template.xlsx"]
    checks = check_cells(load_workbook(recalculated, data_only=True)[L.SUMMARY])
    assert {c: v for c, (v, _p, _r) in checks.items() if v not in (None, "")} == {"F26": "MISSING"}


def test_2015_mismatches_are_seen_by_excel_too(lo):
    _src, recalculated = lo["south-eastern-europe-eastern-europe-and-central-asia.xlsx"]
    ws = load_workbook(recalculated, data_only=True)[L.SUMMARY]
    assert (ws["A11"].value, ws["F11"].value, ws["E11"].value) == ("Georgia", "MISMATCH", 1_000_000)
    assert ws["F34"].value == "MISMATCH"


def test_annotated_copy_opens_in_libreoffice_with_findings_comments_and_pie_chart(lo):
    src, recalculated = lo["annotated.xlsx"]
    wb = load_workbook(recalculated)
    assert L.FINDINGS in wb.sheetnames
    assert [c.value for c in wb[L.FINDINGS][1]][:5] == annotate.HEADER
    assert wb[L.FINDINGS].max_row == load_workbook(src)[L.FINDINGS].max_row
    commented = {c.coordinate for row in wb[L.SUMMARY].iter_rows() for c in row
                 if c.comment and "PIE-SLICE-MISMATCH" in c.comment.text}
    assert commented
    with zipfile.ZipFile(recalculated) as z:
        charts = [z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert any(re.search(rb"<c:pieChart>", c) for c in charts)
