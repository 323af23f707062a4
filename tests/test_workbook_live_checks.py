"""The workbook's live checks, recalculated by LibreOffice, agree with recon on the same files (issue 13,
items 1–4): pie % typed four ways (and percent-formatted), a wrong total, a missing country row, and every
Entries mistake a country office (or a regional office) can make, each in its own copy.

One soffice run recalculates every scenario (tests/libreoffice.py). The Entries Check column's phrases and
the recon rules they stand for are listed in recon/workbook/livecheck.py; ``PHRASES`` below is that table.
"""

import copy

import fixtures as fx
import pytest
import workbook_scenarios as sc
from libreoffice import recalculate
from openpyxl import load_workbook

from recon import pipeline
from recon.workbook import annotate, livecheck
from recon.workbook import layout as L

# recon rule → the phrase the Entries Check cell shows for it (a variant may also show as "not in list" when
# recon resolves a misspelling Excel cannot know).
PHRASES = {
    "READ-AMOUNT-TEXT": {"TEXT AMOUNT"}, "READ-AMOUNT-UNREADABLE": {"TEXT AMOUNT"},
    "READ-FUNDED-IN-AMOUNT": {"FUNDED TYPED AS AMOUNT"}, "ENTRY-FUNDED-WITH-AMOUNT": {"FUNDED WITH AMOUNT"},
    "ENTRY-AMOUNT-MISSING": {"NO AMOUNT"}, "ENTRY-AMOUNT-NEGATIVE": {"NEGATIVE AMOUNT"},
    "ENTRY-AMOUNT-WHOLE": {"NOT WHOLE USD"}, "ENTRY-STATUS-UNKNOWN": {"STATUS?"},
    "ENTRY-COUNTRY-UNKNOWN": {"COUNTRY NOT IN LIST", "COUNTRY MISSING"},
    "ENTRY-COUNTRY-VARIANT": {"WRITE", "COUNTRY NOT IN LIST"},
    "ENTRY-AREA-UNKNOWN": {"AREA NOT IN LIST"}, "ENTRY-AREA-VARIANT": {"WRITE", "AREA NOT IN LIST"},
    "ENTRY-DUPLICATE": {"DUPLICATE"},
}
MH, MA, OPS = sc.MH, sc.MA, sc.OPS


def kenya(*changes: dict, extra: tuple = ()) -> list[dict]:
    """Kenya's clean rows with ``changes`` applied row by row, plus ``extra`` rows."""
    rows = copy.deepcopy(fx.KENYA_ENTRIES)
    for row, change in zip(rows, changes, strict=False):
        row.update(change)
    return rows + list(extra)


# A country office's mistakes, one per copy (Kenya's workbook: no Summary).
COUNTRY_MISTAKES = {
    "amount-typed-as-text": (kenya({"amount": "1,000,000"}), {2: {"TEXT AMOUNT"}}),
    "funded-typed-in-amount": (kenya({}, {}, {"amount": "Funded", "status": None}), {4: {"FUNDED TYPED AS AMOUNT"}}),
    "funded-with-an-amount": (kenya({}, {"status": "Funded"}), {3: {"FUNDED WITH AMOUNT"}}),
    "requirement-without-amount": (kenya({"amount": None}), {2: {"NO AMOUNT"}}),
    "negative-amount": (kenya({"amount": -5}), {2: {"NEGATIVE AMOUNT"}}),
    "status-unknown": (kenya({"status": "Pending"}), {2: {"STATUS?"}}),
    "country-not-in-list": (kenya({"country": "Narnia"}), {2: {"COUNTRY NOT IN LIST"}}),
    "area-not-in-list": (kenya({"area": "Health and Stuff"}), {2: {"AREA NOT IN LIST"}}),
    "area-name-variant": (kenya({}, {}, {"area": "Migration, Environment and Climate Change"}),
                          {4: {"WRITE 'Migration and Environment'"}}),
    "repeated-row": (kenya(extra=({"area": MH, "amount": 1_000_000},)), {2: {"DUPLICATE"}, 5: {"DUPLICATE"}}),
    "intentional-duplicate": (kenya({"duplicate_ok": "Yes"}, extra=({"area": MH, "amount": 1_000_000,
                                                                      "duplicate_ok": "Yes"},)), {}),
    "clean": (kenya(), {}),
}


@pytest.fixture(scope="module")
def lo(tmp_path_factory):
    d = tmp_path_factory.mktemp("live-in")
    inputs = {}
    for form, labels in sc.PERCENT_FORMS.items():
        inputs[f"pie-{form}"] = sc.with_labels(d, f"pie-{form}", labels)
    inputs["pie-percent-formatted-wrong"] = sc.with_labels(
        d, "pie-percent-formatted-wrong", [(0.3, "0.0%"), (0.143, "0.0%"), (0.571, "0.0%")])
    inputs["pie-unreadable"] = sc.with_labels(d, "pie-unreadable", [("about 28", None), ("14.3", None),
                                                                     ("57.1", None)])
    inputs["wrong-total"] = sc.wrong_total(d)
    inputs["regional-text-amount"] = sc.text_amount_in_regional_entries(d)
    inputs["text-amount-left-out"] = sc.text_amount_left_out_of_published(d)
    inputs["variants-in-tables"] = sc.variants_in_published_tables(d)
    inputs["missing-country-row"] = sc.missing_country_row(d)
    inputs["regional-variant-and-unknown"] = fx.write(d, "regional-variant-and-unknown", fx.entries() + [
        {"country": "Tanzania", "area": MH, "amount": 0}, {"country": "Narnia", "area": MH, "amount": 0}])
    for name, (rows, _expected) in COUNTRY_MISTAKES.items():
        inputs[f"kenya-{name}"] = fx.clean_country(d, f"kenya-{name}", rows=rows)
    out = recalculate(inputs.values(), tmp_path_factory.mktemp("live-out"))
    return {name: (path, out[path.resolve()]) for name, path in inputs.items()}


def entry_checks(recalculated) -> dict[int, set[str]]:
    """Entries row → the phrases its Check cell shows (rows showing OK or nothing are left out)."""
    ws = load_workbook(recalculated, data_only=True)[L.ENTRIES]
    col = next(c.column_letter for c in ws[1] if c.value == livecheck.CHECK_HEADER)
    out = {}
    for r in range(2, ws.max_row + 1):
        v = ws[f"{col}{r}"].value
        if v not in (None, "", "OK"):
            out[r] = set(v.split("; "))
    return out


def recon_entry_rows(src, rules=PHRASES) -> dict[int, set[str]]:
    """Entries row → the ``rules`` recon reports on it (Entries findings only)."""
    out: dict[int, set[str]] = {}
    for f in pipeline.run([src]).findings:
        where = annotate.cell_of(f.location)
        if where and where[0] == L.ENTRIES and f.rule in rules:
            out.setdefault(int("".join(ch for ch in where[1] if ch.isdigit())), set()).add(f.rule)
    return out


def entry_disagreements(src, recalculated) -> list[str]:
    shown, found = entry_checks(recalculated), recon_entry_rows(src)
    problems = []
    for row in sorted(set(shown) | set(found)):
        phrases, rules = shown.get(row, set()), found.get(row, set())
        for rule in rules:
            if not any(p.startswith(tuple(PHRASES[rule])) for p in phrases):
                problems.append(f"row {row}: recon {rule}, Check shows {phrases or 'OK'}")
        for p in phrases:
            if not any(p.startswith(tuple(PHRASES[r])) for r in rules):
                problems.append(f"row {row}: Check shows {p!r}, recon has {rules or 'nothing'}")
    return problems


@pytest.mark.parametrize("name", COUNTRY_MISTAKES)
def test_country_office_entries_check_agrees_with_recon(lo, name):
    src, recalculated = lo[f"kenya-{name}"]
    assert entry_checks(recalculated) == COUNTRY_MISTAKES[name][1]
    assert entry_disagreements(src, recalculated) == []


def test_regional_entries_check_names_the_variant_and_the_unknown_country(lo):
    src, recalculated = lo["regional-variant-and-unknown"]
    assert entry_checks(recalculated) == {6: {"WRITE 'United Republic of Tanzania'"}, 7: {"COUNTRY NOT IN LIST"}}
    assert entry_disagreements(src, recalculated) == []


def summary_checks(recalculated) -> dict[str, object]:
    ws = load_workbook(recalculated, data_only=True)[L.SUMMARY]
    return {f"{c.column_letter}{c.row}": c.value for row in ws.iter_rows(min_row=5) for c in row
            if c.column_letter in "FHI" and c.value not in (None, "")}


@pytest.mark.parametrize("form", sc.PERCENT_FORMS)
def test_pie_percent_typed_any_way_is_ok_in_the_live_check_and_in_recon(lo, form):
    src, recalculated = lo[f"pie-{form}"]
    checks = summary_checks(recalculated)
    assert {checks[f"H{r}"] for r in (10, 11, 12)} == {"OK"}
    assert [checks[f"I{r}"] for r in (10, 11, 12)] == ["28.6", "14.3", "57.1"]
    assert pipeline.run([src]).findings == []


def test_wrong_percent_formatted_label_mismatches_in_both(lo):
    src, recalculated = lo["pie-percent-formatted-wrong"]
    checks = summary_checks(recalculated)
    assert (checks["H10"], checks["I10"], checks["H11"]) == ("MISMATCH", "30.0", "OK")
    assert sorted((f.rule, f.location.cell) for f in pipeline.run([src]).findings) == [
        ("PIE-SLICE-MISMATCH", "C10"), ("PIE-SUM-100", "B14")]  # 30.0 + 14.3 + 57.1 = 101.4


def test_unreadable_label_is_named_in_both(lo):
    src, recalculated = lo["pie-unreadable"]
    assert summary_checks(recalculated)["H10"] == "NOT A NUMBER"
    assert {f.rule for f in pipeline.run([src]).findings} >= {"READ-PERCENT-UNREADABLE"}


def test_wrong_total_points_both_at_the_total(lo):
    src, recalculated = lo["wrong-total"]
    checks = summary_checks(recalculated)
    total = 14
    assert checks[f"F{total}"] == "MISMATCH"
    assert {checks[f"H{r}"] for r in (10, 11, 12)} == {"SEE TOTAL"}
    assert (checks[f"F{total + 1}"], checks[f"F{total + 2}"]) == ("SEE TOTAL", "SEE TOTAL")
    found = pipeline.run([src]).findings
    assert [f.rule for f in found if f.severity == "error"] == ["TOTAL-ENTRIES"]
    assert all(f.location.cell == f"B{total}" for f in found)


def test_missing_country_row_is_named_in_both(lo):
    src, recalculated = lo["missing-country-row"]
    checks = summary_checks(recalculated)
    sum_row = next(c for c, v in checks.items() if v == "ROW MISSING")
    assert sum_row.startswith("F")
    assert {f.rule for f in pipeline.run([src]).findings} == {"COUNTRY-NOT-IN-TABLE", "TOTAL-COUNTRY-TABLE-EXPLAINED"}


def test_text_amount_names_its_entries_row_where_excel_and_recon_differ(lo):
    """Regression: an amount typed as text turned the Summary red while recon exited 0 with gap 0, and the
    Excel-only user got no reason. Now every check it upsets names the row, and recon reports that row."""
    src, recalculated = lo["regional-text-amount"]
    checks = summary_checks(recalculated)
    shown = {c: v for c, v in checks.items() if c.startswith("F") and v not in ("OK", "Check")}
    assert set(shown.values()) == {"TEXT AMOUNT IN ENTRIES ROW 2"}
    assert set(shown) == {"F7", "F10", "F14"}  # Kenya, Migration Health, the total
    assert entry_checks(recalculated) == {2: {"TEXT AMOUNT"}}
    assert [(f.rule, f.location.cell) for f in pipeline.run([src]).findings] == [
        ("READ-AMOUNT-TEXT", "C2")]


def test_name_variant_in_a_published_table_names_the_canonical_name(lo):
    src, recalculated = lo["variants-in-tables"]
    checks = summary_checks(recalculated)
    shown = {c: v for c, v in checks.items() if c.startswith("F") and v not in ("OK", "Check")}
    assert shown == {"F8": "WRITE 'United Republic of Tanzania'",
                     "F13": "WRITE 'Operations, Emergencies and Post-crisis'"}
    found = {(f.rule, f.location.cell) for f in pipeline.run([src]).findings}
    assert found == {("COUNTRY-NAME-VARIANT", "B8"), ("AREA-NAME-VARIANT", "B13")}


def test_text_amount_left_out_of_the_published_figures_is_named_where_the_check_said_ok(lo):
    """Regression: "300,000" typed as text on a Kenya line the published figures leave out. SUMIFS skipped it,
    so Kenya, Operations and the total matched and their Checks said OK, while recon read 300,000 and
    reported all three. Now each Check recon disagrees with names the Entries row; the sums stay OK."""
    src, recalculated = lo["text-amount-left-out"]
    checks = summary_checks(recalculated)
    shown = {c: v for c, v in checks.items() if c.startswith("F") and v not in ("OK", "Check")}
    assert shown == {"F7": "TEXT AMOUNT IN ENTRIES ROW 5", "F12": "TEXT AMOUNT IN ENTRIES ROW 5",
                     "F14": "TEXT AMOUNT IN ENTRIES ROW 5"}  # Kenya, Operations, the total
    assert (checks["F15"], checks["F16"]) == ("OK", "OK")  # the published tables add up to the published total
    assert entry_checks(recalculated) == {5: {"TEXT AMOUNT"}}
    found = {(f.rule, f.location.sheet, f.location.cell)
             for f in pipeline.run([src]).findings}
    assert found == {("READ-AMOUNT-TEXT", "Entries", "C5"), ("COUNTRY-TABLE-SUM", "Summary", "B7"),
                     ("AREA-TABLE-SUM", "Summary", "B12"), ("TOTAL-ENTRIES", "Summary", "B14")}
