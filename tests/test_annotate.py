"""`recon check FILE --annotate OUT.xlsx`: a copy with a Findings sheet, coloured and commented cells; the input
untouched; formulas, validations, the Entries table and the pie chart kept. (That LibreOffice opens the copy is
in test_libreoffice.py, with the other LibreOffice runs.)"""

import hashlib
import re
import zipfile

import fixtures as fx
import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from typer.testing import CliRunner

from recon import pipeline
from recon.appeal.finding import Finding
from recon.appeal.location import Location
from recon.cli import app
from recon.workbook import annotate
from recon.workbook import layout as L

RED, AMBER = "00FFC7CE", "00FFEB9C"


def recon(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def with_errors(tmp_path, name="with-errors"):
    """A negative duplicate line for Kenya (Entries C6) and Migrant Assistance printed as 14.9 % (Summary C11)."""
    entries = fx.entries() + [{"country": "Kenya", "area": "Migration Health", "amount": -5}]
    summary = fx.summary()
    summary.areas[1].percent = "14.9"
    return fx.write(tmp_path, name, entries, summary)


def pie_refs(path) -> list[str]:
    """The cell ranges every pie chart in ``path`` plots."""
    with zipfile.ZipFile(path) as z:
        return [ref for n in sorted(z.namelist()) if n.startswith("xl/charts/chart") and b"<pieChart>" in z.read(n)
                for ref in re.findall(r"<f>([^<]+)</f>", z.read(n).decode())]


@pytest.fixture
def annotated(tmp_path):
    src = with_errors(tmp_path)
    digest = sha256(src)
    out = tmp_path / "out" / "checked.xlsx"
    result = recon("check", src, "--annotate", out)
    assert result.exit_code == 1, result.output
    return src, digest, out


def test_input_is_unchanged_and_the_copy_has_the_findings_sheet(annotated):
    src, digest, out = annotated
    assert sha256(src) == digest
    findings = pipeline.run([src]).findings
    wb = load_workbook(out)
    assert wb.sheetnames == [L.INSTRUCTIONS, L.ENTRIES, L.SUMMARY, L.LISTS, L.META, L.FINDINGS]
    rows = [list(r) for r in wb[L.FINDINGS].iter_rows(values_only=True)]
    # The same rows as the xlwings check writes (empty strings read back as empty cells).
    assert rows == [[v or None for v in row] for row in annotate.findings_rows(findings)]
    negative = next(r for r in range(2, len(rows) + 1) if wb[L.FINDINGS][f"B{r}"].value == "ENTRY-AMOUNT-NEGATIVE")
    link = wb[L.FINDINGS][f"C{negative}"]
    assert link.value == "with-errors.xlsx › Entries › C6" and link.hyperlink.location == "'Entries'!C6"
    assert wb[L.FINDINGS][f"A{negative}"].fill.start_color.rgb == RED


def test_offending_cells_are_filled_and_commented(annotated):
    _src, _digest, out = annotated
    wb = load_workbook(out)
    entries, summary = wb[L.ENTRIES], wb[L.SUMMARY]
    assert entries["C6"].fill.start_color.rgb == RED
    assert entries["C6"].comment.author == "recon" and "ENTRY-AMOUNT-NEGATIVE" in entries["C6"].comment.text
    assert entries["B2"].fill.start_color.rgb == AMBER and "ENTRY-DUPLICATE" in entries["B2"].comment.text
    assert summary["C11"].fill.start_color.rgb == RED and "PIE-SLICE-MISMATCH" in summary["C11"].comment.text
    assert entries["C3"].comment is None and entries["C3"].fill.fill_type is None  # a correct cell is left alone
    assert summary["B5"].fill.start_color.rgb == "00FFF2CC"  # the template's yellow input cell


def test_copy_keeps_formulas_validations_table_and_pie_chart(annotated):
    src, _digest, out = annotated
    before, after = load_workbook(src), load_workbook(out)
    for sheet in (L.ENTRIES, L.SUMMARY):
        cells = [(c.coordinate, c.value) for row in before[sheet].iter_rows() for c in row]
        assert cells == [(c.coordinate, c.value) for row in after[sheet].iter_rows() for c in row
                         if c.coordinate in dict(cells)]
    assert str(after[L.SUMMARY]["F5"].value).startswith("=IF(")
    validations = [(str(dv.sqref), dv.type, dv.formula1) for dv in after[L.ENTRIES].data_validations.dataValidation]
    assert validations == [(str(dv.sqref), dv.type, dv.formula1)
                           for dv in before[L.ENTRIES].data_validations.dataValidation] and validations
    assert L.TABLE_NAME in after[L.ENTRIES].tables
    assert len(after[L.SUMMARY].conditional_formatting) == len(before[L.SUMMARY].conditional_formatting)
    assert pie_refs(out) == pie_refs(src) == ["'Summary'!B9", "'Summary'!$A$10:$A$12", "'Summary'!$B$10:$B$12"]


def test_a_chart_openpyxl_cannot_read_is_rebuilt(tmp_path):
    src = with_errors(tmp_path)
    broken = tmp_path / "unreadable-chart.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/charts/chart"):  # a chart part without <chart>: openpyxl skips it
                data = re.sub(rb"<chart>.*</chart>", b"", data, flags=re.S)
            zout.writestr(item, data)
    copy = annotate.write_copy(broken, pipeline.run([broken]).findings, tmp_path / "copy.xlsx")
    assert copy.lost == []
    assert pie_refs(copy.path) == pie_refs(src)


def test_annotating_an_annotated_copy_clears_the_old_marks(annotated, tmp_path):
    _src, _digest, out = annotated
    wb = load_workbook(out)  # an office's own note on a cell recon never marked
    wb[L.SUMMARY]["A3"].comment = Comment("figures from the March cable", "Nairobi office")
    wb.save(noted := tmp_path / "noted.xlsx")
    again = annotate.write_copy(noted, [], tmp_path / "again.xlsx")
    wb = load_workbook(again.path)
    assert again.marked == 0 and wb.sheetnames.count(L.FINDINGS) == 1
    assert [c.value for c in wb[L.FINDINGS][2]] == [None, None, None, annotate.NO_FINDINGS, None]
    assert wb[L.ENTRIES]["C6"].fill.fill_type is None and wb[L.ENTRIES]["C6"].comment is None
    assert wb[L.SUMMARY]["C11"].fill.start_color.rgb == "00FFF2CC" and wb[L.SUMMARY]["C11"].comment is None
    assert wb[L.SUMMARY]["A3"].comment.text == "figures from the March cable"  # the office's own note stays


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    src = fx.clean_region(tmp_path)
    quoted = Finding("ENTRY-AREA-UNKNOWN", "error", location=Location("clean-region.xlsx", "Entries", "B2"),
                     message="=HYPERLINK(\"http://x\",\"click\")", suggestion="+1")
    copy = annotate.write_copy(src, [quoted], tmp_path / "copy.xlsx")
    with zipfile.ZipFile(copy.path) as z:
        findings_xml = z.read("xl/worksheets/sheet6.xml").decode()  # the sixth sheet: Findings
    assert "<f>" not in findings_xml
    ws = load_workbook(copy.path)[L.FINDINGS]
    # the one neutraliser (recon.inert.cell), as in the export and report.xlsx: a leading apostrophe
    assert (ws["D2"].value, ws["E2"].value) == ("'" + quoted.message, "'+1")


@pytest.mark.parametrize("case", ["exists", "is-input", "two-files", "not-xlsx"])
def test_annotate_refuses_to_overwrite_or_guess(tmp_path, case):
    src = with_errors(tmp_path)
    out = {"exists": tmp_path / "taken.xlsx", "is-input": src, "two-files": tmp_path / "o.xlsx",
           "not-xlsx": tmp_path / "o.csv"}[case]
    if case == "exists":
        out.write_bytes(b"someone's file")
    files = [src, fx.clean_region(tmp_path)] if case == "two-files" else [src]
    digest = sha256(src)
    result = recon("check", *files, "--annotate", out)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert sha256(src) == digest
    if case == "exists":
        assert out.read_bytes() == b"someone's file"
    elif case != "is-input":
        assert not out.exists()


@pytest.mark.parametrize(("location", "cell"), [
    (Location("k.xlsx", "Entries", "C12"), ("Entries", "C12")),
    (Location("k.xlsx", "Summary"), None), (Location("k.xlsx"), None), (None, None),
    (Location("k.xlsx", "Entries", "A3:B4"), None),  # merged cells: a range, no one cell to mark
])
def test_locations_name_their_cell(location, cell):
    assert annotate.cell_of(location) == cell


@pytest.mark.parametrize(("written", "cell"), [
    ("k.xlsx › Entries › C12", ("Entries", "C12")),
    ('=HYPERLINK("#\'Summary\'!B3","k.xlsx › Summary › B3")', ("Summary", "B3")),  # read back as a formula
    (annotate.hyperlink_formula(Location("x" * 300 + ".xlsx", "Summary", "B3")), ("Summary", "B3")),  # long name
    ("k.xlsx › Summary", None), ("k.xlsx", None), (None, None),
])
def test_a_previous_findings_sheet_names_the_cells_it_marked(written, cell):
    header = annotate.HEADER
    rows = [header, ["error", "X", written, "m", "s"]]
    assert annotate.previous_marks(rows) == ([cell] if cell else [])
