"""Hostile input while *reading* (issue 15): each test is named after the problem it reproduces.

Fixtures are built in code from recon's own template (``tests/fixtures.py``); batch tests put the bad file
beside the 2015 edition (``workbooks/mi2015``) and check that the rest is still reconciled. Every test checks
that its input files keep their bytes and inode (:func:`untouched`).
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import fixtures as fx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from recon import pipeline
from recon.cli import app
from recon.errors import UnusableInput
from recon.reconciliation.reconcile import reconcile
from recon.workbook import guard
from recon.workbook.read import read_workbook

MH, MA, OPS = "Migration Health", "Migrant Assistance", "Operations, Emergencies and Post-crisis"
MI2015 = Path(__file__).resolve().parent.parent / "workbooks" / "mi2015"
KEYS = ("rule", "severity", "location")


# --- helpers ---------------------------------------------------------------------------------------------


def _identity(path: Path) -> tuple:
    """(inode, device, mode, SHA-256 of the bytes) — a FIFO or device is identified, never read."""
    st = os.lstat(path)
    digest = None
    if stat.S_ISREG(st.st_mode):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return st.st_ino, st.st_dev, st.st_mode, digest


@contextmanager
def untouched(*paths: Path):
    """Assert that every input keeps its bytes and its inode across the block."""
    before = {p: _identity(p) for p in paths}
    yield
    assert {p: _identity(p) for p in paths} == before


def _zip_edit(src: Path, out: Path, change) -> Path:
    """Copy a workbook part by part, ``change(name, bytes)`` returning the new bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, change(item.filename, zin.read(item.filename)))
    return out


def _openpyxl_edit(src: Path, out: Path, change) -> Path:
    wb = load_workbook(src)
    change(wb)
    wb.save(out)
    return out


def _entries_part(path: Path) -> str:
    from recon.workbook.cells import _sheet_part

    with zipfile.ZipFile(path) as zf:
        return _sheet_part(zf, "Entries")


def stray_cell(d: Path, cell: str = "XFD999999") -> Path:
    """The issue's 15 KB killer: one value far away on Entries."""
    src = fx.clean_region(d, "base-region")
    part = _entries_part(src)
    row = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    extra = f'<row r="{row}"><c r="{cell}" t="n"><v>1</v></c></row></sheetData>'.encode()
    return _zip_edit(src, d / "stray.xlsx", lambda n, b: b.replace(b"</sheetData>", extra) if n == part else b)


def kenya(d: Path, name: str, rows: list[dict]) -> Path:
    return fx.clean_country(d, name, rows=rows)


def flat(findings, keys=KEYS, rules=None) -> list[tuple]:
    return sorted(f.flat(keys) for f in findings if rules is None or f.rule in rules)


@pytest.fixture(scope="module")
def edition_findings():
    """The 2015 edition on its own: what every batch must still give beside a bad file."""
    result = pipeline.run([MI2015])
    return len(result.submissions), flat(result.findings, ("rule", "severity", "location", "message"))


def batch(d: Path, bad: Path) -> Path:
    """A folder: the 2015 edition's workbooks and ``bad`` (moved in, keeping its kind and inode)."""
    folder = d / "batch"
    folder.mkdir()
    for wb in sorted(MI2015.glob("*.xlsx")):
        shutil.copy(wb, folder / wb.name)
    os.rename(bad, folder / bad.name)
    return folder


def assert_rest_reconciled(result, bad_name: str, edition_findings) -> None:
    count, findings = edition_findings
    assert len(result.submissions) == count
    unusable = [f for f in result.findings if f.rule == "READ-UNUSABLE"]
    assert [f.location.file for f in unusable] == [bad_name]
    rest = flat([f for f in result.findings if f.rule != "READ-UNUSABLE"], ("rule", "severity", "location",
                                                                             "message"))
    assert rest == findings
    assert result.exit_code == 2


def recon_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real command in its own process: a crash (abort) or a hang cannot take the test run with it."""
    code = "import sys; from recon.cli import main; sys.argv[0] = 'recon'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout)


# --- 1. bounded reading ----------------------------------------------------------------------------------


def test_stray_cell_at_XFD999999_is_refused_not_a_crash(tmp_path):
    path = stray_cell(tmp_path)
    with untouched(path):
        run = recon_cli("check", str(path))  # in its own process first: before the fix, calamine aborted
        assert run.returncode == 2
        with pytest.raises(UnusableInput) as info:
            read_workbook(path)
        assert (info.value.file, info.value.sheet, info.value.cell) == ("stray.xlsx", "Entries", "XFD999999")
        assert run.stderr.strip().splitlines() == [f"recon: {info.value}"]


def test_stray_cell_at_XFD999999_beside_the_2015_edition_leaves_the_rest_reconciled(tmp_path, edition_findings):
    folder = batch(tmp_path, stray_cell(tmp_path))
    inputs = sorted(folder.iterdir())
    with untouched(*inputs):
        run = recon_cli("reconcile", str(folder), "--format", "json")
        assert run.returncode == 2
        doc = json.loads(run.stdout)
        assert sum(i["status"] == "read" for i in doc["inputs"]) == edition_findings[0]
        (bad,) = [f for f in doc["findings"] if f["rule"] == "READ-UNUSABLE"]
        assert bad["location"] == "stray.xlsx › Entries › XFD999999"
        assert "Traceback" not in run.stderr and "memory allocation" not in run.stderr


def test_stray_cell_within_the_limits_is_still_read(tmp_path):
    """The limit is the template's, not a hair-trigger: a note at column Z, row 60 is read as before."""
    path = stray_cell(tmp_path, "Z60")
    with untouched(path):
        assert read_workbook(path).rows_read == len(fx.CLEAN_ENTRIES)


def test_huge_dimension_claim_alone_is_not_refused(tmp_path):
    """``<dimension ref>`` is only a claim: calamine sizes its grid by the cells, so a generous claim is read."""
    src = fx.clean_region(tmp_path, "base-region")
    part = _entries_part(src)
    path = _zip_edit(src, tmp_path / "dimension.xlsx", lambda n, b: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', b) if n == part else b)
    with untouched(path):
        assert guard.check_container(path).sheets["Entries"].dimension == (1_048_576, 16_384)
        assert read_workbook(path).rows_read == len(fx.CLEAN_ENTRIES)


def test_cells_without_references_are_measured_by_position(tmp_path):
    """A writer may leave out r="…": the guard counts positions, so such a row cannot hide a wide grid."""
    src = fx.clean_region(tmp_path, "base-region")
    part = _entries_part(src)
    wide = b"<row>" + b'<c t="n"><v>1</v></c>' * 300 + b"</row></sheetData>"
    path = _zip_edit(src, tmp_path / "positional.xlsx", lambda n, b: b.replace(b"</sheetData>", wide)
                     if n == part else b)
    base_rows, _ = guard.check_container(src).sheets["Entries"].extent  # the template's rows, Check column too
    with untouched(path):
        rows, cols = guard.check_container(path).sheets["Entries"].extent
        assert (rows, cols) == (base_rows + 1, 300)
        with pytest.raises(UnusableInput) as info:
            read_workbook(path)
        assert info.value.sheet == "Entries"


def test_fifo_named_xlsx_in_a_folder_does_not_hang_the_batch(tmp_path, edition_findings):
    fifo = tmp_path / "x.xlsx"
    os.mkfifo(fifo)
    folder = batch(tmp_path, fifo)
    inputs = sorted(folder.iterdir())
    with untouched(*inputs):
        run = recon_cli("reconcile", str(folder), "--report-dir", str(tmp_path / "report"), "--format", "json",
                        timeout=300)
        assert run.returncode == 2
        doc = json.loads(run.stdout)
        (bad,) = [f for f in doc["findings"] if f["rule"] == "READ-UNUSABLE"]
        assert bad["location"] == "x.xlsx" and "named pipe" in bad["message"]
        assert sum(i["status"] == "read" for i in doc["inputs"]) == edition_findings[0]
        record = json.loads((tmp_path / "report" / "report.json").read_text())
        assert [i["sha256"] for i in record["inputs"] if i["file"] == "x.xlsx"] == [None]


def test_fifo_given_to_check_says_it_is_a_named_pipe_not_file_not_found(tmp_path):
    fifo = tmp_path / "x.xlsx"
    os.mkfifo(fifo)
    with untouched(fifo):
        with pytest.raises(UnusableInput) as info:
            read_workbook(fifo)
        assert info.value.problem == "this is a named pipe (FIFO), not a workbook file"
        result = CliRunner().invoke(app, ["check", str(fifo)])
        assert result.exit_code == 2
        assert "named pipe" in result.output and "not found" not in result.output


def test_symlink_to_dev_zero_is_refused_not_a_MemoryError(tmp_path, edition_findings):
    link = tmp_path / "zero.xlsx"
    link.symlink_to("/dev/zero")
    with untouched(link):
        with pytest.raises(UnusableInput) as info:
            read_workbook(link)
        assert info.value.problem == "a symbolic link to a character device, not a workbook file"
    folder = batch(tmp_path, link)
    with untouched(*sorted(folder.iterdir())):
        assert_rest_reconciled(pipeline.run([folder]), "zero.xlsx", edition_findings)


def test_dangling_symlink_in_a_folder_is_one_finding_not_a_refused_batch(tmp_path, edition_findings):
    link = tmp_path / "gone.xlsx"
    link.symlink_to(tmp_path / "deleted-long-ago.xlsx")
    folder = batch(tmp_path, link)
    with untouched(*sorted(folder.iterdir())):
        result = CliRunner().invoke(app, ["reconcile", str(folder), "--format", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert [(f["location"], f["message"]) for f in doc["findings"] if f["rule"] == "READ-UNUSABLE"] == [
        ("gone.xlsx", "a symbolic link to a file that does not exist")]
    assert sum(i["status"] == "read" for i in doc["inputs"]) == edition_findings[0]


def test_folder_and_socket_named_xlsx_are_refused_by_what_they_are(tmp_path):
    (folder := tmp_path / "folder.xlsx").mkdir()
    sock = tmp_path / "s.xlsx"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    try:
        with untouched(folder, sock):
            problems = [e.problem for e in pipeline.read_all([folder, sock], workers=1)[1]]
        assert problems == ["this is a folder, not a workbook file", "this is a socket, not a workbook file"]
    finally:
        server.close()


def test_sparse_6GB_file_is_refused_by_size_not_a_MemoryError(tmp_path, edition_findings):
    big = tmp_path / "big.xlsx"
    with big.open("wb") as fh:
        fh.truncate(6 << 30)  # sparse: no disk used
    with untouched(big):
        with pytest.raises(UnusableInput) as info:
            read_workbook(big)
        assert info.value.problem == f"file of 6,144 MB (limit {guard.MAX_FILE_MB} MB)"
        # only hashed for the report: refused there too, by stat, before a byte is read
        from recon.report.record import _sha256

        assert _sha256(big) is None
    folder = batch(tmp_path, big)
    assert_rest_reconciled(pipeline.run([folder]), "big.xlsx", edition_findings)


def test_entity_declaration_after_4KB_of_workbook_xml_is_refused(tmp_path, edition_findings):
    src = fx.clean_country(tmp_path, "base")

    def change(name, data):
        if name != "xl/workbook.xml":
            return data
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return (b'<?xml version="1.0" encoding="UTF-8"?>\n<!--' + b" " * 5000 + b'-->\n'
                b'<!DOCTYPE workbook [<!ENTITY e "entity">]>\n' + body)
    path = _zip_edit(src, tmp_path / "late-entity.xlsx", change)
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/workbook.xml").index(b"<!ENTITY") > 4096
    with untouched(path):
        with pytest.raises(UnusableInput) as info:
            read_workbook(path)
        assert info.value.problem == "xl/workbook.xml declares XML entities (an entity bomb?)"
    folder = batch(tmp_path, path)
    assert_rest_reconciled(pipeline.run([folder]), "late-entity.xlsx", edition_findings)


def test_entity_declaration_deep_in_a_large_sheet_is_refused(tmp_path):
    """Past the first megabyte chunk of a sheet part, split across two chunks: still found."""
    src = fx.clean_country(tmp_path, "base")
    part = _entries_part(src)
    padding = b"<!--" + base64.b64encode(os.urandom(800_000)) + b"-->"  # > 1 MB, and does not compress
    path = _zip_edit(src, tmp_path / "deep-entity.xlsx", lambda n, b: b.replace(
        b"<worksheet", padding + b"<!DOCTYPE w [<!ENTITY e 'x'>]><worksheet", 1) if n == part else b)
    with untouched(path):
        with pytest.raises(UnusableInput) as info:
            read_workbook(path)
        assert info.value.problem == f"{part} declares XML entities (an entity bomb?)"


def test_one_input_is_read_once_guard_hash_and_cells_from_the_same_bytes(tmp_path, monkeypatch):
    path = fx.clean_country(tmp_path, "once")
    opened = []
    real = os.open

    def counting(p, *a, **k):
        if Path(p) == path:
            opened.append(p)
        return real(p, *a, **k)

    monkeypatch.setattr(guard.os, "open", counting)
    with untouched(path):
        sub = read_workbook(path)
    assert len(opened) == 1
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# --- 2. per-file failure ---------------------------------------------------------------------------------


def _refuse_open(monkeypatch, target: Path, err: int):
    """The kernel's answer for one file (root reads any file, so chmod 000 cannot show it in a test)."""
    real = os.open

    def refusing(p, *a, **k):
        if Path(p) == target:
            raise OSError(err, os.strerror(err), str(p)) if err != errno.EACCES else \
                PermissionError(err, os.strerror(err), str(p))
        return real(p, *a, **k)

    monkeypatch.setattr(guard.os, "open", refusing)


def test_unreadable_file_is_one_finding_and_the_batch_goes_on(tmp_path, monkeypatch, edition_findings):
    path = fx.clean_country(tmp_path, "locked")
    folder = batch(tmp_path, path)
    locked = folder / "locked.xlsx"
    if os.geteuid() == 0:
        _refuse_open(monkeypatch, locked, errno.EACCES)
    else:
        locked.chmod(0)
    with untouched(*sorted(folder.iterdir())):
        result = pipeline.run([folder])
    assert_rest_reconciled(result, "locked.xlsx", edition_findings)
    (bad,) = result.unusable
    assert bad.problem == "permission denied: recon may not read this file"


def test_io_error_on_one_file_is_one_finding_and_the_batch_goes_on(tmp_path, monkeypatch, edition_findings):
    folder = batch(tmp_path, fx.clean_country(tmp_path, "failing-disk"))
    _refuse_open(monkeypatch, folder / "failing-disk.xlsx", errno.EIO)
    with untouched(*sorted(folder.iterdir())):
        result = pipeline.run([folder])
    assert_rest_reconciled(result, "failing-disk.xlsx", edition_findings)
    assert result.unusable[0].problem == "the file could not be read (Input/output error)"


def test_unexpected_library_exception_is_one_finding_and_the_batch_goes_on(tmp_path, monkeypatch,
                                                                           edition_findings):
    from recon.workbook import read

    folder = batch(tmp_path, fx.clean_country(tmp_path, "surprise"))
    real = read.CalamineSource.rows

    def surprising(self, sheet):
        if self.name == "surprise.xlsx":
            raise KeyError("a library's own bug")
        return real(self, sheet)

    monkeypatch.setattr(read.CalamineSource, "rows", surprising)
    with untouched(*sorted(folder.iterdir())):
        result = pipeline.run([folder])
    assert_rest_reconciled(result, "surprise.xlsx", edition_findings)
    assert result.unusable[0].problem.startswith("unexpected error while reading (KeyError:")


def test_two_amounts_of_9e307_are_refused_at_reading_not_an_OverflowError(tmp_path):
    path = kenya(tmp_path, "overflow", [{"area": MH, "amount": 9e307}, {"area": MA, "amount": 9e307},
                                        {"area": OPS, "amount": 1000}])
    with untouched(path):
        result = pipeline.run([path])
        assert flat(result.findings) == [("READ-AMOUNT-ABSURD", "error", "overflow.xlsx › Entries › C2"),
                                          ("READ-AMOUNT-ABSURD", "error", "overflow.xlsx › Entries › C3")]
        assert result.reconciliation.regions["computed_total"].tolist() == [1000]
        cli = CliRunner().invoke(app, ["check", str(path)])
        assert cli.exit_code == 1 and "internal error" not in cli.output


def test_text_1e400_is_refused_at_reading_not_an_OverflowError(tmp_path):
    path = kenya(tmp_path, "text-1e400", [{"area": MH, "amount": "1e400"}, {"area": MA, "amount": 5}])
    with untouched(path):
        result = pipeline.run([path])
        assert flat(result.findings, ("rule", "location", "actual")) == [
            ("READ-AMOUNT-ABSURD", "text-1e400.xlsx › Entries › C2", "'1e400'")]


def test_absurd_published_total_is_refused_at_reading(tmp_path):
    summary = fx.summary()
    summary.total = 9e307
    path = fx.write(tmp_path, "absurd-total", fx.entries(), summary)
    with untouched(path):
        result = pipeline.run([path])
    assert ("READ-PUBLISHED-ABSURD", "error") in {f.flat(("rule", "severity")) for f in result.findings}
    assert result.exit_code == 1


# --- 3. no sheet or column silently chosen ---------------------------------------------------------------


def _with_sheet(d: Path, name: str, rows: list[list], drop_table: bool = False) -> Path:
    """The Kenya workbook plus a later sheet ``name`` (named in the XML: openpyxl, unlike Excel, would rename
    ``ENTRIES`` to ``ENTRIES1``)."""
    def change(wb):
        if drop_table:
            del wb["Entries"].tables["EntriesTable"]
        ws = wb.create_sheet("PLACEHOLDER")
        for row in rows:
            ws.append(row)
    safe = name.encode("ascii", "replace").decode().replace("?", "_").replace(" ", "_")
    staged = _openpyxl_edit(fx.clean_country(d, "base"), d / "staged.xlsx", change)
    path = _zip_edit(staged, d / f"with-{safe}.xlsx", lambda n, b: b.replace(
        b'name="PLACEHOLDER"', f'name="{name}"'.encode()) if n == "xl/workbook.xml" else b)
    staged.unlink()
    return path


HEADER = ["Country", "Programmatic area", "Funding requirement (USD)", "Status"]


@pytest.mark.parametrize("other", ["ENTRIES", "Entries\u200b", "Entr\u0456es", " entries "])
def test_later_sheet_that_could_be_Entries_holding_only_the_header_no_longer_replaces_it(tmp_path, other):
    path = _with_sheet(tmp_path, other, [HEADER])
    with untouched(path):
        result = pipeline.run([path])
    (sub,) = result.submissions
    assert sub.rows_read == len(fx.KENYA_ENTRIES)
    assert flat(result.findings, ("rule", "severity", "location", "expected", "actual")) == [
        ("READ-SHEET-AMBIGUOUS", "warning", f"{path.name} › {other}", "Entries", other)]


def test_rows_in_a_copied_Entries_2_sheet_are_reported_not_ignored(tmp_path):
    path = _with_sheet(tmp_path, "Entries (2)", [HEADER, ["Kenya", MH, 77, "Requirement"]])
    with untouched(path):
        result = pipeline.run([path])
    assert result.submissions[0].rows_read == len(fx.KENYA_ENTRIES)
    assert flat(result.findings, ("rule", "severity", "location")) == [
        ("READ-SHEET-AMBIGUOUS", "error", f"{path.name} › Entries (2)")]
    assert "'Entries', 'Entries (2)'" in result.findings[0].message


def test_two_Entries_sheets_without_the_template_table_are_refused_in_one_line(tmp_path, edition_findings):
    path = _with_sheet(tmp_path, "ENTRIES", [HEADER], drop_table=True)
    with untouched(path), pytest.raises(UnusableInput) as info:
        read_workbook(path)
    assert "'Entries', 'ENTRIES'" in info.value.problem and "\n" not in str(info.value)
    folder = batch(tmp_path, path)
    assert_rest_reconciled(pipeline.run([folder]), path.name, edition_findings)


def test_hidden_Amount_column_left_of_the_funding_requirement_is_not_read(tmp_path):
    def change(wb):
        ws = wb["Entries"]
        ws.insert_cols(3)
        ws["C1"] = "Amount"
        ws["C2"] = 7
        ws.column_dimensions["C"].hidden = True
    path = _openpyxl_edit(fx.clean_country(tmp_path, "base"), tmp_path / "hidden-amount.xlsx", change)
    with untouched(path):
        result = pipeline.run([path])
    (sub,) = result.submissions
    assert sub.columns["amount"] == "D"
    assert sorted(reconcile([sub]).entries["amount"].dropna().tolist()) == [500_000, 1_000_000]
    assert flat(result.findings, ("rule", "severity", "location", "expected", "actual")) == [
        ("READ-COLUMN-AMBIGUOUS", "error", "hidden-amount.xlsx › Entries › C1", "D", "C")]


def test_empty_second_amount_column_is_a_warning_and_the_template_one_is_read(tmp_path):
    def change(wb):
        wb["Entries"]["J1"] = "Amount (USD)"
    path = _openpyxl_edit(fx.clean_country(tmp_path, "base"), tmp_path / "two-amounts.xlsx", change)
    with untouched(path):
        result = pipeline.run([path])
    assert result.submissions[0].columns["amount"] == "C"
    assert flat(result.findings) == [("READ-COLUMN-AMBIGUOUS", "warning", "two-amounts.xlsx › Entries › J1")]


# --- 4. messages that tell the truth ---------------------------------------------------------------------


def test_2_5_in_a_USD_amount_cell_is_said_to_be_read_as_2_5_not_2(tmp_path):
    path = kenya(tmp_path, "decimal-comma", [{"area": MH, "amount": "2,5"}])
    with untouched(path):
        result = pipeline.run([path])
    assert flat(result.findings, ("rule", "severity", "location", "expected")) == [
        ("ENTRY-AMOUNT-WHOLE", "error", "decimal-comma.xlsx › Entries › C2", "a whole number of USD"),
        ("READ-AMOUNT-TEXT", "warning", "decimal-comma.xlsx › Entries › C2", "2.5")]
    (text,) = [f for f in result.findings if f.rule == "READ-AMOUNT-TEXT"]
    assert "read as 2.5 (the comma read as a decimal mark)" in text.message
    assert result.reconciliation.entries["amount"].tolist() == [2.5]


def test_date_in_an_amount_cell_is_named_as_a_date_not_a_python_repr(tmp_path):
    def change(wb):
        wb["Entries"]["C2"] = dt.date(2015, 3, 1)
        wb["Entries"]["C2"].number_format = "d mmmm yyyy"
    path = _openpyxl_edit(kenya(tmp_path, "base", [{"area": MH, "amount": 1}]), tmp_path / "date-amount.xlsx",
                          change)
    with untouched(path):
        result = pipeline.run([path])
    (f,) = [f for f in result.findings if f.rule == "READ-AMOUNT-UNREADABLE"]
    assert (f.where, f.actual) == ("date-amount.xlsx › Entries › C2", "a date (1 March 2015)")
    assert "datetime" not in f.message + f.actual


def test_ENTRY_STATUS_UNKNOWN_points_at_the_Status_column_not_the_amount(tmp_path):
    path = kenya(tmp_path, "odd-status", [{"area": MH, "amount": 10, "status": "Pending"}])
    with untouched(path):
        result = pipeline.run([path])
    assert flat(result.findings, rules={"ENTRY-STATUS-UNKNOWN"}) == [
        ("ENTRY-STATUS-UNKNOWN", "error", "odd-status.xlsx › Entries › D2")]
