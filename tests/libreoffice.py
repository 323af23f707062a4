"""LibreOffice as a real spreadsheet client: open workbooks headless, recalculate every formula, save as xlsx.

``recalculate([a, b], out_dir)`` → ``{a: out_dir/a.xlsx, b: out_dir/b.xlsx}``, read back with openpyxl
(``data_only=True``) or python-calamine. One ``soffice`` run converts all files (start-up dominates the cost).
Each run gets its own profile, so parallel runs never share a lock, and the profile forces recalculation on
load: openpyxl writes formulas without cached values, and a stale cached value must never pass for a result.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
TIMEOUT_S = 600

# Calc › Formula › "Recalculation on file load": 0 = always (1 = never, 2 = ask), for xlsx and ods alike.
_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    pass


def recalculate(paths: Iterable[Path], out_dir: Path) -> dict[Path, Path]:
    """Open each workbook in LibreOffice Calc, recalculate, save as ``out_dir/<stem>.xlsx``."""
    return _convert(paths, out_dir, "xlsx", "Calc MS Excel 2007 XML")


def to_pdf(paths: Iterable[Path], out_dir: Path) -> dict[Path, Path]:
    """Print each workbook to ``out_dir/<stem>.pdf`` as LibreOffice Calc prints it (every visible sheet, with
    its page setup), formulas recalculated on load as in :func:`recalculate`. One soffice run for all."""
    return _convert(paths, out_dir, "pdf", "calc_pdf_Export")


def _convert(paths: Iterable[Path], out_dir: Path, suffix: str, export_filter: str) -> dict[Path, Path]:
    """One ``soffice --convert-to suffix:export_filter`` run, in a fresh profile that recalculates on
    load → ``{input: out_dir/<stem>.<suffix>}``; :class:`LibreOfficeError` unless every output is there
    and not empty."""
    paths = [Path(p).resolve() for p in paths]
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise ValueError(f"two inputs would be written to the same output name: {sorted(stems)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="recon-lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        cmd = [SOFFICE, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", f"{suffix}:{export_filter}", "--outdir", str(out_dir),
               *map(str, paths)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    outputs = {p: out_dir / f"{p.stem}.{suffix}" for p in paths}
    # soffice exits 0 even when a file could not be converted: the output file is the only proof.
    missing = [str(p) for p, out in outputs.items() if not out.is_file() or out.stat().st_size == 0]
    if done.returncode != 0 or missing:
        raise LibreOfficeError(f"soffice exit {done.returncode}; not converted: {missing}\n"
                               f"{done.stdout}\n{done.stderr}")
    return outputs


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (``pdftotext -layout``), as a reader of the printout sees it."""
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout.split("\f")[:-1] if done.stdout.endswith("\f") else done.stdout.split("\f")


def page_png(pdf: Path, page: int, out: Path, dpi: int = 80) -> Path:
    """Page ``page`` (1-based) of ``pdf`` as ``out`` (PNG), whitespace around it trimmed (ImageMagick)."""
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True, capture_output=True)
    subprocess.run(["convert", f"{stem}.png", "-trim", "+repage", str(out)], check=True, capture_output=True)
    if not out.is_file():
        raise LibreOfficeError(f"no PNG written for page {page} of {pdf}")
    return out
