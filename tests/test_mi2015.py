"""The bundled 2015 edition: totals, entry counts and the publication's real inconsistencies, pinned.

Each finding below is a fact about the printed document (see README › The 2015 edition); a change in reading
or rules that adds, loses or moves one fails here.
"""

import math

from conftest import MI2015

from recon.pipeline import collect

SEEECA = "South-Eastern Europe, Eastern Europe and Central Asia"
AP, CANAC = "Asia and the Pacific", "Central America, North America and the Caribbean"
EHOA, MENA, SAM = "East and Horn of Africa", "Middle East and North Africa", "South America"
EEA, WCA, SA = "European Economic Area", "West and Central Africa", "Southern Africa"
OPS, MPR, MH = "Operations, Emergencies and Post-crisis", "Migration Policy and Research", "Migration Health"
LMHD = "Labour Migration and Human Development"

# region: (entries, published total, total of the entries)
TOTALS = {
    AP: (143, 233_745_000, 233_745_000),
    CANAC: (69, 118_360_000, 118_360_000),
    EHOA: (57, 142_550_000, 142_550_000),
    EEA: (103, 89_347_000, 89_347_000),
    "Global": (28, None, 52_615_000),
    MENA: (66, 204_485_000, 204_485_000),
    SAM: (49, 177_345_000, 177_345_000),
    SEEECA: (105, 153_115_000, 152_115_000),
    SA: (62, 147_375_000, 147_375_000),
    WCA: (106, 363_790_000, 363_790_000),
}

FINDINGS = sorted([
    # Georgia's Operations block prints no amount: the entry, Georgia's row, the area row and the total show it.
    ("ENTRY-AMOUNT-MISSING", "error", SEEECA, "Georgia", OPS, "Entries › C32"),
    ("COUNTRY-TABLE-SUM", "error", SEEECA, "Georgia", None, "Summary › B11"),
    ("AREA-TABLE-SUM", "error", SEEECA, None, OPS, "Summary › B27"),
    ("TOTAL-ENTRIES", "error", SEEECA, None, None, "Summary › B34"),
    # 3.9 M of 142.55 M is 2.74 %: printed 2.8 — not what half-up or largest-remainder rounding gives.
    ("PIE-SLICE-MISMATCH", "error", EHOA, None, MPR, "Summary › C22"),
    # Printed values only explained by forcing the slices to sum to 100 %.
    ("PIE-SLICE-ADJUSTED", "warning", AP, None, MH, "Summary › C36"),
    ("PIE-SLICE-ADJUSTED", "warning", CANAC, None, OPS, "Summary › C22"),
    ("PIE-SLICE-ADJUSTED", "warning", MENA, None, MPR, "Summary › C24"),
    # Slices without a printed label, so the labels sum to 93 % and 96 %.
    ("PIE-LABEL-MISSING", "warning", AP, None, LMHD, "Summary › C39"),
    ("PIE-SUM-100", "warning", AP, None, None, "Summary › B43"),
    ("PIE-LABEL-MISSING", "warning", SAM, None, LMHD, "Summary › C21"),
    ("PIE-SUM-100", "warning", SAM, None, None, "Summary › B25"),
    # Names that differ from the canonical list.
    ("COUNTRY-NAME-VARIANT", "warning", AP, "Regional Programmes", None, "Summary › B5"),
    ("COUNTRY-NAME-VARIANT", "warning", EEA, "Regional Programmes", None, "Summary › B9"),
    ("COUNTRY-NAME-VARIANT", "warning", SEEECA, "The former Yugoslav Republic of Macedonia", None, "Summary › B20"),
    ("COUNTRY-NAME-VARIANT", "warning", WCA, "Cameroon", None, "Summary › B6"),
    ("ENTRY-AREA-VARIANT", "warning", WCA, "Central African Republic", OPS, "Entries › B25"),
    # Every regional summary titles the area "Emergency, Operations and Post-crisis".
    *[("AREA-NAME-VARIANT", "info", r, None, OPS, f"Summary › B{row}") for r, row in
      ((AP, 35), (CANAC, 22), (EHOA, 17), (EEA, 35), (MENA, 19), (SAM, 17), (SEEECA, 27), (SA, 17), (WCA, 26))],
    # The EEA summary prints no pie-chart percentages.
    ("PIE-NOT-PUBLISHED", "info", EEA, None, None, "Summary › B43"),
])


def test_one_workbook_per_regional_office_plus_global():
    assert len(collect([MI2015])) == 10


def test_totals_and_entry_counts(mi2015_result):
    regions = {r["region"]: r for r in mi2015_result.reconciliation.regions.to_dict("records")}
    got = {name: (r["n_entries"], None if math.isnan(r["published_total"]) else r["published_total"],
                  r["computed_total"]) for name, r in regions.items()}
    assert got == TOTALS
    assert sum(n for n, _p, _c in TOTALS.values()) - TOTALS["Global"][0] == 760


def test_the_publications_inconsistencies_are_found_and_nothing_else(mi2015_result):
    got = sorted((f.rule, f.severity, f.region, f.country, f.area, f.location.split(" › ", 1)[1])
                 for f in mi2015_result.findings)
    assert got == FINDINGS


def test_every_row_read_is_accepted(mi2015_result):
    for s in mi2015_result.submissions:
        assert s.rows_read == s.rows_accepted + s.rows_rejected and s.rows_rejected == 0, s.name


def test_published_tables_are_entered_as_printed(mi2015_result):
    c = mi2015_result.reconciliation.countries
    printed = set(c["name_printed"])
    assert {"Cameroun", "The former Yugsolav Republic of Macedonia", "Regional programmes"} <= printed
    japan = c[(c["region"] == AP) & (c["name"] == "Japan")].iloc[0]
    assert japan["published_funded"] == 1
    a = mi2015_result.reconciliation.areas
    texts = dict(zip(a[a["region"] == SA]["name"], a[a["region"] == SA]["percent_text"], strict=True))
    assert texts["Migrant Assistance"] == "10.68" and texts["Migration and Environment"] == "0.32"
    assert texts["Migration Health"] == "16"


def test_export_lists_every_entry():
    import csv
    import io

    from typer.testing import CliRunner

    from recon.cli import app

    out = CliRunner().invoke(app, ["export", str(MI2015), "--format", "csv", "-o", "-"]).output
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == sum(n for n, _p, _c in TOTALS.values())
    by_region: dict[str, float] = {}
    for r in rows:
        if r["status"] == "requirement" and r["amount_usd"]:
            by_region[r["region"]] = by_region.get(r["region"], 0) + float(r["amount_usd"])
    assert by_region == {region: computed for region, (_n, _p, computed) in TOTALS.items()}
    assert {r["status"] for r in rows} == {"requirement", "funded"}
    assert all(" › Entries › C" in r["source"] for r in rows)


def _summary_formulas(ws) -> dict[str, str]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")}


def test_bundled_workbooks_carry_the_current_template_formulas(mi2015_result):
    """A template fix must reach the bundled edition: rebuild each workbook from what it holds and compare
    every formula on its Summary sheet (stale check formulas would break the LibreOffice agreement)."""
    from openpyxl import load_workbook

    from recon.appeal.published import PublishedRow, PublishedSummary
    from recon.workbook import template

    for sub in mi2015_result.submissions:
        if not sub.has_summary:
            continue

        def rows(frame, with_percent):
            out = []
            for r in frame.to_dict("records"):
                value = "funded" if r["published_funded"] else (
                    None if math.isnan(r["published_usd"]) else r["published_usd"])
                out.append(PublishedRow(r["name_printed"], value, r["percent_text"] if with_percent else None))
            return out

        summary = PublishedSummary(sub.title, rows(sub.countries, False), rows(sub.areas, True), sub.total)
        # The bundled edition has the previous template version's shape (no HXL row): rebuilt in that shape.
        rebuilt = template.build(sub.region, summary=summary, hashtags=False)["Summary"]
        bundled = load_workbook(sub.path)["Summary"]
        assert _summary_formulas(bundled) == _summary_formulas(rebuilt), sub.name
