"""Hostile and careless use on the *output* side (issue 15, items 4–6): each test is named after the problem it
reproduces. Nothing an output does may touch an input (every test checks the inputs' bytes and inode), an
output appears whole or not at all, and workbook text is inert wherever it is written.

Ctrl-C and concurrency run real ``recon`` processes. Where a run must be caught at a precise moment, the
moment is an honest one: recon prints the reconciliation to standard output before it writes reports or the
annotated copy, so a process whose stdout pipe is full (shrunk to one page, never read) is held there — with
the report folder locked — until the test reads it or signals it. Moments inside a writer (between the
temporary file and its rename) are reached by a test-only wrapper installed in a child process.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import fixtures as fx
import pytest
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

from recon import excel, pipeline
from recon.cli import app
from recon.reconciliation import snapshot
from recon.report import FILES, export, memo, record, terminal
from recon.workbook import annotate
from recon.workbook import layout as L

REPO = Path(__file__).resolve().parent.parent
MI2015 = REPO / "workbooks" / "mi2015"
MH, MA, MPR = "Migration Health", "Migrant Assistance", "Migration Policy and Research"
ESC_BEL = "_x001B_]0;pwned_x0007_"  # ESC ]0;pwned BEL (set the terminal's title) as a workbook stores it
SHOWN = "\\x1b]0;pwned\\x07"  # … and as recon shows it
INJECTIONS = ("=1+1", "@sum(1+1)", "+cmd|' /c calc'!a0")


# ---------------------------------------------------------------------------------------------- helpers

class Untouched:
    """The inputs' bytes and inode when the test began; :meth:`check` asserts both are unchanged."""

    def __init__(self, *paths: Path):
        self.state = {Path(p): self._state(p) for p in paths}

    @staticmethod
    def _state(p: Path) -> tuple[str, int]:
        return hashlib.sha256(Path(p).read_bytes()).hexdigest(), os.stat(p).st_ino

    def check(self) -> None:
        for p, state in self.state.items():
            assert self._state(p) == state, f"{p} was changed"


def recon(*args, **kw):
    return CliRunner().invoke(app, [str(a) for a in args], **kw)


def _env() -> dict:
    return {**os.environ, "NO_COLOR": "1", "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), *sys.path])}


def _hears_ctrl_c() -> None:
    """In the child before exec: Ctrl-C back to its default. A shell's background job (``pytest … &``) starts
    with SIGINT ignored and passes that on, and these tests' Ctrl-C would then do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args, small_pipe: bool = False, **kw) -> subprocess.Popen:
    """A real ``recon`` process. ``small_pipe``: its stdout is a one-page pipe the test does not read yet, so
    the process stops at its first large print — after the checks and the lock, before any output file."""
    proc = subprocess.Popen([sys.executable, "-m", "recon.cli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env(), **{"preexec_fn": _hears_ctrl_c, **kw})
    if small_pipe:
        fcntl.fcntl(proc.stdout.fileno(), 1031, 4096)  # F_SETPIPE_SZ: one page
    return proc


def wait_until_blocked_writing(proc: subprocess.Popen, timeout: float = 120) -> None:
    """Until ``proc`` sleeps in write(2) on its full stdout pipe (``/proc/PID/wchan``: [anon_]pipe_write)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()
        try:
            if "pipe_write" in Path(f"/proc/{proc.pid}/wchan").read_text():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError("the recon process never filled its stdout")


def holds_flock(pid: int, path: Path) -> bool:
    ino = os.stat(path).st_ino
    for row in Path("/proc/locks").read_text().splitlines():
        parts = row.split()
        if "FLOCK" in parts and str(pid) in parts and any(p.endswith(f":{ino}") for p in parts):
            return True
    return False


def strays(folder: Path) -> list[str]:
    """Temporary files or staging folders recon left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and "recon" in p.name)


def report_set(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def assert_one_run(folder: Path) -> None:
    """report.json, report.md and report.xlsx come from the same run (same stamp, same inputs)."""
    doc = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    md = (folder / "report.md").read_text(encoding="utf-8")
    about = dict(load_workbook(folder / "report.xlsx")["About"].iter_rows(values_only=True))
    assert doc["generated_at"] in md and about["Generated (UTC)"] == doc["generated_at"]
    assert about["Workbooks"] == len(doc["inputs"])
    assert doc["generated_at"] in (folder / "report.html").read_text(encoding="utf-8")


def with_text(d: Path, name: str, rows: list[dict], replace: tuple[bytes, bytes] | None = None) -> Path:
    """A Kenya workbook with ``rows``; ``replace`` swaps bytes in every XML part (control characters, which
    openpyxl refuses to write, are stored as Excel stores them: ``_x001B_``)."""
    path = fx.clean_country(d, name, rows=rows)
    if replace is None:
        return path
    out = d / f"{name}-x.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename).replace(*replace))
    path.unlink()
    return out.rename(path)


def strict_ooxml(d: Path) -> Path:
    """The clean regional workbook saved with ISO 29500 *strict* namespaces (Excel: "Strict Open XML")."""
    src = fx.clean_region(d, "transitional")
    swaps = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
              b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
             (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
              b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
             (b"http://schemas.openxmlformats.org/drawingml/2006/main", b"http://purl.oclc.org/ooxml/drawingml/main"),
             (b"http://schemas.openxmlformats.org/drawingml/2006/chart",
              b"http://purl.oclc.org/ooxml/drawingml/chart")]
    out = d / "strict.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            for a, b in swaps:
                data = data.replace(a, b)
            zout.writestr(item, data)
    src.unlink()
    return out


# ---------------------------------------------------------------------------------------------- item 4: inputs

@pytest.mark.parametrize("spelling", ["same", "dot-dot", "hard-link"])
def test_export_onto_its_own_input_replaced_the_workbook_with_csv(tmp_path, spelling):
    src = fx.clean_region(tmp_path, "in")
    keep = Untouched(src)
    (tmp_path / "sub").mkdir()
    if spelling == "hard-link":
        os.link(src, tmp_path / "alias.csv")
    out = {"same": src, "dot-dot": tmp_path / "sub" / ".." / "in.xlsx", "hard-link": tmp_path / "alias.csv"}[spelling]
    result = recon("export", src, "-o", out)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "recon never writes over an input" in result.output or "not a workbook" in result.output
    assert "wrote" not in result.output
    keep.check()
    assert strays(tmp_path) == []


def test_report_dir_in_the_input_folder_overwrote_an_office_workbook_named_report_xlsx(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    office = fx.clean_region(subs, "report")  # an office's workbook that happens to be called report.xlsx
    other = fx.clean_country(subs, "kenya")
    keep = Untouched(office, other)
    proc = subprocess.run([sys.executable, "-m", "recon.cli", "reconcile", subs, "--report-dir", subs],
                          capture_output=True, text=True, env=_env(), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stdout == ""  # refused before any work, not after printing the reconciliation
    assert "subs" in proc.stderr and "choose another --report-dir" in proc.stderr
    assert sorted(p.name for p in subs.iterdir()) == ["kenya.xlsx", "report.xlsx"]
    keep.check()


def test_report_file_that_is_a_hard_link_to_an_input_is_refused(tmp_path):
    src = fx.clean_region(tmp_path, "office")
    (reports := tmp_path / "reports").mkdir()
    os.link(src, reports / "report.xlsx")
    keep = Untouched(src)
    result = recon("reconcile", src, "--report-dir", reports)
    assert result.exit_code == 2 and "is the input" in result.output and "East and Horn" not in result.output
    assert sorted(p.name for p in reports.iterdir()) == ["report.xlsx"]
    keep.check()


def test_planted_report_md_symlink_was_followed_and_its_target_overwritten(tmp_path):
    src = fx.clean_region(tmp_path, "office")
    (reports := tmp_path / "reports").mkdir()
    victim = tmp_path / "precious.txt"
    victim.write_text("not yours\n")
    (reports / "report.md").symlink_to(victim)
    keep = Untouched(src, victim)
    result = recon("reconcile", src, "--report-dir", reports)
    assert result.exit_code == 2 and "symbolic link" in result.output and "report.md" in result.output
    assert (reports / "report.md").is_symlink() and sorted(p.name for p in reports.iterdir()) == ["report.md"]
    keep.check()


def test_annotate_through_a_dangling_symlink_wrote_wherever_it_pointed(tmp_path):
    src = fx.clean_region(tmp_path, "office")
    target = tmp_path / "elsewhere" / "planted.xlsx"
    (tmp_path / "elsewhere").mkdir()
    (link := tmp_path / "copy.xlsx").symlink_to(target)
    keep = Untouched(src)
    result = recon("check", src, "--annotate", link)
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert "East and Horn" not in result.output  # refused before the check ran
    assert not target.exists() and link.is_symlink()
    keep.check()


def test_refused_output_is_refused_before_great_expectations_is_imported(tmp_path):
    src = fx.clean_region(tmp_path, "in")
    keep = Untouched(src)
    code = ("import sys; from recon.cli import main; sys.argv=['recon', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    print('exit', e.code)\n"
            "print('GX' if 'great_expectations' in sys.modules else 'noGX')")
    for args in (["export", src, "-o", src], ["reconcile", tmp_path, "--report-dir", tmp_path],
                 ["check", src, "--annotate", src]):
        out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                             env=_env(), check=False)
        assert out.stdout.split() == ["exit", "2", "noGX"], (args, out.stdout, out.stderr)
    keep.check()


def test_export_over_a_previous_export_replaces_it_whole(tmp_path):
    src = fx.clean_region(tmp_path, "in")
    keep = Untouched(src)
    out = tmp_path / "entries.csv"
    out.write_text("old export\n")
    old_inode = os.stat(out).st_ino
    assert recon("export", src, "-o", out).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfregion,country,area")
    assert os.stat(out).st_ino != old_inode  # a new file renamed into place, not the old one truncated
    assert strays(tmp_path) == []
    keep.check()


def test_disk_full_on_an_output_was_an_errno_and_left_half_a_file(tmp_path):
    """A file size limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes writes fail with EFBIG, as a full disk does."""
    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    src = fx.write(tmp_path, "big", [{"country": "Kenya", "area": MH, "amount": i + 1, "source": "x" * 60}
                                     for i in range(80)])
    keep = Untouched(src)
    (out := tmp_path / "out").mkdir()
    proc = subprocess.run([sys.executable, "-m", "recon.cli", "export", src, "-o", out / "entries.csv"],
                          capture_output=True, text=True, env=_env(), preexec_fn=limited, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == f"recon: {out / 'entries.csv'}: cannot write (File too large)"
    assert list(out.iterdir()) == []  # no half-written file, no temporary file
    keep.check()


# ---------------------------------------------------------------------------------------------- Ctrl-C

_CHILD = """
import os, sys, time
from pathlib import Path
sys.argv = ['recon', *sys.argv[1:]]
{patch}
from recon.cli import main
main()
"""


def _child(patch: str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _CHILD.format(patch=patch), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), preexec_fn=_hears_ctrl_c)


def _wait_for(proc: subprocess.Popen, word: bytes) -> None:
    line = proc.stdout.readline()
    while line and word not in line:
        line = proc.stdout.readline()
    assert word in line, proc.stderr.read().decode()


# Test-only wrappers in the child: the annotated copy's zip half written (after its fifth part) …
MID_ZIP = ("import zipfile\n_writestr = zipfile.ZipFile.writestr\n"
           "def writestr(self, *a, **kw):\n"
           "    _writestr(self, *a, **kw)\n"
           "    self._parts = getattr(self, '_parts', 0) + 1\n"
           "    if self._parts == 5:\n"
           "        print('WRITING', flush=True); time.sleep(60)\n"
           "zipfile.ZipFile.writestr = writestr\n")
# … or complete in its temporary file, stopped just before it is linked into place.
BEFORE_LINK = ("_link = os.link\n"
               "def link(a, b, **kw):\n"
               "    print('WRITTEN', flush=True); time.sleep(60); return _link(a, b, **kw)\n"
               "os.link = link\n")


@pytest.mark.parametrize(("patch", "word"), [
    pytest.param(MID_ZIP, b"WRITING", id="while-the-zip-is-half-written"),
    pytest.param(BEFORE_LINK, b"WRITTEN", id="between-the-write-and-the-rename"),
])
def test_ctrl_c_during_annotate_left_a_half_written_xlsx_that_blocked_the_rerun(tmp_path, patch, word):
    src = fx.clean_region(tmp_path, "office")
    keep = Untouched(src)
    out = tmp_path / "checked.xlsx"
    proc = _child(patch, "check", src, "--annotate", out)
    _wait_for(proc, word)
    assert len(strays(tmp_path)) == 1  # the temporary copy, hidden, beside the target
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"Traceback" not in err
    assert not out.exists() and strays(tmp_path) == []
    rerun = recon("check", src, "--annotate", out)  # nothing blocks the rerun
    assert rerun.exit_code == 0 and load_workbook(out).sheetnames[-1] == L.FINDINGS
    keep.check()


def test_ctrl_c_during_annotate_cli_leaves_no_file(tmp_path):
    """A real `recon check --annotate` interrupted while it prints (before the copy): no copy, no stray."""
    rows = [{"country": f"Nowhere {i}", "area": MH, "amount": i + 1} for i in range(60)]
    src = fx.write(tmp_path, "many-findings", rows)
    keep = Untouched(src)
    out = tmp_path / "checked.xlsx"
    proc = start("check", src, "--annotate", out, small_pipe=True)
    wait_until_blocked_writing(proc)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"Traceback" not in err and not out.exists() and strays(tmp_path) == []
    keep.check()


def talkative(d: Path) -> Path:
    """A Kenya office workbook with 60 unknown areas: 60 findings, some 10 KB printed before any report."""
    return fx.clean_country(d, "kenya", rows=[{"area": f"Nowhere area {i}", "amount": i + 1} for i in range(60)])


@pytest.fixture
def previous_reports(tmp_path):
    """A folder holding the report set of a first run on the clean regional workbook."""
    src = fx.clean_region(tmp_path, "office")
    reports = tmp_path / "reports"
    assert recon("reconcile", src, "--report-dir", reports).exit_code == 0
    return src, reports, report_set(reports)


def test_ctrl_c_while_a_report_run_prints_keeps_the_previous_set_and_leaves_no_staging(tmp_path, previous_reports):
    src, reports, before = previous_reports
    second = talkative(tmp_path)
    keep = Untouched(src, second)
    proc = start("reconcile", src, second, "--report-dir", reports, small_pipe=True)
    wait_until_blocked_writing(proc)
    locked = holds_flock(proc.pid, reports)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"Traceback" not in err
    assert report_set(reports) == before and strays(reports) == [] and locked
    keep.check()


# Test-only wrappers in the child, each printing its word at the moment the Ctrl-C is to arrive.
# report.json, .html and .xlsx are staged; stop before report.md is.
STOP_BEFORE_REPORT_MD = ("import recon.report.memo as m\n_render = m.render\n"
                         "def render(rec):\n"
                         "    print('STAGED', flush=True); time.sleep(60); return _render(rec)\n"
                         "m.render = render\n")
# The first report file has been renamed into place; the others are still staged.
PAUSE_AFTER_FIRST_RENAME = ("_replace = os.replace\n"
                            "def replace(a, b, **kw):\n"
                            "    _replace(a, b, **kw)\n"
                            "    if '.recon-staging-' in str(a) and not os.environ.get('SENT'):\n"
                            "        os.environ['SENT'] = '1'; print('RENAMED', flush=True); time.sleep(3)\n"
                            "os.replace = replace\n")


@pytest.mark.parametrize(("patch", "word", "kept"), [
    pytest.param(STOP_BEFORE_REPORT_MD, b"STAGED", "previous set",
                 id="while-files-are-staged-keeps-the-previous-set"),
    pytest.param(PAUSE_AFTER_FIRST_RENAME, b"RENAMED", "second set",
                 id="between-the-renames-still-gives-the-second-whole-set"),
])
def test_ctrl_c_while_a_report_set_is_replaced_left_files_of_two_runs(tmp_path, previous_reports, patch, word,
                                                                       kept):
    src, reports, before = previous_reports
    second = talkative(tmp_path)
    keep = Untouched(src, second)
    proc = _child(patch, "reconcile", src, second, "--report-dir", reports, "--format", "json")
    _wait_for(proc, word)
    staged = any(p.name.startswith(".recon-staging-") for p in reports.iterdir())
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"Traceback" not in err  # the Ctrl-C was delivered
    after = report_set(reports)
    if kept == "previous set":
        assert after == before  # not report.json of one run beside report.md of another
    else:  # the Ctrl-C waited until the set was in place
        assert all(after[n] != before[n] for n in FILES)  # every file from the second run …
        assert_one_run(reports)  # … and from the same one
        assert json.loads(after["report.json"])["counts"]
    assert staged and strays(reports) == []
    keep.check()


def test_second_concurrent_report_dir_run_mixed_files_of_two_runs(tmp_path, previous_reports):
    src, reports, before = previous_reports
    second = talkative(tmp_path)
    keep = Untouched(src, second)
    first = start("reconcile", src, second, "--report-dir", reports, small_pipe=True)
    wait_until_blocked_writing(first)  # holds the folder's lock, has written nothing
    locked = holds_flock(first.pid, reports)
    other = subprocess.run([sys.executable, "-m", "recon.cli", "reconcile", src, "--report-dir", reports],
                           capture_output=True, text=True, env=_env(), check=False)
    assert other.returncode == 2 and "another recon run is writing its reports there" in other.stderr
    assert other.stdout == "" and report_set(reports) == before
    out, err = first.communicate(timeout=120)
    assert first.returncode == 1 and "Nowhere area 59" in out.decode(), err
    assert_one_run(reports)
    doc = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert sorted(i["file"] for i in doc["inputs"]) == ["kenya.xlsx", "office.xlsx"]
    assert strays(reports) == [] and locked
    keep.check()


# ---------------------------------------------------------------------------------------------- item 5: text

@pytest.fixture
def injected(tmp_path):
    rows = [{"area": a, "amount": 1, "status": s} for a, s in zip((MH, MA, MPR), INJECTIONS, strict=True)]
    return with_text(tmp_path, "injected", rows)


def test_status_formulas_went_out_as_is_in_the_csv_export(tmp_path, injected):
    keep = Untouched(injected)
    out = tmp_path / "entries.csv"
    assert recon("export", injected, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8-sig")
    statuses = [line.split(",")[4] for line in text.splitlines()[1:]]
    for s in INJECTIONS:
        assert not any(x.startswith(s[:3]) for x in statuses)
    assert text.count(",'=1+1,") == 1 and text.count(",'@sum(1+1),") == 1 and ",'+cmd|' /c calc'!a0," in text
    keep.check()


def test_libreoffice_turned_an_exported_status_into_a_live_formula(tmp_path, injected):
    from libreoffice import recalculate

    keep = Untouched(injected)
    out = tmp_path / "entries.csv"
    assert recon("export", injected, "-o", out).exit_code == 0
    opened = recalculate([out], tmp_path / "lo")[out.resolve()]
    with zipfile.ZipFile(opened) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    values = [c for row in load_workbook(opened).active.iter_rows(values_only=True) for c in row]
    assert 2 not in values  # =1+1 was not computed
    keep.check()


def test_csv_export_had_no_bom_so_excel_showed_mojibake(tmp_path):
    src = fx.write(tmp_path, "ivoire", [{"country": "Côte d'Ivoire", "area": MH, "amount": 1}],
                   region="West and Central Africa")
    keep = Untouched(src)
    out = tmp_path / "entries.csv"
    assert recon("export", src, "-o", out).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and "Côte d'Ivoire" in out.read_text(encoding="utf-8-sig")
    piped = recon("export", src, "-o", "-").output
    assert piped.startswith("region,")  # standard output stays BOM-free for pipes
    keep.check()


def test_neutralising_was_written_twice_and_differently(tmp_path):
    """export, report.xlsx, the annotated copy and the Excel add-in all use recon.inert.cell."""
    from recon import inert
    from recon.report import xlsx

    assert export.cell is inert.cell
    assert xlsx.inert.cell is inert.cell and annotate.inert.cell is inert.cell
    for s in (*INJECTIONS, "-1", "\tx", "Kenya", "a\x1bb"):
        assert excel._text(s) == inert.cell(s)
    assert [inert.cell(s) for s in INJECTIONS] == ["'=1+1", "'@sum(1+1)", "'+cmd|' /c calc'!a0"]
    assert inert.cell("ESC\x1b[2J BEL\x07") == "ESC\\x1b[2J BEL\\x07"
    assert inert.cell(12.5) == 12.5 and inert.cell(None) is None


@pytest.fixture
def markup(tmp_path):
    rows = [{"country": "[/bold]Kenya", "area": MH, "amount": 1},
            {"country": "[link=https://example.invalid]CLICK ME[/link]", "area": MA, "amount": 2},
            {"country": "KenCTLya", "area": MPR, "amount": 3}]
    return _region_with(tmp_path, "markup", rows)


def _region_with(d: Path, name: str, rows: list[dict]) -> Path:
    path = fx.write(d, name, rows)
    out = d / f"{name}-x.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename).replace(b"CTL", ESC_BEL.encode()))
    path.unlink()
    return out.rename(path)


def test_country_with_rich_markup_crashed_the_terminal_report_or_became_a_live_link(markup):
    keep = Untouched(markup)
    result = pipeline.run([markup])
    buf = io.StringIO()
    terminal.render(result, Console(file=buf, force_terminal=True, width=200, color_system="truecolor"))
    shown = buf.getvalue()
    assert "[/bold]Kenya" in shown and "[link=https://example.invalid]CLICK ME[/link]" in shown
    assert "\x1b]8;" not in shown  # no OSC 8 hyperlink
    assert "\x07" not in shown and "\x1b]0;" not in shown
    assert SHOWN in shown  # shown, escaped
    keep.check()


def test_escape_and_bell_reached_redirected_output_and_report_md(tmp_path, markup):
    keep = Untouched(markup)
    result = recon("reconcile", markup, "--report-dir", tmp_path / "r")
    assert result.exit_code == 1 and "\x1b" not in result.output and "\x07" not in result.output
    assert f"Ken{SHOWN}ya" in result.output
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "\x1b" not in md and "\x07" not in md and "\\x1b" in md
    assert "\x1b" not in memo.md("a\x1b[2Jb") and "\n" not in memo.md("a\nb")
    keep.check()


def test_control_characters_made_annotate_fail_with_illegal_character_error(tmp_path, markup):
    keep = Untouched(markup)
    out = tmp_path / "checked.xlsx"
    result = recon("check", markup, "--annotate", out)
    assert result.exit_code == 1 and "Traceback" not in result.output and out.exists()
    findings = [r for r in load_workbook(out)[L.FINDINGS].iter_rows(values_only=True)]
    assert any(SHOWN in (r[3] or "") for r in findings)
    keep.check()


@pytest.mark.parametrize("name", ["bad\nrecon: all clear.xlsx", "bad\x1b[2J\x07.xlsx"])
def test_newline_or_escape_in_a_file_name_split_the_one_line_messages(tmp_path, name):
    bad = tmp_path / name
    bad.write_text("not a workbook")
    keep = Untouched(bad)
    proc = subprocess.run([sys.executable, "-m", "recon.cli", "check", bad], capture_output=True, text=True,
                          env=_env(), check=False)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("recon: bad\\")
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
    both = subprocess.run([sys.executable, "-m", "recon.cli", "reconcile", bad, fx.clean_country(tmp_path)],
                          capture_output=True, text=True, env=_env(), check=False)
    assert both.returncode == 2
    mentions = [ln for ln in both.stdout.splitlines() + both.stderr.splitlines() if "bad\\" in ln]
    assert mentions and all("\x1b" not in ln for ln in mentions)
    assert not any(ln.startswith(("recon: all clear", "[2J")) for ln in both.stdout.splitlines())
    keep.check()


# ---------------------------------------------------------------------------------------------- item 6

def test_strict_ooxml_annotated_copy_held_only_the_findings_sheet(tmp_path):
    src = strict_ooxml(tmp_path)
    keep = Untouched(src)
    checked = recon("check", src)
    assert checked.exit_code == 0  # the workbook itself is checked
    out = tmp_path / "checked.xlsx"
    result = recon("check", src, "--annotate", out)
    assert result.exit_code == 2 and "Strict Open XML" in result.output and "no annotated copy" in result.output
    assert not out.exists() and strays(tmp_path) == []
    keep.check()


def test_office_sheet_named_findings_was_replaced_without_a_word(tmp_path):
    src = fx.clean_region(tmp_path, "base")
    wb = load_workbook(src)
    own = wb.create_sheet(L.FINDINGS)
    own["A1"], own["A2"] = "Our own audit notes", "keep me"
    wb.save(office := tmp_path / "office.xlsx")
    keep = Untouched(office)
    out = tmp_path / "checked.xlsx"
    result = recon("check", office, "--annotate", out)
    assert result.exit_code == 0 and "has a sheet of its own named 'Findings'" in result.output
    copy = load_workbook(out)
    assert [c.value for c in copy[L.FINDINGS]["A"]] == ["Our own audit notes", "keep me"]
    assert [c.value for c in copy[annotate.RECON_FINDINGS][1]] == annotate.HEADER
    again = tmp_path / "again.xlsx"  # annotating the copy replaces recon's sheet, still keeps the office's
    assert recon("check", out, "--annotate", again).exit_code == 0
    assert load_workbook(again).sheetnames.count(annotate.RECON_FINDINGS) == 1
    assert [c.value for c in load_workbook(again)[L.FINDINGS]["A"]] == ["Our own audit notes", "keep me"]
    keep.check()


def _deep(n: int) -> str:
    return '{"entries": ' + "[" * n + "]" * n + ', "published": []}'


@pytest.mark.parametrize(("content", "words"), [
    ('{"entries": 5, "published": []}', "'entries' is not a list"),  # was TypeError
    ('{"entries": [{"region": "X"}], "published": []}', "entries[0] has no 'country'"),  # was KeyError
    ('{"entries": [], "published": [{"region": "X", "title": null, "total": "lots", "total_location": null, '
     '"countries": [], "areas": []}]}', "published[0].total is the text 'lots'"),
    (_deep(100_000), "nested too deeply"),  # was RecursionError
    ("{not json", "not a readable report.json"),
    (b"\xff\xfe{}", "not a readable report.json"),
])
def test_diff_on_a_malformed_report_json_was_an_internal_error_naming_no_file(tmp_path, content, words):
    bad = tmp_path / "report.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"entries": [], "published": []}))
    keep = Untouched(bad, good)
    result = recon("diff", bad, good)
    assert result.exit_code == 2 and "internal error" not in result.output, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"recon: {bad}:") and words in line
    keep.check()


def test_report_json_written_by_recon_passes_the_diff_check(tmp_path, previous_reports):
    _src, reports, _before = previous_reports
    doc = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    import jsonschema

    jsonschema.validate(doc, record.schema())
    assert snapshot._record_problem(doc) is None
    assert recon("diff", reports / "report.json", reports).exit_code == 0


# ---------------------------------------------------------------------------------------------- _guarded

def test_guard_turned_every_value_error_into_a_user_error(tmp_path, monkeypatch):
    src = fx.clean_region(tmp_path)
    keep = Untouched(src)

    def broken(*_a, **_k):
        raise ValueError("a bug, not the user's doing")
    monkeypatch.setattr(terminal, "render", broken)
    result = recon("check", src)
    assert result.exit_code == 2
    assert "internal error: ValueError: a bug" in result.output and "--verbose" in result.output
    usage = recon("check", tmp_path / "nope.xlsx")  # the user's mistakes stay plain one-liners
    assert usage.exit_code == 2 and "internal error" not in usage.output and "nope.xlsx" in usage.output
    keep.check()
