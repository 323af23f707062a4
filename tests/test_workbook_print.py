"""An annotated copy prints only its used rows (issue 13 item 7): the Entries Check formulas reach hundreds of
rows below the table, and LibreOffice (like Excel) printed every row holding a formula, so a short sheet came
out with pages of empty rows after the last line. A template itself keeps them: its rows are not typed yet,
and a fixed print area would leave the office's rows off the paper.

Printed through LibreOffice to PDF; pages counted with pdfinfo, their text read with pdftotext.
"""

import re
import subprocess

import fixtures as fx
import pytest
from libreoffice import page_png, pdf_pages, to_pdf
from openpyxl import load_workbook

from recon import pipeline
from recon.workbook import annotate, template
from recon.workbook import layout as L

MH = "Migration Health"


def page_count(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def long_regional() -> list[dict]:
    """90 Kenya lines (one per area would repeat: each its own amount and 'Intentional duplicate')."""
    return [{"country": "Kenya", "area": MH, "amount": 1_000 + i, "duplicate_ok": "Yes", "notes": f"line {i + 1}"}
            for i in range(90)]


def annotated(path):
    return annotate.write_copy(path, pipeline.run([path]).findings, path.with_name(f"{path.stem}-annotated.xlsx")).path


def typed_below_the_table(tmp):
    """A blank Kenya template with three lines typed in below its table, as an office does."""
    src = template.write(template.build(fx.REGION, "Kenya"), tmp / "kenya-typed-src.xlsx")
    wb = load_workbook(src)
    ws = wb[L.ENTRIES]
    for r, (area, amount) in enumerate([(MH, 1_000_000), ("Migrant Assistance", 500_000),
                                        ("Migration and Environment", 250_000)], start=2):
        ws[f"B{r}"], ws[f"C{r}"] = area, amount
    typed = tmp / "kenya-typed.xlsx"
    wb.save(typed)
    return typed


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("print")
    books = {
        "blank-regional": template.build(fx.REGION),
        "blank-regional-fr": template.build(fx.REGION, lang="fr"),
        "blank-country": template.build(fx.REGION, "Kenya"),
        "filled-regional": template.build(fx.REGION, entries=fx.entries(), summary=fx.summary()),
        "filled-country": template.build(fx.REGION, "Kenya", entries=fx.KENYA_ENTRIES),
        "long-regional": template.build(fx.REGION, entries=long_regional()),
    }
    paths = [template.write(wb, tmp / f"{name}.xlsx") for name, wb in books.items()] + [typed_below_the_table(tmp)]
    pdfs = to_pdf([annotated(p) for p in paths] + [paths[-1]], tmp / "pdf")
    return tmp, {p.stem: pdf for p, pdf in pdfs.items()}


# Instructions, Entries, Summary, Findings: one page each (a country office's workbook has no Summary; the
# French instructions are longer and take two).
@pytest.mark.parametrize(("name", "pages"), [("blank-regional", 4), ("blank-regional-fr", 5), ("blank-country", 3),
                                             ("filled-regional", 4), ("filled-country", 3)])
def test_a_short_annotated_copy_prints_no_blank_pages_after_its_last_entry(printed, name, pages):
    _tmp, pdfs = printed
    assert page_count(pdfs[f"{name}-annotated"]) == pages


def test_every_printed_entries_page_of_a_long_sheet_holds_entries(printed):
    tmp, pdfs = printed
    pages = pdf_pages(pdfs["long-regional-annotated"])
    entries = [p for p in pages if re.search(r"Country\s+Programmatic area\s+Status", p)]
    assert len(entries) >= 2  # 90 lines do not fit one A4 page
    assert all("Kenya" in p for p in entries)
    assert "line 90" in entries[-1] and "line 1 " in entries[0]
    assert page_count(pdfs["long-regional-annotated"]) == len(entries) + 3
    png = page_png(pdfs["long-regional-annotated"], pages.index(entries[-1]) + 1, tmp / "long-last-entries-page.png")
    assert png.stat().st_size > 2_000


@pytest.mark.parametrize("name", ["kenya-typed", "kenya-typed-annotated"])
def test_lines_typed_below_a_templates_table_print(printed, name):
    _tmp, pdfs = printed
    pages = pdf_pages(pdfs[name])
    entries = "\f".join(p for p in pages if re.search(r"Country\s+Programmatic area\s+Status", p))
    assert all(a in entries for a in (MH, "Migrant Assistance", "Migration and Environment"))
    assert "250,000" in entries
