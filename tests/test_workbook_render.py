"""What a country office sees: the template's look, checked on its properties with openpyxl, and the blank
template and an annotated copy printed by LibreOffice to PDF and PNG with no error value in any cell.

Each property test is a case the template failed before it was polished (issue 13 item 7): an empty Summary
title, "grey columns" that were white, "Funding requirement (U" cut off, a red "Check" header between the
tables, a stray comment, the amount format on the pre-filled rows only, category;series;value;% over a tiny
pie, and a printout of one column per page.

``python tests/test_workbook_render.py docs/`` rewrites the README's screenshots.
"""

import re
import sys
import zipfile
from pathlib import Path

import fixtures as fx
import pytest
from libreoffice import page_png, pdf_pages, to_pdf
from openpyxl import load_workbook

from recon import pipeline
from recon.appeal.vocabulary import load
from recon.workbook import annotate, template
from recon.workbook import layout as L

REGION = "West and Central Africa"
ERROR_VALUES = ("Err:", "#REF!", "#NAME?", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!")
GREY = "00EDEDED"  # template.COMPUTED_FILL


def blank(tmp_path) -> Path:
    return template.write(template.build(REGION), tmp_path / "blank-wca.xlsx")


def with_mistakes(tmp_path) -> Path:
    """East and Horn of Africa with one of each common mistake: a repeated line, a name variant, an amount typed
    as text, a line without amount; on Summary a total 100,000 too high and a pie label typed 14.9."""
    entries = fx.entries() + [
        {"country": "Kenya", "area": "Migration Health", "amount": 1_000_000},
        {"country": "Tanzania", "area": "Migrant Assistance", "amount": 250_000},
        {"country": "Burundi", "area": "Migration Health", "amount": "300,000"},
        {"country": "Kenya", "area": "Migration Policy and Research"},
    ]
    summary = fx.summary()
    summary.total = 3_600_000
    summary.areas[1].percent = "14.9"
    return fx.write(tmp_path, "ehoa-with-mistakes", entries, summary)


def annotated(tmp_path) -> Path:
    src = with_mistakes(tmp_path)
    return annotate.write_copy(src, pipeline.run([src]).findings, tmp_path / "ehoa-annotated.xlsx").path


# ---- properties, with openpyxl ------------------------------------------------------------------------------


@pytest.fixture
def wb(tmp_path):
    return load_workbook(blank(tmp_path))


def header_rows(ws) -> list[int]:
    return [r for r in range(1, 40) if ws[f"A{r}"].value in (L.COUNTRY_TABLE_LABEL, L.AREA_TABLE_LABEL)]


def test_the_summary_title_names_the_region(wb):
    ws = wb[L.SUMMARY]
    assert (ws["A1"].value, ws["B1"].value) == ("Funding requirements for", REGION)


def test_the_cells_the_instructions_call_grey_are_grey(wb):
    assert "grey cells are computed from Entries" in wb[L.SUMMARY]["A2"].value
    ws = wb[L.SUMMARY]
    country_head, area_head = header_rows(ws)
    computed = [f"{c}{country_head + 1}" for c in "DEF"] + [f"{c}{area_head + 1}" for c in "DEFGHI"]
    assert {c: ws[c].fill.start_color.rgb for c in computed} == dict.fromkeys(computed, GREY)
    typed = [f"A{country_head + 1}", f"B{country_head + 1}", f"C{area_head + 1}"]
    assert all(ws[c].fill.start_color.rgb != GREY for c in typed)


def test_headers_wrap_and_columns_are_wide_enough(wb):
    """Every header fits on two lines with its longest word whole, and the longest country name fits."""
    for ws, rows in ((wb[L.ENTRIES], [1]), (wb[L.SUMMARY], header_rows(wb[L.SUMMARY]))):
        for r in rows:
            assert ws.row_dimensions[r].height >= 30, (ws.title, r)
            for cell in ws[r]:
                if not cell.value:
                    continue
                width = ws.column_dimensions[cell.column_letter].width
                assert cell.alignment.wrap_text, (ws.title, cell.coordinate)
                longest_word = max(len(w) for w in cell.value.split())
                assert width >= longest_word + 1 and 2 * width >= len(cell.value) + 2, (ws.title, cell.value, width)


@pytest.mark.parametrize("region", ["South-Eastern Europe, Eastern Europe and Central Asia", "European Economic Area"])
def test_the_country_column_fits_the_regions_longest_name(region):
    wb = template.build(region)
    longest = max(len(n) for n in load().regions[region].countries.names)  # "The former Yugoslav Republic of …"
    assert wb[L.ENTRIES].column_dimensions["A"].width >= longest
    assert wb[L.SUMMARY].column_dimensions["A"].width >= longest


def test_check_colours_never_fall_on_a_header_row(wb):
    ws = wb[L.SUMMARY]
    heads = set(header_rows(ws))
    for cf in ws.conditional_formatting:
        for rng in cf.sqref.ranges:
            assert not heads & set(range(rng.min_row, rng.max_row + 1)), str(rng)
            for rule in cf.rules:  # a formula rule is written for the first cell of its own range
                assert all(re.search(rf"[A-Z]{rng.min_row}\b", f) for f in rule.formula if "<>" in f), (
                    str(rng), rule.formula)


def test_a_blank_template_has_no_comment(wb):
    assert [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row if c.comment] == []


def test_amount_format_and_validations_cover_rows_typed_below_the_table(tmp_path, monkeypatch):
    ws = load_workbook(fx.clean_region(tmp_path))[L.ENTRIES]
    assert ws.column_dimensions["C"].number_format == template.USD_FORMAT  # row 300 as well as row 2
    assert ws["C2"].number_format == template.USD_FORMAT
    for dv in ws.data_validations.dataValidation:
        assert max(r.max_row for r in dv.sqref.ranges) >= template.VALIDATED_ROWS + 1, dv.sqref
    # a workbook pre-filled beyond VALIDATED_ROWS: every filled row validates, the last one too
    monkeypatch.setattr(template, "VALIDATED_ROWS", 3)
    many = [{"country": "Kenya", "area": "Migration Health", "amount": i + 1} for i in range(6)]
    ws = load_workbook(fx.write(tmp_path, "many", many))[L.ENTRIES]
    assert {str(dv.sqref) for dv in ws.data_validations.dataValidation} >= {"A2:A7", "C2:C7", "D2:D7"}


def test_the_pie_chart_labels_slices_in_percent_with_a_legend(tmp_path):
    with zipfile.ZipFile(fx.clean_region(tmp_path)) as z:
        chart = next(z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart"))
    labels = re.search(r"<dLbls>(.*?)</dLbls>", chart, re.S).group(1)
    shown = dict(re.findall(r'<(show\w+) val="(\d)"', labels))
    assert shown["showPercent"] == "1"
    assert all(shown.get(k) == "0" for k in ("showVal", "showCatName", "showSerName", "showLegendKey")), shown
    assert '<legendPos val="r"' in chart


def test_every_printed_sheet_is_landscape_one_page_wide(tmp_path):
    wb = load_workbook(annotated(tmp_path))
    for ws in (wb[L.INSTRUCTIONS], wb[L.ENTRIES], wb[L.SUMMARY], wb[L.FINDINGS]):
        ps = ws.page_setup
        assert (ps.orientation, ps.fitToWidth, ps.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (
            "landscape", 1, 0, True), ws.title
    assert wb[L.ENTRIES].print_title_rows == wb[L.FINDINGS].print_title_rows == "$1:$1"  # the header row


def test_long_instruction_lines_get_the_rows_they_wrap_to(wb):
    ws = wb[L.INSTRUCTIONS]
    width = ws.column_dimensions["A"].width
    long_rows = [c.row for c in ws["A"] if isinstance(c.value, str) and len(c.value) > 1.2 * width]
    assert long_rows and all((ws.row_dimensions[r].height or 0) >= 30 for r in long_rows)


# ---- printed by LibreOffice ----------------------------------------------------------------------------------


def sheet_pages(pages: list[str]) -> dict[str, list[int]]:
    """Page numbers (1-based) of each printed sheet, told apart by what is printed on them."""
    out: dict[str, list[int]] = {"Instructions": [], "Entries": [], "Summary": [], "Findings": []}
    for i, text in enumerate(pages, start=1):
        if "Funding requirements for" in text:
            out["Summary"].append(i)
        elif re.search(r"Severity\s+Rule\s+Location", text):
            out["Findings"].append(i)
        elif re.search(r"Country\s+Programmatic area", text):
            out["Entries"].append(i)
        elif not out["Entries"]:
            out["Instructions"].append(i)
    return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("render")
    pdfs = to_pdf([blank(tmp), annotated(tmp)], tmp / "pdf")
    return tmp, {p.stem: p_pdf for p, p_pdf in pdfs.items()}


@pytest.mark.full
@pytest.mark.parametrize("name", ["blank-wca", "ehoa-annotated"])
def test_printed_cells_show_no_error_value(printed, name):
    _tmp, pdfs = printed
    text = "\f".join(pdf_pages(pdfs[name]))
    assert [e for e in ERROR_VALUES if e in text] == []


@pytest.mark.full
def test_the_blank_template_prints_whole_sheets_with_their_words(printed):
    tmp, pdfs = printed
    pages = pdf_pages(pdfs["blank-wca"])
    where = sheet_pages(pages)
    assert where["Entries"] and len(where["Summary"]) == 1, where
    for p in where["Entries"]:  # every column on one page, the header row repeated on every page
        page = pages[p - 1]
        assert re.search(r"Country\s+Programmatic area\s+Status\s+Target populations\s+Source\s+Notes\s+Check",
                         page), page[:400]
        assert all(w in page for w in ("Funding requirement", "(USD)", "Intentional", "duplicate")), page[:400]
    summary = pages[where["Summary"][0] - 1]
    assert re.search(rf"Funding requirements for\s+{REGION}", summary)
    for words in ("Total funding requirement", "Sum of the area table", "Pie check",
                  "Funding requirement by programmatic area", "Computed from", "MISSING"):
        assert words in summary, words  # the whole Summary and its chart on one page
    for sheet in ("Entries", "Summary"):
        png = page_png(pdfs["blank-wca"], where[sheet][0], tmp / f"blank-{sheet}.png")
        assert png.stat().st_size > 2_000


@pytest.mark.full
def test_the_annotated_copy_prints_the_check_words_and_findings(printed):
    tmp, pdfs = printed
    pages = pdf_pages(pdfs["ehoa-annotated"])
    where = sheet_pages(pages)
    entries = pages[where["Entries"][0] - 1]
    for words in ("DUPLICATE", "WRITE 'United Republic of Tanzania'", "TEXT AMOUNT", "NO AMOUNT", "OK"):
        assert words in entries, words
    summary = pages[where["Summary"][0] - 1]
    assert "MISMATCH" in summary and "SEE TOTAL" in summary and " OK" in summary
    findings = "\n".join(pages[p - 1] for p in where["Findings"])
    assert "TOTAL-ENTRIES" in findings and "ENTRY-DUPLICATE" in findings
    for sheet in ("Entries", "Summary"):
        assert page_png(pdfs["ehoa-annotated"], where[sheet][0], tmp / f"annotated-{sheet}.png").stat().st_size > 2_000


def screenshots(out_dir: Path, dpi: int = 110) -> list[Path]:
    """The README's pictures: Entries and Summary of the blank template and of the annotated copy."""
    import tempfile

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pdfs = to_pdf([blank(tmp), annotated(tmp)], tmp / "pdf")
        for pdf, name in zip(pdfs.values(), ("template", "annotated"), strict=True):
            where = sheet_pages(pdf_pages(pdf))
            for sheet in ("Entries", "Summary"):
                written.append(page_png(pdf, where[sheet][0], out_dir / f"{name}-{sheet.lower()}.png", dpi))
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    print("\n".join(map(str, screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")))))
