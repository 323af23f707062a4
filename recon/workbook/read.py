"""Workbook → :class:`~recon.appeal.submission.Submission`, with every value's cell and every oddity a Finding.

python-calamine reads the cell values (15–20× faster than openpyxl). Columns are found by header text, so
reordered or aliased headers still read. What cannot be read at all raises :class:`UnusableInput` with one
line naming the file, sheet and cell; everything else becomes a Finding and the row is kept or rejected —
never silently dropped.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from array import array
from functools import cache
from pathlib import Path
from typing import Protocol

import python_calamine as pc

from recon import READABLE_TEMPLATE_VERSIONS, TEMPLATE_VERSION
from recon.appeal.finding import Finding
from recon.appeal.location import Location
from recon.appeal.submission import Coded, EntryTable, Submission
from recon.appeal.vocabulary import clean_text, load, name_key
from recon.errors import UnusableInput
from recon.language import said
from recon.workbook import guard
from recon.workbook import layout as L
from recon.workbook import words as W
from recon.workbook.amounts import MAX_USD, decimal_comma, describe_value, parse_amount, plausible, usd_text
from recon.workbook.cells import formula_cells
from recon.workbook.guard import get_column_letter
from recon.workbook.percent import number_formats, percent_label

HEADER_SEARCH_ROWS = 30  # headers may be pushed down by inserted title rows
MAX_CELL_CHARS = 2_000  # longer text is cut (and reported): no name or note needs more
_TOTAL_INITIALS = set("TtSsGg")  # cheap pre-check before the regex below, run on every row
_TOTAL_ROW = re.compile(r"(?i)^(grand\s+)?total\b|^sum\b|^sous-total|^total general")
XLSX_FIX = "save it from Excel as 'Excel Workbook (.xlsx)' based on `recon template`"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file read through the guard (never a FIFO or a device, never beyond the size cap)."""
    return hashlib.sha256(guard.read_input(path)).hexdigest()


class SheetSource(Protocol):
    """Where cell values come from: a file through python-calamine, or an open book through xlwings."""

    sheet_names: list[str]

    def rows(self, sheet: str) -> list[list]:
        """All rows of ``sheet`` from A1, empty cells as ``""`` or ``None``."""
        ...


class CalamineSource:
    """A workbook's cells through python-calamine, from the bytes the guard checked (``container`` is what the
    guard measured: each sheet's extent, hidden columns and tables)."""

    def __init__(self, wb: pc.CalamineWorkbook, name: str = "workbook", container: guard.Container | None = None,
                 data: bytes | None = None):
        self._wb, self.name, self.container, self._data = wb, name, container, data
        self.sheet_names = list(wb.sheet_names)
        self.merged: dict[str, list] = {}

    def rows(self, sheet: str) -> list[list]:
        guard.check_extent(self.container, sheet, self.name)  # before calamine allocates the grid
        ws = self._wb.get_sheet_by_name(sheet)
        max_rows, _cols = guard.sheet_limits()
        if ws.height > max_rows:
            raise UnusableInput(self.name, f"{ws.height:,} rows (limit {max_rows:,})",
                                "split the submission, or raise RECON_MAX_ROWS if it is genuine", sheet)
        self.merged[sheet] = list(ws.merged_cell_ranges or [])
        return ws.to_python(skip_empty_area=False)

    def formula_cells(self, sheet: str, cells: list[str]) -> dict[str, tuple[str, str]]:
        return formula_cells(self._data, sheet, cells) if self._data is not None else {}


def read_workbook(path: str | Path) -> Submission:
    """Read one office's workbook (``.xlsx``/``.xlsm``; macros are never run).

    The file is read once (bounded, see :mod:`recon.workbook.guard`); guard, hash and cells come from those bytes.
    Whatever goes wrong with this one file is an :class:`UnusableInput` naming it, so a batch goes on."""
    path = Path(path)
    name = path.name
    try:
        data = guard.read_input(path)
        container = guard.check_container(data, name)  # zip-bomb, entity and extent checks before any parse
        try:
            wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except pc.PasswordError as exc:
            raise UnusableInput(name, "the workbook is password-protected", "remove the password and resend") \
                from exc
        except Exception as exc:  # calamine raises several types for a damaged zip or XML
            raise UnusableInput(name, f"not a readable xlsx workbook ({type(exc).__name__})", XLSX_FIX) from exc
        try:
            return read_source(CalamineSource(wb, name, container, data), path,
                               sha256=hashlib.sha256(data).hexdigest())
        except pc.CalamineError as exc:
            raise UnusableInput(name, f"a sheet could not be read ({_one_line(exc)})", XLSX_FIX) from exc
        finally:
            wb.close()
    except UnusableInput:
        raise
    except OSError as exc:
        raise UnusableInput(name, f"the file could not be read ({exc.strerror or type(exc).__name__})",
                            "copy the file again and check its permissions") from exc
    except Exception as exc:  # a library's surprise on this one file must not end the batch
        raise UnusableInput(name, f"unexpected error while reading ({type(exc).__name__}: {_one_line(exc)})",
                            "re-save the workbook from Excel; if that does not help, send it to the recon "
                            "maintainers") from exc


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def read_source(source: SheetSource, path: Path, sha256: str = "") -> Submission:
    """Cell values from any :class:`SheetSource` → Submission; ``path`` names it in locations."""
    name = path.name
    vocab = load()
    sheets = {clean_text(s).casefold(): s for s in source.sheet_names}
    findings: list[Finding] = []
    meta = _meta(source, sheets)
    region_printed = str(meta.get("region") or "").strip()
    reg = vocab.region(region_printed) if region_printed else None
    if reg is None and not region_printed and (title := _summary_title(source, sheets)):
        # A workbook rebuilt by hand without the hidden sheet: the Summary title still names the region.
        reg = vocab.region(title)
        if reg is not None:
            findings.append(Finding(
                "READ-META-MISSING", "warning", reg.name, location=Location(name, L.META),
                message=said("no hidden '{sheet}' sheet; region taken from the Summary title '{title}'",
                             sheet=L.META, title=title),
                suggestion=said("start from `recon template` so the workbook carries its region and revision")))
    if reg is None:
        raise UnusableInput(name, f"no known region in the hidden '{L.META}' sheet (found {region_printed!r})",
                            "start from `recon template --region ...` and copy your rows into it", L.META, "B4")
    office_country = str(meta.get("country") or "").strip() or None
    lang = str(meta.get(L.META_LANGUAGE) or "").strip().lower()
    lang = lang if lang in W.LANGUAGES else W.DEFAULT  # names are read in any language: this one only says which to suggest
    entries_sheet = _entries_sheet(source, name, reg.name, findings)
    rows = source.rows(entries_sheet)
    _fill_merged(rows, getattr(source, "merged", {}).get(entries_sheet, []), name, entries_sheet, reg.name,
                 findings)
    version = str(meta.get("template_version") or "")
    if version not in READABLE_TEMPLATE_VERSIONS:
        findings.append(Finding(
            "READ-TEMPLATE-VERSION", "warning", reg.name, location=Location(name, L.META),
            expected=TEMPLATE_VERSION, actual=version or said("(none)"),
            message=said("made with template version {version}; this recon expects {expected}",
                         version=version or said("(unknown)"), expected=TEMPLATE_VERSION),
            suggestion=said("columns were matched by their headers; next time start from `recon template`")))
    container = getattr(source, "container", None)
    hidden = container.sheets[entries_sheet].hidden if container and entries_sheet in container.sheets \
        else frozenset()
    header_row, columns = _find_header(rows, name, entries_sheet, hidden, reg.name, findings)
    letters = {f: get_column_letter(i + 1) for f, i in columns.items()}
    if hasattr(source, "formula_cells"):
        formulas = lambda cells: source.formula_cells(entries_sheet, cells)  # noqa: E731
    else:
        formulas = (lambda cells: formula_cells(path, entries_sheet, cells)) if path.is_file() else None
    entries, read, rejected = _entries(rows[header_row + 1:], header_row + 2, columns, letters,
                                       name, reg.name, office_country, findings, formulas, lang)
    sub = Submission(path=path, region=reg.name, office=office_country or reg.name,
                     revision=_int(meta.get("revision"), 1), meta=meta, table=entries, columns=letters,
                     findings=findings, rows_read=read, rows_rejected=rejected, sha256=sha256,
                     edition=_int(meta.get("edition_year"), 0))
    summary_sheet = sheets.get(L.SUMMARY.casefold())
    if summary_sheet is not None and office_country is None:
        _summary(sub, source.rows(summary_sheet), summary_sheet, path if path.is_file() else None, lang)
    elif office_country is None and reg.has_summary:
        findings.append(Finding(
            "READ-SUMMARY-MISSING", "warning", reg.name, location=Location(name),
            message=said("no '{sheet}' sheet: the region's published tables cannot be checked", sheet=L.SUMMARY),
            suggestion=said("add the Summary sheet from `recon template --region ...`")))
    return sub


def _summary_title(source: SheetSource, sheets: dict[str, str]) -> str | None:
    sheet = sheets.get(L.SUMMARY.casefold())
    rows = source.rows(sheet)[:1] if sheet else []
    return _cell_text(rows[0][1]) if rows and len(rows[0]) > 1 else None


def _fill_merged(rows: list[list], ranges, file: str, sheet: str, region: str, findings: list[Finding]) -> None:
    """A merged block reads as its top-left value repeated — what the person who merged it meant."""
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1 + 1, len(rows))):
            for c in range(c0, min(c1 + 1, len(rows[r]))):
                rows[r][c] = value
        span = f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}"
        findings.append(Finding(
            "READ-MERGED-CELLS", "warning", region, location=Location(file, sheet, span),
            message=said("merged cells {span} read as {value} on each row", span=span, value=repr(value)),
            suggestion=said("unmerge the cells and type the value on every row")))


def _meta(source: SheetSource, sheets: dict[str, str]) -> dict:
    sheet = sheets.get(L.META)
    if sheet is None:
        return {}
    meta = {}
    for row in source.rows(sheet):
        if len(row) >= 2 and isinstance(row[0], str) and row[0]:
            meta[row[0].strip()] = row[1]
    return meta


def _int(value, default: int) -> int:
    """``"3"`` → 3; anything else (text, inf, 9e307) → ``default``."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return number if abs(number) < 1_000_000 else default


def _header_aliases() -> dict[str, str]:
    """Header key → entry field, for every accepted header text in every language: ``{"pays": "country", ...}``."""
    return W.any_language().headers


@cache
def _template_heads() -> dict[str, frozenset[str]]:
    """Field → the keys of the headers a template writes for it (any language) and of its hashtag."""
    return {f: frozenset({name_key(W.words(lang).header(f)) for lang in W.LANGUAGES}
                         | {W.hashtag_key(W.HASHTAGS[f])}) for f in L.ENTRY_COLUMNS}


def _sheet_key(name: str) -> str:
    """Names Excel lets differ but a person reads as the same sheet: ``"ENTRIES"``, ``"Entries\u200b"``,
    ``"Entr\u0456es"`` (Cyrillic i), ``"Entries (2)"`` (Excel's copy), ``"Entries_2"`` → ``"entries"``."""
    key = re.sub(r"\s+", "", name_key(name))
    return re.sub(r"(\(\d+\)|_\d+)$", "", key)


def _entries_sheet(source: SheetSource, file: str, region: str, findings: list[Finding]) -> str:
    """The one sheet to read entries from. Several candidates: the one holding the template's table
    (``EntriesTable``), with a finding naming them all; if none or several hold it, the file is refused."""
    want = _sheet_key(L.ENTRIES)
    candidates = [s for s in source.sheet_names if _sheet_key(s) == want]
    if not candidates:
        raise UnusableInput(file, f"no '{L.ENTRIES}' sheet (sheets: {', '.join(source.sheet_names)})",
                            f"rename your data sheet to '{L.ENTRIES}' or start from `recon template`")
    if len(candidates) == 1:
        return candidates[0]
    container = getattr(source, "container", None)
    named = ", ".join(f"'{s}'" for s in candidates)
    holding = [s for s in candidates if container and s in container.sheets
               and L.TABLE_NAME in container.sheets[s].tables]
    if len(holding) != 1:
        raise UnusableInput(file, f"{len(candidates)} sheets could be '{L.ENTRIES}' ({named}) and recon cannot "
                            "tell which holds the entries", f"keep one sheet named '{L.ENTRIES}': move its rows "
                            "there and delete the others", candidates[0])
    chosen = holding[0]
    for other in candidates:
        if other == chosen:
            continue
        rows, _cols = container.sheets[other].extent if other in container.sheets else (0, 0)
        findings.append(Finding(
            "READ-SHEET-AMBIGUOUS", "error" if rows > 1 else "warning", region, location=Location(file, other),
            expected=chosen, actual=other,
            message=said("{count} sheets could be '{sheet}' ({named}); read '{chosen}', which holds the "
                         "template's table {table}; '{other}' was not read although it has cells down to row {rows}",
                         count=len(candidates), sheet=L.ENTRIES, named=named, chosen=chosen, table=L.TABLE_NAME,
                         other=other, rows=rows) if rows > 1 else
            said("{count} sheets could be '{sheet}' ({named}); read '{chosen}', which holds the template's table "
                 "{table}; '{other}' was not read", count=len(candidates), sheet=L.ENTRIES, named=named,
                 chosen=chosen, table=L.TABLE_NAME, other=other),
            suggestion=said("move any rows of '{other}' into '{chosen}' and delete '{other}'", other=other,
                            chosen=chosen)))
    return chosen


def _find_header(rows: list[list], file: str, sheet: str, hidden: frozenset[int] = frozenset(),
                 region: str | None = None, findings: list[Finding] | None = None) -> tuple[int, dict[str, int]]:
    """(header row, field → column index). When two columns could hold one field (a hidden ``Amount`` left of
    "Funding requirement (USD)"), the visible one with the template's own header, at the template's place,
    is read — and the other is a finding, an error if it holds values."""
    aliases, tags = _header_aliases(), W.any_language()
    # The HXL hashtag row first (it names columns whatever the headers' language), then header text.
    by_hashtag = [(r, row) for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if W.is_hashtag_row(row)]
    for by_tag, (r, row) in [(True, x) for x in by_hashtag] + [(False, x) for x in enumerate(rows[:HEADER_SEARCH_ROWS])]:
        found: dict[str, list[int]] = {}
        for c, cell in enumerate(row):
            if not isinstance(cell, str):
                continue
            f = tags.field_of_hashtag(cell) if by_tag else aliases.get(name_key(cell))
            if f:
                found.setdefault(f, []).append(c)
        if all(f in found for f in L.REQUIRED_ENTRY_FIELDS):
            columns = {}
            for f, cols in found.items():
                columns[f] = cols[0] if len(cols) == 1 else _pick_column(rows, r, f, cols, hidden, file, sheet,
                                                                         region, findings)
            return r, columns
    wanted = ", ".join(f"'{L.ENTRY_COLUMNS[f][0]}'" for f in L.REQUIRED_ENTRY_FIELDS)
    raise UnusableInput(file, f"header row not found (need {wanted} in one of the first {HEADER_SEARCH_ROWS} "
                        "rows)", "restore the template's header row", sheet, "A1")


def _pick_column(rows, r: int, field: str, cols: list[int], hidden, file, sheet, region, findings) -> int:
    template_heads = _template_heads()[field]
    template_index = list(L.ENTRY_COLUMNS).index(field)

    def score(c: int) -> tuple:
        cell = _cell_text(rows[r][c])
        return (c not in hidden, name_key(cell) in template_heads or W.hashtag_key(cell) in template_heads,
                c == template_index, -c)

    chosen = max(cols, key=score)
    if findings is None:
        return chosen

    def shown(c: int) -> str:
        return f"{get_column_letter(c + 1)} '{_cell_text(rows[r][c])}'" + (" (hidden)" if c in hidden else "")

    for c in cols:
        if c == chosen:
            continue
        filled = sum(1 for row in rows[r + 1:] if c < len(row) and _cell_text(row[c]))
        about = {"count": len(cols), "field": field, "columns": ", ".join(map(shown, sorted(cols))),
                 "chosen": get_column_letter(chosen + 1), "other": get_column_letter(c + 1)}
        findings.append(Finding(
            "READ-COLUMN-AMBIGUOUS", "error" if filled else "warning", region,
            location=Location(file, sheet, f"{get_column_letter(c + 1)}{r + 1}"),
            expected=get_column_letter(chosen + 1), actual=get_column_letter(c + 1),
            message=(said("{count} columns could be the {field}: {columns}; read column {chosen}, not column "
                          "{other} ({filled} value(s) in it were not read)", **about, filled=filled) if filled else
                     said("{count} columns could be the {field}: {columns}; read column {chosen}, not column {other}",
                          **about)),
            suggestion=said("delete column {column} or give it a header of its own", column=get_column_letter(c + 1))))
    return chosen


def _cell_text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str) and value.isascii() and value.isprintable() and "  " not in value \
            and value == value.strip():
        return value  # the common case needs no Unicode normalisation
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value))


_TEXT_FIELDS = ("country", "area", "status", "populations", "source", "notes", "duplicate_ok")
_CONTENT_FIELDS = _TEXT_FIELDS[:-1]  # a row with none of these and no amount is blank, not data
_REQUIREMENT_WORDS = W.any_language().requirement  # casefolded, every language, "" included
_YES_WORDS = W.any_language().yes
# ASCII white space other than the space: _cell_text folds it. Checked on a column's distinct values joined by
# NUL, so a clean column costs a few C-level passes over one string, not a Python loop.
_OTHER_SPACE = b"\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_NAN = float("nan")


def _clean_column(raw: list) -> list[str]:
    """``_cell_text`` of every value: ``["Kenya ", None, 2015.0]`` → ``["Kenya", "", "2015"]``."""
    try:
        distinct = set(raw)
    except TypeError:  # an unhashable value: not from calamine, but a SheetSource may hold anything
        return [_cell_text(v) for v in raw]
    try:
        joined = "\x00".join(distinct)  # TypeError unless every value is text
        if _clean_ascii(joined):
            return raw if isinstance(raw, list) else list(raw)
    except TypeError:
        pass
    if bool in set(map(type, raw)):  # True == 1 == 1.0 share a set entry but not a text
        return [_cell_text(v) for v in raw]
    clean = {v: _cell_text(v) for v in distinct}
    return list(map(clean.__getitem__, raw))


def _clean_ascii(joined: str) -> bool:
    """Would ``_cell_text`` leave every NUL-separated value unchanged? ASCII, no white space but single
    inner spaces: ``"Kenya\\x00Uganda"`` → True, ``"Kenya \\x00Uganda"`` → False."""
    if not joined.isascii():
        return False
    b = joined.encode("ascii")
    return (len(b.translate(None, _OTHER_SPACE)) == len(b) and b"  " not in b and b"\x00 " not in b
            and b" \x00" not in b and not b.startswith(b" ") and not b.endswith(b" "))


def _positions_not_numbers(amounts: list) -> list[int]:
    """Positions of the values that are not int/float, in order: ``[1.0, "", 2.0, ""]`` → ``[1, 3]``.

    Usually a handful of distinct values ("" for Funded lines): each is found with list.index (C speed),
    not by a Python test of every row."""
    types = set(map(type, amounts))
    if types <= {float, int}:
        return []
    try:
        # A set holds one of True, 1 and 1.0 (they are equal): with booleans about, test every row.
        odd = None if bool in types else {v for v in set(amounts) if type(v) is not float and type(v) is not int}
    except TypeError:  # unhashable values from a SheetSource
        odd = None
    if odd is None or len(odd) > 20:
        return [k for k, v in enumerate(amounts) if type(v) is not float and type(v) is not int]
    out = []
    for v in odd:
        k = -1
        try:
            while True:
                k = amounts.index(v, k + 1)
                if type(amounts[k]) is type(v):  # index() matches by ==: True == 1.0, "" only equals ""
                    out.append(k)
        except ValueError:
            pass
    return sorted(out)


def _status(text: str) -> str:
    """``"Financé"`` → ``"Funded"`` (any language's status word → recon's); other text unchanged."""
    return W.any_language().status_word(text)


def _entries(rows, first_row: int, columns: dict[str, int], letters: dict[str, str], file: str,
             region: str, office_country: str | None, findings: list[Finding], formulas=None, lang: str = "en"):
    """Data rows → (EntryTable, rows read, rows rejected).

    Column by column: text is cleaned and names resolved once per distinct value, and only the rows that
    need a decision (blank amount, a totals-like name, no area, an amount that is not a number) are looked
    at one by one. On 1,000 workbooks of 1,000 rows, per-row Python was most of recon's reading time.
    """
    vocab = load(lang)
    n = len(rows)
    rectangular = len(set(map(len, rows))) <= 1  # calamine's rows always are; another SheetSource's may not be
    transposed = list(zip(*rows, strict=True)) if rectangular and rows else []

    def column(i: int | None) -> list:
        if i is None:
            return [""] * n
        if rectangular:
            return list(transposed[i]) if i < len(transposed) else [""] * n
        return [r[i] if i < len(r) else "" for r in rows]

    def loc(field: str, row: int) -> Location:
        return Location(file, L.ENTRIES, f"{letters.get(field, 'A')}{row}")

    cols = {f: _clean_column(column(columns.get(f))) for f in _TEXT_FIELDS}
    for f, values in cols.items():
        if max(map(len, set(values)), default=0) > MAX_CELL_CHARS:
            values = cols[f] = list(values)
            for k, v in enumerate(values):
                if len(v) > MAX_CELL_CHARS:
                    findings.append(Finding(
                        "READ-CELL-TOO-LONG", "warning", region, location=loc(f, first_row + k),
                        actual=said("{length:,} characters", length=len(v)), expected=f"≤ {MAX_CELL_CHARS:,}",
                        message=said("{field} text of {length:,} characters was cut", field=f, length=len(v)),
                        suggestion=said("shorten the text; long explanations belong in the revision memo")))
                    values[k] = v[:MAX_CELL_CHARS]
    amounts = column(columns.get("amount"))
    # Amounts that are not numbers, by position: blank cells (Funded lines) and typed text.
    not_numbers = _positions_not_numbers(amounts)
    if absurd := _absurd_positions(amounts, not_numbers):  # refused here, so no sum ever overflows
        not_numbers = sorted({*not_numbers, *absurd})
    blank = {k for k in not_numbers if amounts[k] is None or (isinstance(amounts[k], str)
                                                              and not clean_text(amounts[k]))}
    country, area = cols["country"], cols["area"]

    def totals_like(values: list[str]) -> set[str]:
        return {v for v in set(values) if v[:1] in _TOTAL_INITIALS and _TOTAL_ROW.match(v)}

    total_countries, total_areas = totals_like(country), totals_like(area)
    suspects = set(blank)
    if total_countries or total_areas:
        suspects.update(k for k in range(n) if country[k] in total_countries or area[k] in total_areas)
    if "" in set(area):
        suspects.update(k for k in range(n) if not area[k])
    dropped: set[int] = set()
    rejected = 0
    for k in sorted(suspects):
        if k in blank and not any(cols[f][k] for f in _CONTENT_FIELDS):
            dropped.add(k)  # a blank row is not data
            continue
        r = first_row + k
        c, a = country[k], area[k]
        # Rows that are not entries: a totals line typed inside the table, or one without country and area.
        is_total = c in total_countries or a in total_areas
        nameless = not a and (office_country is not None or not c)
        if is_total or nameless:
            rejected += 1
            dropped.add(k)
            findings.append(Finding(
                "READ-ROW-REJECTED", "warning" if is_total else "error", region, location=loc("country", r),
                message=said("a totals row inside Entries was not read as an entry") if is_total else
                said("row has neither a country nor a programmatic area, so it is not an entry"),
                suggestion=said("delete the totals row: recon and the Summary sheet compute totals") if is_total
                else said("fill in the country and programmatic area, or delete the row")))
    read = n - len(dropped) + rejected
    keep = [k for k in range(n) if k not in dropped] if dropped else range(n)

    def kept(f: str) -> list[str]:
        return cols[f] if not dropped else [cols[f][k] for k in keep]

    status_text = kept("status")
    values = amounts if not not_numbers else list(amounts)
    given = [1] * n
    blank_requirements: dict[str, int] = {}
    odd_status: dict[int, str] = {}
    position = {k: i for i, k in enumerate(keep)} if dropped else None
    for k in not_numbers:
        if k in dropped:
            continue
        i = position[k] if position is not None else k
        r = first_row + k
        if k in blank:
            values[k], given[k] = _NAN, 0
            if status_text[i].casefold() in _REQUIREMENT_WORDS:
                blank_requirements[f"{letters.get('amount', 'C')}{r}"] = i
            continue
        who = {"country": country[k], "area": area[k]}
        value, new_status = _odd_amount(amounts[k], status_text[i], loc("amount", r), region, who,
                                        office_country, findings)
        values[k] = _NAN if value is None else value
        if new_status != status_text[i]:
            odd_status[i] = new_status
    if dropped:
        values, given = [values[k] for k in keep], [given[k] for k in keep]
        country, area = [country[k] for k in keep], [area[k] for k in keep]
    if odd_status:
        status_text = list(status_text)
        for i, s in odd_status.items():
            status_text[i] = s
    if formulas is not None and blank_requirements:
        for i in _explain_blank_amounts(blank_requirements, file, region, formulas, country, area,
                                        office_country, findings):
            given[i] = 1
    if office_country and "" in set(country):
        country = [c or office_country for c in country]
    statuses = Coded.encode(status_text).mapped(_status)
    dup = Coded.encode(kept("duplicate_ok"))
    yes = [int(v.casefold() in _YES_WORDS) for v in dup.values]
    countries, areas = Coded.encode(country), Coded.encode(area)

    table = EntryTable(
        row=array("i", range(first_row, first_row + n)) if not dropped else array("i", [first_row + k for k in keep]),
        country=countries, area=areas, status=statuses,
        amount=array("d", values), amount_given=array("b", given),
        duplicate_ok=array("b", map(yes.__getitem__, dup.codes)),
        populations=Coded.encode(kept("populations")), source=kept("source"), notes=Coded.encode(kept("notes")),
        country_match=[vocab.resolve_country(region, c) for c in countries.values],
        area_match=[vocab.resolve_area(a) for a in areas.values],
    )
    return table, read, rejected


def _odd_amount(raw, status: str, where: Location, region: str, texts: dict, office_country, findings):
    """A non-numeric (or absurd) amount cell → (USD or None, status), with the finding that explains it."""
    parsed = parse_amount(raw)
    who = {"country": texts["country"] or office_country, "area": texts["area"] or None}
    shown = describe_value(raw)
    if parsed.kind == "funded":
        findings.append(Finding(
            "READ-FUNDED-IN-AMOUNT", "warning", region, **who, location=where, actual=shown,
            expected=said("an empty amount and Status 'Funded'"),
            message=said("'{raw}' typed in the amount column; read as Status Funded with no amount", raw=str(raw)),
            suggestion=said("clear the amount cell and choose Funded in the Status column")))
        return None, status or L.STATUS_FUNDED
    if parsed.kind == "text":
        value = usd_text(parsed.value)
        comma = said(" (the comma read as a decimal mark)") if decimal_comma(str(raw)) else ""
        whole = parsed.value.is_integer()
        findings.append(Finding(
            "READ-AMOUNT-TEXT", "warning", region, **who, location=where, actual=shown,
            expected=value, usd_at_stake=parsed.value or 0,
            message=said("amount typed as text {shown}; read as {value}{comma} — Excel formulas do not add text",
                         shown=shown, value=value, comma=comma),
            suggestion=said("type the number {number:.0f} without separators or currency", number=parsed.value)
            if whole else said("USD amounts are whole numbers: type the amount meant as a number (e.g. "
                               "{millions:.0f} for {value} million)", millions=parsed.value * 1e6, value=value)))
        return parsed.value, status
    if parsed.kind == "absurd":
        findings.append(Finding(
            "READ-AMOUNT-ABSURD", "error", region, **who, location=where, actual=shown,
            expected=said("a USD amount up to {most:usd}", most=MAX_USD),
            message=said("amount {shown} is not a finite number of USD up to {most:usd}; not read", shown=shown,
                         most=MAX_USD),
            suggestion=said("type the amount as a whole number of USD, e.g. 1200000")))
        return None, status
    findings.append(Finding(
        "READ-AMOUNT-UNREADABLE", "error", region, **who, location=where, actual=shown,
        expected=said("a whole USD amount"), message=said("amount {shown} is not a number", shown=shown),
        suggestion=said("type the amount as a whole number of USD, e.g. 1200000")))
    return None, status


def _absurd_positions(amounts: list, not_numbers: list[int]) -> list[int]:
    """Positions of numeric amounts that are infinite, NaN or beyond MAX_USD. A clean column is settled by one
    C-level sum of magnitudes (if it stays within MAX_USD, so does every value); only otherwise row by row."""
    numbers = list(amounts)
    for k in not_numbers:
        numbers[k] = 0.0
    try:
        if math.fsum(map(abs, numbers)) <= MAX_USD:
            return []
    except (OverflowError, TypeError):
        pass
    skip = set(not_numbers)
    return [k for k, v in enumerate(amounts) if k not in skip and (type(v) is float or type(v) is int)
            and not plausible(v)]


def _explain_blank_amounts(cells: dict[str, int], file, region, formulas, country: list[str], area: list[str],
                           office_country, findings) -> list[int]:
    """A blank-looking amount may be a formula without a saved result or an error value: say which. Returns
    the records explained, so that they are not also reported as missing amounts."""
    explained = []
    for cell, (kind, value) in formulas(list(cells)).items():
        i = cells[cell]
        explained.append(i)
        who = {"country": country[i] or office_country, "area": area[i] or None}
        findings.append(Finding(
            "READ-FORMULA-ERROR" if kind == "error" else "READ-FORMULA-NOT-CALCULATED", "error", region, **who,
            location=Location(file, L.ENTRIES, cell), actual=value, expected=said("a calculated USD amount"),
            message=said("the amount cell holds an error value {value}", value=value) if kind == "error" else
            said("the amount cell holds the formula {value} with no saved result (or an error result)", value=value),
            suggestion=said("fix the formula, or type the amount; then open and save the workbook in Excel")))
    return explained


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _summary(sub: Submission, rows: list[list], sheet: str, path: Path | None = None, lang: str = "en") -> None:
    """The Summary sheet's tables; ``path`` (the file, when there is one) lets recon look at what calamine
    does not give: the number format of a percent-formatted pie label, the formula behind a blank USD cell.
    Table headers are recognised in any language; an HXL hashtag row under a header is skipped."""
    vocab = load(lang)
    words = W.any_language()
    file, region = sub.name, sub.region

    def cell(col: int, r: int) -> Location:
        return Location(file, sheet, f"{get_column_letter(col + 1)}{r + 1}")

    def label(r: int) -> str:
        return _cell_text(rows[r][0]) if rows[r] else ""

    def second(r: int) -> str:
        return _cell_text(rows[r][1]) if len(rows[r]) > 1 else ""

    heads = {}
    for r in range(len(rows)):
        lab = label(r)
        if lab in words.country_tables and second(r) in words.published_usd and "countries" not in heads:
            heads["countries"] = r
        elif lab in words.area_tables and second(r) in words.published_usd and "areas" not in heads:
            heads["areas"] = r
        elif name_key(lab) in words.totals and "areas" in heads and "total" not in heads:
            heads["total"] = r
    missing = [k for k in ("countries", "areas", "total") if k not in heads]
    if missing:
        sub.findings.append(Finding(
            "READ-SUMMARY-LAYOUT", "error", region, location=Location(file, sheet),
            message=said("Summary sheet is missing its {tables} table header(s)", tables=", ".join(missing)),
            suggestion=said("restore the Summary sheet from `recon template --region ...`")))
        return
    sub.title = _cell_text(rows[0][1]) if rows and len(rows[0]) > 1 else None

    # Numeric pie labels may be percent-formatted (0.119 shown as 11.9 %): their formats, in one look.
    pie_cells = [f"C{r + 1}" for r in range(heads["areas"] + 1, heads["total"])
                 if len(rows[r]) > 2 and _is_number(rows[r][2])]
    formats = number_formats(path, sheet, pie_cells) if path is not None else {}
    blanks: list[tuple[int, str]] = []  # (row, name) of published USD cells that read blank

    def table(first: int, stop: int, resolver, with_percent: bool) -> list[dict]:
        recs = []
        if first < stop and W.is_hashtag_row(rows[first]):
            first += 1  # the HXL row under the table's header
        for r in range(first, stop):
            row = rows[r] + [""] * 3
            name, value = _cell_text(row[0]), row[1]
            if not name and (value == "" or value is None):
                continue
            if _absurd(value, region, cell(1, r), sub.findings):
                published, funded, text = None, False, None
            else:
                published, funded, text = _published_cell(sub, value, cell(1, r), name)
                if published is None and not funded and text is None:
                    blanks.append((r, name))
            match = resolver(name)
            pct = None
            if with_percent:
                label = percent_label(row[2], formats.get(f"C{r + 1}"))
                pct = label.text
                if label.kind == "unreadable":
                    sub.findings.append(Finding(
                        "READ-PERCENT-UNREADABLE", "error", region, area=match.name or name or None,
                        location=cell(2, r), actual=repr(row[2]), expected=said("a percentage such as 11.9"),
                        message=said("pie % {label} for {name} is not a number, so the slice is not checked",
                                     label=repr(row[2]), name=name or said("this row")),
                        suggestion=said("type the label as printed, e.g. 11.9 or 11.9%")))
            # Written as the workbook's language writes it: the canonical name (in English, printed exactly so).
            printed = match.name if match.kind == "canonical" and match.name else name
            recs.append({"region": region, "name_printed": printed, "name": match.name or name,
                         "kind": match.kind, "suggestion": match.suggestion, "published_usd": published,
                         "published_funded": funded, "published_text": text, "percent_text": pct,
                         "cell_name": cell(0, r), "cell_usd": cell(1, r),
                         "cell_percent": cell(2, r) if with_percent else None})
        return recs

    sub.country_rows = table(heads["countries"] + 1, heads["areas"],
                          lambda s: vocab.resolve_country(region, s), False)
    sub.area_rows = table(heads["areas"] + 1, heads["total"], vocab.resolve_area, True)
    t = heads["total"]
    raw_total = rows[t][1] if len(rows[t]) > 1 else None
    if _absurd(raw_total, region, cell(1, t), sub.findings):
        total = None
    else:
        total, _funded, text = _published_cell(sub, raw_total, cell(1, t), L.TOTAL_LABEL)
        if total is None and text is None:
            blanks.append((t, L.TOTAL_LABEL))
    sub.total, sub.total_cell = total, cell(1, t)
    if blanks and path is not None:
        _explain_blank_published(sub, path, sheet, blanks, cell)


def _published_cell(sub: Submission, value, where: Location, name: str) -> tuple[float | None, bool, str | None]:
    """A published USD cell (table row or total) → :func:`_published`, with the finding that says how text
    was read: ``"USD 1,200,000"`` is read as 1,200,000 (and reported), ``"about 1 M"`` is unreadable."""
    published, funded, text = _published(value)
    if text is not None and not funded and published is None:
        sub.findings.append(Finding(
            "READ-PUBLISHED-UNREADABLE", "error", sub.region, location=where, actual=repr(value),
            message=said("published value {shown} for {name} is neither a number nor 'funded'",
                         shown=describe_value(value), name=name or said("this row")),
            suggestion=said("type the number as printed, or 'funded'")))
    elif text is not None and published is not None:
        sub.findings.append(Finding(
            "READ-PUBLISHED-TEXT", "warning", sub.region, location=where, actual=repr(value),
            expected=said("{usd:usd}", usd=published),
            message=said("published value for {name} typed as text {shown}; read as {usd:usd}",
                         name=name or said("this row"), shown=repr(value), usd=published),
            suggestion=said("type it as a number")))
    return published, funded, text


def _explain_blank_published(sub: Submission, path: Path, sheet: str, blanks: list[tuple[int, str]],
                             cell) -> None:
    """A published USD cell that reads blank may hold a formula without a saved result or an error value."""
    found = formula_cells(path, sheet, [f"B{r + 1}" for r, _name in blanks])
    for r, name in blanks:
        kind_value = found.get(f"B{r + 1}")
        if kind_value is None:
            continue
        kind, value = kind_value
        sub.findings.append(Finding(
            "READ-FORMULA-ERROR" if kind == "error" else "READ-FORMULA-NOT-CALCULATED", "error", sub.region,
            location=cell(1, r), actual=value, expected=said("the published USD figure"),
            message=f"the published value for {name} holds the error {value}" if kind == "error" else
            f"the published value for {name} is the formula {value} with no saved result",
            suggestion="type the figure as printed (or fix the formula, then open and save the workbook)"))


def _absurd(value, region: str, where: Location, findings: list[Finding]) -> bool:
    """A published number that is infinite or beyond MAX_USD (9e307, the text "1e400"): a finding, not read."""
    if not (_is_number(value) and not plausible(value) or isinstance(value, str) and
            parse_amount(value).kind == "absurd"):
        return False
    findings.append(Finding(
        "READ-PUBLISHED-ABSURD", "error", region, location=where, actual=describe_value(value),
        expected=said("a USD amount up to {most:usd}", most=MAX_USD),
        message=f"published value {describe_value(value)} is not a finite number of USD up to {MAX_USD:,.0f}; "
        "not read", suggestion="type the number as printed"))
    return True


def _published(value) -> tuple[float | None, bool, str | None]:
    """A published table cell → (USD, printed as funded?, original text if it was text)."""
    if _is_number(value):
        return float(value), False, None
    parsed = parse_amount(value)
    text = None if parsed.kind == "blank" else str(value)
    return parsed.value, parsed.kind == "funded", text
