"""The French and Spanish templates' live checks, recalculated by LibreOffice, agree with recon (as
tests/test_workbook_live_checks.py holds the English one to): Entries mistakes on a country office's rows,
and a regional workbook's Summary with a wrong total — the checks' words in the workbook's language."""

import copy

import fixtures as fx
import pytest
from libreoffice import recalculate
from openpyxl import load_workbook
from test_workbook_live_checks import recon_entry_rows

from recon import pipeline
from recon.appeal.vocabulary import load
from recon.workbook import layout as L
from recon.workbook import template
from recon.workbook import words as W

# recon rule → the catalogue key of the phrase the Entries Check cell shows for it
PHRASE_KEYS = {
    "READ-AMOUNT-TEXT": {"text_amount"}, "READ-AMOUNT-UNREADABLE": {"text_amount"},
    "READ-FUNDED-IN-AMOUNT": {"funded_typed_as_amount"}, "ENTRY-FUNDED-WITH-AMOUNT": {"funded_with_amount"},
    "ENTRY-AMOUNT-MISSING": {"no_amount"}, "ENTRY-AMOUNT-NEGATIVE": {"negative_amount"},
    "ENTRY-STATUS-UNKNOWN": {"status_unknown"}, "ENTRY-COUNTRY-UNKNOWN": {"country_not_in_list"},
    "ENTRY-COUNTRY-VARIANT": {"write"}, "ENTRY-AREA-UNKNOWN": {"area_not_in_list"},
    "ENTRY-AREA-VARIANT": {"write"}, "ENTRY-DUPLICATE": {"duplicate"},
}
MH, MA = "Migration Health", "Migrant Assistance"


def kenya_mistakes() -> list[dict]:
    """Kenya's rows (the template writes canonical names in its language), one mistake per row."""
    rows = copy.deepcopy(fx.KENYA_ENTRIES)
    rows[0]["amount"] = "1,000,000"  # text amount
    rows[1]["status"] = "Funded"  # funded with an amount (written in the workbook's language)
    return rows + [
        {"area": "Migration and Environment", "amount": -5},  # negative
        {"area": "Health and Stuff", "amount": 10},  # unknown area
        {"area": "Labour Migration and Human Development", "amount": 10, "status": "Pending"},  # unknown status
        {"area": MH, "amount": 7},  # duplicate of the first row
    ]


@pytest.fixture(scope="module")
def lo(tmp_path_factory):
    d = tmp_path_factory.mktemp("lang-in")
    inputs = {}
    for lang in ("fr", "es"):
        wb = template.build(fx.REGION, "Kenya", entries=kenya_mistakes(), lang=lang)
        ws = wb[L.ENTRIES]
        # row 10: funded typed in the amount column
        ws["B10"] = load(lang).areas.show("Immigration and Border Management")
        ws["C10"] = "Financé" if lang == "fr" else "financiado"
        inputs[f"kenya-{lang}"] = template.write(wb, d / f"kenya-{lang}.xlsx")
        s = fx.summary()
        s.total = 3_600_000
        wb = template.build(fx.REGION, entries=fx.entries(), summary=s, lang=lang)
        inputs[f"wrong-total-{lang}"] = template.write(wb, d / f"wrong-total-{lang}.xlsx")
    out = recalculate(inputs.values(), tmp_path_factory.mktemp("lang-out"))
    return {name: (path, out[path.resolve()]) for name, path in inputs.items()}


def entry_checks(recalculated, lang: str) -> dict[int, set[str]]:
    ws = load_workbook(recalculated, data_only=True)[L.ENTRIES]
    col = next(c.column_letter for c in ws[1] if c.value == W.words(lang).check_header)
    ok = W.words(lang).check("ok")
    return {r: set(ws[f"{col}{r}"].value.split("; ")) for r in range(3, ws.max_row + 1)
            if ws[f"{col}{r}"].value not in (None, "", ok)}


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_entries_check_in_the_workbooks_language_agrees_with_recon(lo, lang):
    src, recalculated = lo[f"kenya-{lang}"]
    shown, found = entry_checks(recalculated, lang), recon_entry_rows(src, PHRASE_KEYS)
    say = W.words(lang).check
    assert shown == {3: {say("text_amount"), say("duplicate")}, 4: {say("funded_with_amount")},
                     6: {say("negative_amount")}, 7: {say("area_not_in_list")}, 8: {say("status_unknown")},
                     9: {say("duplicate")}, 10: {say("funded_typed_as_amount")}}
    assert set(found) == set(shown)
    for row, rules in found.items():
        phrases = shown[row]
        for rule in rules:
            assert any(p.startswith(tuple(say(k) for k in PHRASE_KEYS[rule])) for p in phrases), (row, rule, phrases)
        for p in phrases:
            assert any(p.startswith(tuple(say(k) for k in PHRASE_KEYS[r])) for r in rules), (row, p, rules)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_summary_checks_in_the_workbooks_language_point_at_the_total_as_recon_does(lo, lang):
    src, recalculated = lo[f"wrong-total-{lang}"]
    ws = load_workbook(recalculated, data_only=True)[L.SUMMARY]
    w = W.words(lang)
    total = next(r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == w.total)
    assert ws[f"F{total}"].value == w.check("mismatch")
    assert (ws[f"F{total + 1}"].value, ws[f"F{total + 2}"].value) == (w.check("see_total"), w.check("see_total"))
    country_checks = [ws[f"F{r}"].value for r in range(6, 9)]
    assert country_checks == [w.check("ok")] * 3
    found = pipeline.run([src]).findings
    assert [f.rule for f in found if f.severity == "error"] == ["TOTAL-ENTRIES"]
    assert all(f.location.cell == f"B{total}" for f in found)
