"""Hostile and broken workbooks, generated in code and named by scenario.

Each scenario is either *unusable* (one line naming the file, exit 2) or read with specific findings. For all
of them: no traceback, exact row accounting, and the input file's bytes unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import zipfile
from pathlib import Path

import fixtures as fx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from recon import pipeline
from recon.cli import app
from recon.errors import UnusableInput
from recon.workbook.read import read_workbook

MH, MA, OPS = "Migration Health", "Migrant Assistance", "Operations, Emergencies and Post-crisis"
LMHD, MPR = "Labour Migration and Human Development", "Migration Policy and Research"


def _edit(path: Path, out: Path, change) -> Path:
    """Open a fixture with openpyxl, change it, save it under another name (the fixture stays as built)."""
    wb = load_workbook(path)
    change(wb)
    wb.save(out)
    return out


def _zip_rewrite(src: Path, out: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = change(item.filename, zin.read(item.filename))
            if data is not None:
                zout.writestr(item, data)
    return out


# --- unusable files: (builder, words the one-line error must contain) ----------------------------------------


def not_a_zip(d):
    (p := d / "not-a-zip.xlsx").write_text("this is not a workbook")
    return p


def truncated(d):
    good = fx.clean_country(d, "good")
    (p := d / "truncated.xlsx").write_bytes(good.read_bytes()[:2000])
    return p


def password_protected(d):
    from msoffcrypto.format.ooxml import OOXMLFile

    good = fx.clean_country(d, "plain")
    p = d / "password-protected.xlsx"
    with good.open("rb") as src, p.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    return p


def legacy_xls(d):
    (p := d / "legacy.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    return p


def opendocument(d):
    p = d / "sheet.ods"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return p


def csv_file(d):
    (p := d / "entries.csv").write_text("Country,Programmatic area,Funding requirement (USD)\nKenya,MH,1\n")
    return p


def missing_entries_sheet(d):
    return _edit(fx.clean_country(d), d / "missing-entries.xlsx", lambda wb: wb.remove(wb["Entries"]))


def headers_unrecognisable(d):
    def change(wb):
        for cell in wb["Entries"][1]:
            cell.value = f"col{cell.column}"
    return _edit(fx.clean_country(d), d / "headers-unknown.xlsx", change)


def entity_bomb(d):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
            b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
            b'<c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    return _zip_rewrite(fx.clean_country(d), d / "entity-bomb.xlsx",
                        lambda name, data: bomb if name == "xl/worksheets/sheet2.xml" else data)


def zip_bomb(d):
    """~300 MB of sheet XML in well under 1 MB."""
    src = fx.clean_country(d)
    p = d / "zip-bomb.xlsx"
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for item in zin.infolist():
            if item.filename == "xl/worksheets/sheet2.xml":
                with zout.open(item.filename, "w", force_zip64=True) as fh:
                    fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                             b"<sheetData>")
                    chunk = row * 1000
                    for _ in range(300):
                        fh.write(chunk)
                    fh.write(b"</sheetData></worksheet>")
            else:
                zout.writestr(item, zin.read(item.filename))
    assert p.stat().st_size < 1 << 20
    return p


UNUSABLE = {
    "not-a-zip": (not_a_zip, "not a zip"),
    "truncated": (truncated, "truncated.xlsx"),
    "password-protected": (password_protected, "password-protected"),
    "legacy-xls": (legacy_xls, ".xls"),
    "opendocument-ods": (opendocument, "OpenDocument"),
    "csv": (csv_file, "CSV"),
    "missing-entries-sheet": (missing_entries_sheet, "no 'Entries' sheet"),
    "headers-unrecognisable": (headers_unrecognisable, "header row not found"),
    "entity-bomb": (entity_bomb, "declares XML entities"),
    "zip-bomb": (zip_bomb, "zip bomb"),
}


# --- readable but odd: (builder, expected (rule, severity) list, rows read, rows rejected) ------------------


def kenya(d, name, rows):
    return fx.clean_country(d, name, rows=rows)


def xlsm_with_macros(d):
    src = fx.clean_country(d)
    p = d / "macro.xlsm"

    def change(name, data):
        if name == "[Content_Types].xml":
            data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            return data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.'
                                b'vbaProject"/></Types>')
        return data
    _zip_rewrite(src, p, change)
    with zipfile.ZipFile(p, "a") as z:
        z.writestr("xl/vbaProject.bin", b"Attribute VB_Name = \"Module1\"\nSub AutoOpen()\nShell \"calc\"\nEnd Sub")
    return p


def renamed_summary_sheet(d):
    def change(wb):
        wb["Summary"].title = "Résumé"
    return _edit(fx.clean_region(d), d / "renamed-summary.xlsx", change)


def headers_translated_and_reordered(d):
    def change(wb):
        ws = wb["Entries"]
        ws["A1"], ws["B1"], ws["C1"], ws["D1"] = "Pays", "Domaine programmatique", "Besoin de financement (USD)", \
            "Statut"
        ws.move_range("A1:A4", cols=10)  # country column moved far right
        ws["A1"] = "Extra column"
    return _edit(fx.clean_country(d), d / "headers-french-reordered.xlsx", change)


def headers_shifted_down(d):
    def change(wb):
        wb["Entries"].insert_rows(1, 3)
        wb["Entries"]["A1"] = "Submission of the Kenya office, 2015"
    return _edit(fx.clean_country(d), d / "headers-shifted.xlsx", change)


def merged_country_cells(d):
    rows = [{"country": "Kenya", "area": a, "amount": 10} for a in (MH, MA, OPS)]

    def change(wb):
        wb["Entries"]["A3"] = wb["Entries"]["A4"] = None
        wb["Entries"].merge_cells("A2:A4")
    return _edit(fx.write(d, "base", rows, country="Kenya"), d / "merged-cells.xlsx", change)


def blank_and_hidden_rows(d):
    def change(wb):
        ws = wb["Entries"]
        ws.insert_rows(3, 2)  # two blank rows inside the table
        ws.row_dimensions[5].hidden = True
    return _edit(fx.clean_country(d), d / "blank-hidden-rows.xlsx", change)


def formula_without_cached_value(d):
    return fx.write(d, "formula-no-cache", [{"area": MH, "amount": 1000}, {"area": MA, "amount": "=C2*2"}],
                    country="Kenya", formulas=True)


def formula_error_value(d):
    return kenya(d, "formula-error", [{"area": MH, "amount": 1000}, {"area": MA, "amount": "#DIV/0!"}])


def amounts_as_text(d):
    return kenya(d, "amounts-as-text", [
        {"area": MH, "amount": "1,200,000"}, {"area": MA, "amount": "1 200 000"}, {"area": OPS, "amount": "1.200.000"},
        {"area": LMHD, "amount": "USD 1.2 million"}, {"area": MPR, "amount": "-5"},
        {"area": "Immigration and Border Management", "amount": "1,200.50"},
        {"area": "Migration and Environment", "amount": "1e15"},
    ])


def funded_variants(d):
    return kenya(d, "funded-variants", [{"area": MH, "amount": "Funded"}, {"area": MA, "amount": "funded "},
                                        {"area": OPS, "amount": "FUNDED"}, {"area": LMHD, "amount": 5,
                                                                            "status": "Funded"}])


def unknown_names(d):
    return kenya(d, "unknown-names", [{"country": "Kenyaa Republic", "area": "Migrant Asistance Programme", "amount": 1}])


def misspelt_area(d):
    return kenya(d, "misspelt-area", [{"area": "Migrant Assistence", "amount": 1}])


def older_template(d):
    def change(wb):
        for row in wb["_meta"].iter_rows():
            if row[0].value == "template_version":
                row[1].value = "2014.3"
    return _edit(fx.clean_country(d), d / "older-template.xlsx", change)


def odd_unicode(d):
    return kenya(d, "odd-unicode", [{"country": "Ken\u200bya\u00a0", "area": "Migration\u00a0Health", "amount": 1},
                                    {"country": "K\u0435nya", "area": MA, "amount": 2}])


def huge_text(d):
    return kenya(d, "huge-text", [{"area": MH, "amount": 1, "notes": "x" * 50_000}])


def duplicates(d):
    return kenya(d, "duplicates", [{"area": MH, "amount": 1}, {"area": MH, "amount": 1}])


def totals_row(d):
    return kenya(d, "totals-row", [{"area": MH, "amount": 1}, {"country": "TOTAL", "area": "", "amount": 1}])


READABLE = {
    "xlsm-with-macros": (xlsm_with_macros, [], 3, 0),
    "renamed-summary-sheet": (renamed_summary_sheet, [("READ-SUMMARY-MISSING", "warning")], 4, 0),
    "headers-translated-and-reordered": (headers_translated_and_reordered, [], 3, 0),
    "headers-shifted-down": (headers_shifted_down, [], 3, 0),
    "merged-country-cells": (merged_country_cells, [("READ-MERGED-CELLS", "warning")], 3, 0),
    "blank-and-hidden-rows": (blank_and_hidden_rows, [], 3, 0),
    "formula-without-cached-value": (formula_without_cached_value,
                                     [("READ-FORMULA-NOT-CALCULATED", "error")], 2, 0),
    "formula-error-value": (formula_error_value, [("READ-FORMULA-ERROR", "error")], 2, 0),
    "amounts-as-text": (amounts_as_text, [("READ-AMOUNT-TEXT", "warning")] * 7 + [
        ("ENTRY-AMOUNT-NEGATIVE", "error"), ("ENTRY-AMOUNT-WHOLE", "error"), ("ENTRY-AMOUNT-IMPLAUSIBLE", "warning")],
        7, 0),
    "funded-variants": (funded_variants, [("READ-FUNDED-IN-AMOUNT", "warning")] * 3 + [
        ("ENTRY-FUNDED-WITH-AMOUNT", "error")], 4, 0),
    "unknown-names": (unknown_names, [("ENTRY-COUNTRY-UNKNOWN", "error"), ("ENTRY-AREA-UNKNOWN", "error")], 1, 0),
    "misspelt-area": (misspelt_area, [("ENTRY-AREA-VARIANT", "warning")], 1, 0),
    "older-template": (older_template, [("READ-TEMPLATE-VERSION", "warning")], 3, 0),
    "odd-unicode": (odd_unicode, [("ENTRY-COUNTRY-VARIANT", "warning")], 2, 0),
    "huge-text": (huge_text, [("READ-CELL-TOO-LONG", "warning")], 1, 0),
    "duplicates": (duplicates, [("ENTRY-DUPLICATE", "warning")] * 2, 2, 0),
    "totals-row": (totals_row, [("READ-ROW-REJECTED", "warning")], 2, 1),
}


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """recon must never open a connection; any attempt fails the test."""
    def refuse(*_a, **_k):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("case", UNUSABLE)
def test_unusable_file_is_one_line_and_untouched(tmp_path, case):
    build, words = UNUSABLE[case]
    path = build(tmp_path)
    before = _sha(path)
    with pytest.raises(UnusableInput) as info:
        read_workbook(path)
    line = str(info.value)
    assert words in line and line.startswith(path.name) and "\n" not in line
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output and path.name in result.output
    assert _sha(path) == before


@pytest.mark.parametrize("case", READABLE)
def test_odd_workbook_is_read_with_specific_findings(tmp_path, case):
    build, expected, read, rejected = READABLE[case]
    path = build(tmp_path)
    before = _sha(path)
    result = pipeline.run([path])
    assert sorted(f.flat(("rule", "severity")) for f in result.findings) == sorted(expected)
    (sub,) = result.submissions
    assert (sub.rows_read, sub.rows_accepted, sub.rows_rejected) == (read, read - rejected, rejected)
    cli = CliRunner().invoke(app, ["reconcile", str(path)])
    assert cli.exit_code in (0, 1) and "Traceback" not in cli.output
    assert _sha(path) == before


def test_unknown_names_carry_suggestions(tmp_path):
    found = {f.rule: f for f in pipeline.run([unknown_names(tmp_path)]).findings}
    assert "Kenya" in found["ENTRY-COUNTRY-UNKNOWN"].suggestion
    assert "Migrant Assistance" in found["ENTRY-AREA-UNKNOWN"].suggestion


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    path = kenya(tmp_path, "inert", [{"area": MH, "amount": 1, "notes": '=HYPERLINK("http://x","y")'}])
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet2.xml")
    assert b"<f>HYPERLINK" not in sheet  # the Check column's own formulas are the template's, not data
    assert pipeline.run([path]).reconciliation.entries["notes"].tolist() == ['=HYPERLINK("http://x","y")']


def test_macros_are_never_run_or_kept(tmp_path):
    path = xlsm_with_macros(tmp_path)
    before = path.read_bytes()
    result = pipeline.run([path])
    assert result.submissions[0].rows_accepted == 3 and not result.unusable
    from recon.workbook import annotate

    copy = annotate.write_copy(path, result.findings, tmp_path / "annotated.xlsx")
    with zipfile.ZipFile(copy.path) as z:
        assert [n for n in z.namelist() if "vba" in n.lower()] == []  # the macro is not carried over
    assert path.read_bytes() == before


def test_batch_with_every_scenario_reconciles_the_readable_ones(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    for name, (build, *_rest) in {**UNUSABLE, **READABLE}.items():
        if name == "zip-bomb":
            continue  # covered above; keeps this test light
        scratch = tmp_path / name
        scratch.mkdir()
        path = build(scratch)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            shutil.copy(path, batch / f"{name}{path.suffix}")
    result = pipeline.run([batch])
    unusable = {e.file for e in result.unusable}
    assert unusable == {f"{n}.xlsx" for n in ("not-a-zip", "truncated", "password-protected",
                                              "missing-entries-sheet", "headers-unrecognisable", "entity-bomb")}
    assert len(result.submissions) == len(READABLE)
    for s in result.submissions:
        assert s.rows_read == s.rows_accepted + s.rows_rejected
