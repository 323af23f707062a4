"""An amount typed as text in Entries, recalculated by LibreOffice, in every language of the words catalogue
and both template shapes (issue 13 item 4): wherever recon's sums and Excel's differ because of it, the
Summary's Check names the Entries row ("TEXT AMOUNT IN ENTRIES ROW 6", "MONTANT EN TEXTE DANS ENTRIES,
LIGNE 6", …), also where the published figure matches Excel's sum and the Check used to say OK.

Agreement, cell by cell: a Summary Check shows a reason exactly on the rows where recon reports an error on
the published figure, and that reason is the text amount recon reports (READ-AMOUNT-TEXT) on Entries.
"""

import pytest
import workbook_scenarios as sc
from libreoffice import recalculate
from openpyxl import load_workbook

from recon import pipeline
from recon.workbook import layout as L
from recon.workbook import words as W

SHAPES = [("en", False), ("en", True), ("fr", True), ("es", True)]


@pytest.fixture(scope="module")
def lo(tmp_path_factory):
    d = tmp_path_factory.mktemp("text-in")
    inputs = {(lang, tags): sc.text_amount_left_out_of_published(d, f"text-amount-{lang}-{tags}", lang, tags)
              for lang, tags in SHAPES}
    out = recalculate(inputs.values(), tmp_path_factory.mktemp("text-out"))
    return {key: (path, out[path.resolve()]) for key, path in inputs.items()}


def summary_reasons(recalculated, lang: str) -> dict[int, str]:
    """Summary row → what its Check (column F) shows, where that is not OK (header and HXL cells left out)."""
    ws = load_workbook(recalculated, data_only=True)[L.SUMMARY]
    words = W.words(lang)
    skip = {None, "", words.check("ok"), *words.country_table, *words.area_table}
    return {c.row: c.value for c in ws["F"] if c.value not in skip and not str(c.value).startswith("#")}


@pytest.mark.parametrize(("lang", "hashtags"), SHAPES)
def test_summary_names_the_text_amount_wherever_recon_reads_it_otherwise(lo, lang, hashtags):
    src, recalculated = lo[(lang, hashtags)]
    text_row = 6 if hashtags else 5
    found = pipeline.run([src]).findings
    on_entries = {(f.rule, f.location.cell) for f in found if f.location and f.location.sheet == L.ENTRIES}
    assert on_entries == {("READ-AMOUNT-TEXT", f"C{text_row}")}
    recon_rows = {int(f.location.cell.removeprefix("B")) for f in found
                  if f.location and f.location.sheet == L.SUMMARY and f.severity == "error"}
    assert {f.rule for f in found if f.severity == "error"} == {"COUNTRY-TABLE-SUM", "AREA-TABLE-SUM",
                                                                   "TOTAL-ENTRIES"}
    shown = summary_reasons(recalculated, lang)
    assert set(shown) == recon_rows
    assert set(shown.values()) == {f"{W.words(lang).check('text_amount_row')}{text_row}"}
