"""The standardized workbook offices fill: built with openpyxl, optionally pre-filled.

``build(region="East and Horn of Africa")`` gives an empty regional template; ``country="Kenya"`` a country
office's workbook (no Summary sheet: its entries merge into the region's). ``entries=`` and ``summary=``
pre-fill it — that is how the bundled 2015 edition, the test fixtures and the benchmark data are made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.legend import Legend
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from recon import PREVIOUS_TEMPLATE_VERSION, TEMPLATE_VERSION, __version__
from recon.appeal.published import PublishedRow, PublishedSummary
from recon.appeal.vocabulary import NameList, load
from recon.workbook import layout as L
from recon.workbook import livecheck
from recon.workbook import words as W

USD_FORMAT = "#,##0"
VALIDATED_ROWS = 5000  # validations and formats reach this far below the header
GREEN = PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE")
RED = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
HEADER_FILL = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")
INPUT_FILL = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")
# The Summary's computed cells: the instructions' "grey columns".
COMPUTED_FILL = PatternFill("solid", start_color="EDEDED", end_color="EDEDED")
HEADER_HEIGHT = 32  # points: a header row wrapped on two lines ("Funding requirement / (USD)")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
BOLD = Font(bold=True)
WHITE_BOLD = Font(bold=True, color="FFFFFF")
HASHTAG_FONT = Font(size=8, color="808080")  # the HXL row: technical, small and grey, but present
HASHTAG_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")

ENTRY_FIELDS = tuple(L.ENTRY_COLUMNS)
COL = {f: get_column_letter(i + 1) for i, f in enumerate(ENTRY_FIELDS)}  # field → column letter


def build(region: str, country: str | None = None, *, entries: Iterable[Mapping] = (),
          summary: PublishedSummary | None = None, revision: int = 1, office: str | None = None,
          edition_year: int = 2015, formulas: bool = False, live_checks: bool = True, lang: str = W.DEFAULT,
          hashtags: bool | None = None) -> Workbook:
    """A template workbook for ``region`` (raises ``ValueError`` for an unknown region, country or language).

    Pre-filled text that starts with ``=`` is stored as text, never as a formula, unless ``formulas=True``
    (test fixtures use that to build workbooks with formulas in them). ``live_checks=False`` leaves out the
    Entries sheet's Check column (:mod:`recon.workbook.livecheck`; the benchmark's synthetic workbooks do without).

    ``lang`` (``en``, ``fr``, ``es``): every word the workbook shows, from :mod:`recon.workbook.words`, and the
    names as that language writes them; pre-filled canonical names and statuses are written in it too (a
    name printed otherwise is kept as printed). ``region`` and ``country`` are the canonical (English) names.
    ``hashtags=True`` writes the current version (an HXL hashtag row under the Entries and Summary headers,
    checks that know every language's words); ``False`` the previous version's shape (English, no HXL row,
    checks that know English words only), which the bundled 2015 edition has. The default (None) is the
    current version for French and Spanish and, for now, the previous shape for English: tests across the
    suite pin English row numbers (the HXL row moves Entries one row down).
    """
    lang = W.check_language(lang)
    if hashtags is None:
        hashtags = lang != "en"
    if not hashtags and lang != "en":
        raise ValueError(f"template version {PREVIOUS_TEMPLATE_VERSION} is English only")
    shape = Shape(lang, hashtags)
    vocab = load(lang)
    reg = vocab.regions.get(region)
    if reg is None:
        raise ValueError(f"unknown region {region!r}; choose one of: {', '.join(vocab.regions)}")
    if country is not None and country not in reg.countries:
        raise ValueError(f"{country!r} is not a country of {region}; choose one of: "
                         f"{', '.join(reg.countries.names)}")
    countries = [reg.countries.show(country)] if country else reg.countries.shown_names
    with_summary = country is None and reg.has_summary

    wb = Workbook()
    _instructions(wb.active, reg.show(lang), reg.countries.show(country) if country else None, with_summary,
                  shape)
    entries_ws = wb.create_sheet(L.ENTRIES)
    n_rows = _entries(entries_ws, _localised(entries, vocab, region, shape), formulas, live_checks, shape)
    summary_ws = wb.create_sheet(L.SUMMARY) if with_summary else None
    lists = _lists(wb.create_sheet(L.LISTS), countries, vocab.areas.shown_names, vocab.populations, reg.countries,
                   vocab.areas, shape)
    if summary_ws is not None:
        _summary(summary_ws, reg.show(lang), countries, vocab.areas.shown_names,
                 _localised_summary(summary, vocab, region), lists, shape)
    if live_checks:
        _entry_checks(entries_ws, n_rows, lists, country_office=country is not None, shape=shape)
    _meta(wb.create_sheet(L.META), region=region, country=country or "", revision=revision,
          office=office or (country or region), edition_year=edition_year, lang=lang,
          template_version=TEMPLATE_VERSION if hashtags else PREVIOUS_TEMPLATE_VERSION)
    _validations(entries_ws, len(countries), len(vocab.areas.names), shape, n_rows)
    # The country column fits the region's longest name (the EEA's "United Kingdom of Great Britain and
    # Northern Ireland" needs 52 characters; other regions are narrower).
    longest = max(len(n) for n in countries) + 2
    for ws in (entries_ws, summary_ws):
        if ws is not None and ws.column_dimensions["A"].width < longest:
            ws.column_dimensions["A"].width = longest
    wb.active = 1  # open on Entries
    return wb


class Shape:
    """What one template version in one language writes: its words, whether an HXL row sits under the
    headers (data then starts a row lower), and which status words the checks know (every language's, or
    only English in the previous version's shape, whose formulas the bundled edition carries)."""

    def __init__(self, lang: str, hashtags: bool):
        self.lang, self.hashtags, self.words = lang, hashtags, W.words(lang)
        self.first_row = 3 if hashtags else 2  # first Entries data row
        every = [W.words(code) for code in (W.LANGUAGES if hashtags else ("en",))]
        self.funded = tuple(dict.fromkeys(w.status_funded for w in every))  # as Entries' dropdowns write them
        # casefolded words the checks compare with: funded amounts/statuses, requirement statuses
        self.funded_words = tuple(dict.fromkeys(v.casefold() for w in every
                                                for v in (w.status_funded, *w.status_funded_more)))
        if not hashtags:  # the previous version's Summary checks knew the one word
            self.funded_words = ("funded",)

    def check(self, key: str) -> str:
        return self.words.check(key)

    def is_funded(self, expr: str) -> str:
        """A formula: is the casefolded text ``expr`` a funded word? ``OR(x="funded",x="financé",…)``."""
        return _any_of(expr, self.funded_words)


def _any_of(expr: str, values) -> str:
    tests = [f'{expr}="{v}"' for v in values]
    return tests[0] if len(tests) == 1 else f"OR({','.join(tests)})"


def _localised(entries: Iterable[Mapping], vocab, region: str, shape: Shape):
    """Pre-filled entries with canonical names and statuses written in the template's language."""
    if shape.lang == "en":
        yield from entries
        return
    reg = vocab.regions[region]
    status = {L.STATUS_REQUIREMENT: shape.words.status_requirement, L.STATUS_FUNDED: shape.words.status_funded}
    for entry in entries:
        out = dict(entry)
        if out.get("country") in reg.countries:
            out["country"] = reg.countries.show(out["country"])
        if out.get("area") in vocab.areas:
            out["area"] = vocab.areas.show(out["area"])
        if out.get("status") in status:
            out["status"] = status[out["status"]]
        yield out


def _localised_summary(summary: PublishedSummary | None, vocab, region: str) -> PublishedSummary | None:
    if summary is None or vocab.lang == "en":
        return summary
    reg = vocab.regions[region]

    def rows(items, names: NameList):
        return [PublishedRow(names.show(r.name) if r.name in names else r.name, r.value, r.percent) for r in items]

    return PublishedSummary(summary.title, rows(summary.countries, reg.countries), rows(summary.areas, vocab.areas),
                            summary.total)


def region_of(country: str) -> str:
    """The region a country office belongs to: ``region_of("Kenya")`` → ``"East and Horn of Africa"``;
    ``ValueError`` for a name that is in no region or in several (e.g. "Regional Programmes")."""
    vocab = load()
    found = [r.name for r in vocab.regions.values() if country in r.countries.names]
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(f"{country!r} is in several regions ({', '.join(found)}); give --region")
    hint = vocab.all_countries.resolve(country).suggestion
    raise ValueError(f"{country!r} is not a country of any region" + (f"; did you mean {hint!r}?" if hint else ""))


def write(wb: Workbook, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _instructions(ws, region: str, country: str | None, with_summary: bool, shape: Shape) -> None:
    text = shape.words.instructions
    ws.title = shape.words.instructions_sheet
    office = f"{country} ({region})" if country else region
    lines = [(text["title"].format(office=office), Font(bold=True, size=14)), ("", None), (text["how"], BOLD)]
    lines += [(line, None) for line in text["steps"]]
    if with_summary:
        lines += [(line, None) for line in text["summary_steps"]]
    lines += [("", None), (text["checking"], BOLD),
              (text["without_python"] + (text["without_python_summary"] if with_summary else ""), None)]
    lines += [(line, None) for line in text["tail"]]
    lines += [("", None)] + ([(text["hashtags"], None)] if shape.hashtags else []) + [(text["do_not_rename"], None)]
    width = 110
    for i, (line, font) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")  # long lines wrap on screen and on paper
        if font:
            cell.font = font
        elif len(line) > width:
            ws.row_dimensions[i].height = wrapped_height(line, width)
    ws.column_dimensions["A"].width = width
    print_setup(ws)


def _hashtag_cell(ws, row: int, column: int, tag: str | None) -> None:
    cell = ws.cell(row=row, column=column, value=tag)
    cell.font, cell.fill = HASHTAG_FONT, HASHTAG_FILL


def _entries(ws, entries: Iterable[Mapping], formulas: bool, live_checks: bool, shape: Shape) -> int:
    for i, f in enumerate(ENTRY_FIELDS, start=1):
        _header_, _aliases, width = L.ENTRY_COLUMNS[f]
        cell = ws.cell(row=1, column=i, value=shape.words.header(f))
        cell.font, cell.fill, cell.alignment = WHITE_BOLD, HEADER_FILL, HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(i)].width = width
        if shape.hashtags:
            _hashtag_cell(ws, 2, i, W.HASHTAGS[f])
    ws.row_dimensions[1].height = HEADER_HEIGHT
    # The amount format for the whole column, so a row typed below the table (LibreOffice does not extend
    # Excel tables) shows 1,200,000 like the rows above it; written cells carry it too (a cell's own style
    # wins over its column's).
    ws.column_dimensions[COL["amount"]].number_format = USD_FORMAT
    first = shape.first_row
    row = first - 1
    for row, entry in enumerate(entries, start=first):
        for i, f in enumerate(ENTRY_FIELDS, start=1):
            value = entry.get(f)
            if isinstance(value, list | tuple):
                value = "; ".join(value)
            if value is not None and value != "":
                cell = ws.cell(row=row, column=i, value=value)
                if isinstance(value, str) and value.startswith("=") and not formulas:
                    cell.data_type = "s"  # inert text: data must not become a formula
    last = max(row, first)
    for r in range(first, last + 1):
        ws[f"{COL['amount']}{r}"].number_format = USD_FORMAT
    ws.freeze_panes = f"A{first}"
    width = len(ENTRY_FIELDS) + (1 if live_checks else 0)
    if live_checks:
        cell = ws.cell(row=1, column=width, value=shape.words.check_header)
        cell.font, cell.fill, cell.alignment = WHITE_BOLD, HEADER_FILL, HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(width)].width = 34
        if shape.hashtags:
            _hashtag_cell(ws, 2, width, W.HASHTAGS["check"])
    # With the HXL row, the table starts at it (its header): sorting or filtering never moves the hashtags.
    table = Table(displayName=L.TABLE_NAME, ref=f"A{first - 1}:{get_column_letter(width)}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    # No print area here: the office types its rows below the table, and a fixed area would leave them off
    # the paper (a formula area that grows is honoured by Excel but ignored by LibreOffice). So a template
    # prints the Check formulas' rows as blank pages; the annotated copy, whose rows are known, does not
    # (:func:`print_to_last_entry`).
    print_setup(ws, title_rows=f"1:{first - 1}")
    return last - first + 1


def _entry_checks(ws, n_entries: int, lists: livecheck.Lists, country_office: bool, shape: Shape) -> None:
    """The live Check column right of the entry fields (and its hidden helper), on every pre-filled row and
    at least :data:`recon.workbook.livecheck.CHECK_ROWS` rows, so rows typed below the table are checked too."""
    check = get_column_letter(len(ENTRY_FIELDS) + 1)
    helper = get_column_letter(len(ENTRY_FIELDS) + 2)
    first = shape.first_row
    last = max(n_entries, livecheck.CHECK_ROWS) + first - 1
    for r in range(first, last + 1):
        shown, found = livecheck.entry_check(r, COL, lists, country_office, last, helper, shape.lang, first)
        ws[f"{check}{r}"] = shown
        ws[f"{helper}{r}"] = found
    ws.column_dimensions[helper].hidden = True
    rng = f"{check}{first}:{check}{last}"
    ok = shape.check("ok")
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f'AND({check}{first}<>"",{check}{first}<>"{ok}")'],
                                                   fill=RED, font=Font(bold=True)))


def _validations(ws, n_countries: int, n_areas: int, shape: Shape, n_entries: int = 0) -> None:
    """Dropdowns and validations on every pre-filled row and :data:`VALIDATED_ROWS` rows at least, so rows
    typed below the table validate as the rows above them."""
    lists = quote_sheetname(L.LISTS)
    end = max(n_entries, VALIDATED_ROWS) + shape.first_row - 1
    prompts = shape.words.prompts

    def add(col: str, dv: DataValidation) -> None:
        title, prompt, error_title, error = prompts[col]
        dv.promptTitle, dv.prompt = title, prompt
        if error_title:
            dv.errorTitle, dv.error = error_title, error
        ws.add_data_validation(dv)
        dv.add(f"{COL[col]}{shape.first_row}:{COL[col]}{end}")

    # Warning style: publications sometimes print a name differently, and it must stay enterable.
    add("country", DataValidation(
        type="list", formula1=f"{lists}!$A$2:$A${n_countries + 1}", errorStyle="warning", allow_blank=True))
    add("area", DataValidation(
        type="list", formula1=f"{lists}!$B$2:$B${n_areas + 1}", errorStyle="warning", allow_blank=True))
    add("amount", DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", errorStyle="stop", allow_blank=True))
    add("status", DataValidation(
        type="list", formula1=f'"{",".join(shape.words.statuses)}"', errorStyle="stop", allow_blank=True))
    add("populations", DataValidation(type="custom", formula1="TRUE", allow_blank=True))
    add("duplicate_ok", DataValidation(
        type="list", formula1=f'"{shape.words.yes}"', errorStyle="stop", allow_blank=True))


def _text_amount_row(name: str | None, field: str, shape: Shape | None = None) -> str:
    """A formula: the last Entries row whose amount is typed as text (``"300,000"``), for the name in ``name``
    (``$A5``) in the ``field`` column, or for any name when ``name`` is None; 0 when there is none. SUMIFS
    skips such an amount and recon reads it, so wherever it counts the two add up differently. "Funded" typed
    as an amount is not one (recon reads it as the status)."""
    shape = shape or Shape("en", False)
    e = quote_sheetname(L.ENTRIES)
    first, last = shape.first_row, VALIDATED_ROWS + shape.first_row - 1
    amt = f"{e}!${COL['amount']}${first}:${COL['amount']}${last}"
    who = f"{e}!${COL[field]}${first}:${COL[field]}${last}"
    same = f"(TRIM({who}&\"\")=TRIM({name}&\"\"))*" if name else ""
    not_funded = "".join(f'*(LOWER(TRIM({amt}&""))<>"{v}")' for v in shape.funded_words)
    return f'SUMPRODUCT(MAX({same}ISTEXT({amt})*(TRIM({amt}&"")<>""){not_funded}*ROW({amt})))'


def _text_amount_first(name: str | None, field: str, otherwise: str, shape: Shape) -> str:
    """``TEXT AMOUNT IN ENTRIES ROW 7`` when a text amount counts here (:func:`_text_amount_row`), whether or
    not the figures match in Excel, else ``otherwise``: recon reads the text amount, so an OK computed without
    it would contradict recon's COUNTRY-TABLE-SUM (issue 13: when Excel and recon differ, the workbook says
    why)."""
    row = _text_amount_row(name, field, shape)
    return f'IF({row}>0,"{shape.check("text_amount_row")}"&{row},{otherwise})'


def _mismatch_reason(name: str | None, field: str, variants: str | None = None, canonical: str | None = None,
                     shape: Shape | None = None) -> str:
    """What to show instead of a bare MISMATCH when recon would read it otherwise: a published name that is a
    variant recon resolves (``WRITE 'Cameroon'``). ``name`` is the row's name cell (``$A5``), or None for the
    total. (A text amount is named before the figures are compared: :func:`_text_amount_first`.)"""
    shape = shape or Shape("en", False)
    mismatch = f'"{shape.check("mismatch")}"'
    if not variants:
        return mismatch
    t = f"TRIM({name}&\"\")"
    write = shape.check("write")
    return (f'IF(COUNTIF({variants},{t})>0,"{write} \'"&INDEX({canonical},MATCH({t},{variants},0))&"\'",'
            f'{mismatch})')


def _summary(ws, region: str, countries: list[str], areas: list[str], summary: PublishedSummary | None,
             lists: livecheck.Lists, shape: Shape) -> None:
    w = shape.words
    ok, mismatch, missing = (f'"{shape.check(k)}"' for k in ("ok", "mismatch", "missing"))
    # The region's title as printed when pre-filled; a blank template names its region.
    region_title = (summary.title if summary else None) or region
    ws["A1"] = w.summary_title
    ws["A1"].font = Font(bold=True, size=13)
    ws["B1"] = region_title
    ws["B1"].font = Font(bold=True, size=13)
    ws["A2"] = w.summary_hint
    ws["A2"].font = Font(italic=True)
    e = quote_sheetname(L.ENTRIES)
    amount, cty, area, status = (f"{e}!${COL[f]}:${COL[f]}" for f in ("amount", "country", "area", "status"))
    # Every language's Funded (SUMIFS criteria are ANDed): a French workbook's "Funded" line is funded too.
    requirement_only = ",".join(f'{status},"<>{word}"' for word in shape.funded)
    published_funded = shape.is_funded("LOWER(TRIM(B{r}))")

    c_rows = summary.countries if summary else [_blank(n) for n in countries]
    a_rows = summary.areas if summary else [_blank(n) for n in areas]

    r = 4
    _header(ws, r, w.country_table)
    if shape.hashtags:
        r += 1
        _hashtags(ws, r, W.COUNTRY_TABLE_HASHTAGS)
    c_first = r + 1
    for r, row in enumerate(c_rows, start=c_first):
        country_reason = _mismatch_reason(f"$A{r}", "country", lists.country_variants, lists.country_canonical,
                                          shape)
        ws[f"A{r}"], ws[f"B{r}"] = row.name, row.value
        ws[f"D{r}"] = f"=SUMIFS({amount},{cty},$A{r},{requirement_only})"
        ws[f"E{r}"] = f'=IF(ISNUMBER(B{r}),B{r}-D{r},"")'
        compared = _text_amount_first(
            f"$A{r}", "country",
            f'IF(ISNUMBER(B{r}),IF(ABS(B{r}-D{r})<0.5,{ok},{country_reason}),'
            f'IF(COUNTIFS({cty},$A{r},{requirement_only})=0,{ok},{mismatch}))', shape)
        ws[f"F{r}"] = (
            f'=IF(AND(A{r}="",B{r}=""),"",IF(OR(ISNUMBER(B{r}),{published_funded.format(r=r)}),{compared},'
            f'IF(COUNTIF({cty},$A{r})>0,{missing},"")))')
        _style_row(ws, r, input_cols="AB", computed_cols="DEF")
    c_last = max(r, c_first)

    r = c_last + 2
    _header(ws, r, w.area_table)
    if shape.hashtags:
        r += 1
        _hashtags(ws, r, W.AREA_TABLE_HASHTAGS)
    a_first = r + 1
    a_last = a_first + max(len(a_rows), 1) - 1
    total_row = a_last + 2
    tot = f"$B${total_row}"
    # Locale-proof number from the printed text: swap "." for this spreadsheet's decimal separator.
    sep = "MID(1/2,2,1)"
    # A missing label matters only on a published chart: a table without any % printed published none
    # (recon: PIE-NOT-PUBLISHED, one note for the region rather than a red cell per slice).
    labelled = f'SUMPRODUCT(--(TRIM($C${a_first}:$C${a_last}&"")<>""))>0'
    table_sum = f"SUM($B${a_first}:$B${a_last})"
    see_total, no_label, not_a_number = (f'"{shape.check(k)}"' for k in ("see_total", "no_label", "not_a_number"))
    for r, row in enumerate(a_rows, start=a_first):
        ws[f"A{r}"], ws[f"B{r}"] = row.name, row.value
        ws[f"C{r}"] = row.percent
        ws[f"C{r}"].number_format = "@"
        ws[f"D{r}"] = f"=SUMIFS({amount},{area},$A{r},{requirement_only})"
        ws[f"E{r}"] = f'=IF(ISNUMBER(B{r}),B{r}-D{r},"")'
        area_reason = _mismatch_reason(f"$A{r}", "area", lists.area_variants, lists.area_canonical, shape)
        compared = _text_amount_first(f"$A{r}", "area", f'IF(ABS(B{r}-D{r})<0.5,{ok},{area_reason})', shape)
        ws[f"F{r}"] = (f'=IF(AND(A{r}="",B{r}=""),"",IF(ISNUMBER(B{r}),{compared},'
                       f'IF(COUNTIF({area},$A{r})>0,{missing},"")))')
        ws[f"I{r}"] = pie_label_formula(f"C{r}", sep)
        label = f"I{r}"
        decimals = f'IF(ISNUMBER(FIND(".",{label})),LEN({label})-FIND(".",{label}),0)'
        ws[f"G{r}"] = (f'=IF(AND(ISNUMBER(B{r}),ISNUMBER({tot}),{tot}<>0),'
                       f'ROUND(B{r}/{tot}*100,{decimals}),"")')
        printed = f'VALUE(SUBSTITUTE({label},".",{sep}))'
        # The total is off but the label matches the area table's own sum: the total is the cell to fix
        # (recon: PIE-SLICE-FOLLOWS-TABLE, an info pointing at the total).
        own = (f'AND(ABS({tot}-{table_sum})>=0.5,{table_sum}<>0,'
               f'ABS({printed}-ROUND(B{r}/{table_sum}*100,{decimals}))<0.000001)')
        ws[f"H{r}"] = (f'=IF(A{r}="","",IF(C{r}&""="",IF(AND(ISNUMBER(B{r}),N(B{r})>0,{labelled}),{no_label},""),'
                       f'IF(ISERROR({printed}),{not_a_number},IF(G{r}="","",'
                       f'IF(ABS({printed}-G{r})<0.000001,{ok},IF({own},{see_total},{mismatch}))))))')
        ws[f"I{r}"].number_format = "@"
        _style_row(ws, r, input_cols="ABC", computed_cols="DEFGHI")

    r = total_row
    ws[f"A{r}"] = w.total
    ws[f"A{r}"].font = BOLD
    ws[f"B{r}"] = summary.total if summary else None
    ws[f"D{r}"] = f"=SUMIFS({amount},{requirement_only})"
    ws[f"E{r}"] = f'=IF(ISNUMBER(B{r}),B{r}-D{r},"")'
    ws[f"F{r}"] = (f'=IF(ISNUMBER(B{r}),'
                   f'{_text_amount_first(None, "country", f"IF(ABS(B{r}-D{r})<0.5,{ok},{mismatch})", shape)},'
                   f'{missing})')
    _style_row(ws, r, input_cols="AB", computed_cols="DEF")
    row_missing = f'"{shape.check("row_missing")}"'
    for offset, (label, first, last) in enumerate(
            ((w.country_table_sum, c_first, c_last), (w.area_table_sum, a_first, a_last)), start=1):
        rr = r + offset
        ws[f"A{rr}"] = label
        ws[f"D{rr}"] = f"=SUM(B{first}:B{last})"
        ws[f"E{rr}"] = f'=IF(ISNUMBER(B{r}),B{r}-D{rr},"")'
        # The table adds up to the entries and only the total is off: the total is the cell to fix (recon:
        # TOTAL-*-TABLE-EXPLAINED, info; TOTAL-ENTRIES on the total row says it).
        # ... or the gap is exactly the entries of names without a row in the table (recon: *-NOT-IN-TABLE).
        unlisted = f"(D{r}-SUM(D{first}:D{last}))"
        # Both sides here are published figures, so a text amount cannot make them differ; but SEE TOTAL and
        # ROW MISSING are told from the entries' sum, which skips it: named first, as on the total row.
        explained = (f'IF(ABS(D{rr}-D{r})<0.5,{see_total},'
                     f'IF(AND({unlisted}>=0.5,ABS(B{r}-D{rr}-{unlisted})<0.5),{row_missing},{mismatch}))')
        ws[f"F{rr}"] = (f'=IF(ISNUMBER(B{r}),IF(ABS(B{r}-D{rr})<0.5,{ok},'
                        f'{_text_amount_first(None, "country", explained, shape)}),"")')
        _style_row(ws, rr, input_cols="", computed_cols="DEF")

    # Green OK / red otherwise on the check cells only: never on a header (or HXL) row between the tables.
    for col, first, last in (("F", c_first, c_last), ("F", a_first, a_last), ("F", total_row, total_row + 2),
                             ("H", a_first, a_last)):
        rng = f"{col}{first}:{col}{last}"
        ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=[ok], fill=GREEN))
        ws.conditional_formatting.add(
            rng, FormulaRule(formula=[f'AND({col}{first}<>"",{col}{first}<>{ok})'], fill=RED, font=Font(bold=True)))
    for col, width in zip("ABCDEFGHI", SUMMARY_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A6" if shape.hashtags else "A4"
    print_setup(ws)

    add_pie_chart(ws, a_first - 1, a_last, w.chart_title)
    ws["J3"] = w.chart_note
    ws["J3"].font = Font(italic=True)


# Summary columns A–I, characters: names up to "The former Yugoslav Republic of Macedonia"; headers wrap on two
# lines ("Computed from / Entries", "Pie % as / read"); the Check column takes "WRITE 'Central African Republic'"
# and "TEXT AMOUNT IN ENTRIES ROW 123", the Pie check "NOT A NUMBER".
SUMMARY_WIDTHS = (44, 16, 12, 16, 14, 34, 12, 14, 10)


def wrapped_height(text: str, width: float, line_pt: float = 15) -> float:
    """Row height in points for ``text`` wrapped in a column ``width`` characters wide: neither LibreOffice nor
    Excel re-measures a row openpyxl wrote, so without it wrapped lines overlap the next row.
    ``wrapped_height("x" * 250, 110)`` → 45 (three lines of 121)."""
    per_line = max(width * 1.1, 1)  # text averages narrower than the "0" a width counts, less whole words
    lines = sum(max(1, -(-len(part) // int(per_line))) for part in str(text).split("\n"))
    return lines * line_pt


def print_setup(ws, title_rows: str | None = None) -> None:
    """Print (and PDF) setup: A4 landscape, one page wide however many tall, ``title_rows`` (``"1:1"``)
    repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def print_to_last_entry(ws) -> None:
    """Print ``ws`` (Entries) from A1 to its last row holding typed data (``A1:I42``), across the Entries
    table's columns: the Check formulas reach hundreds of rows further, and LibreOffice and Excel print every
    row holding a formula, so a short sheet came out with blank pages after its last line. Formula cells do
    not count; nor do rows typed far to the right of the table."""
    last = max((c.row for row in ws.iter_rows() for c in row if c.value not in (None, "") and c.data_type != "f"),
               default=1)
    table = ws.tables.get(L.TABLE_NAME)
    end = table.ref.split(":")[1] if table is not None else get_column_letter(ws.max_column)
    ws.print_area = f"A1:{''.join(ch for ch in end if ch.isalpha())}{last}"


def _hashtags(ws, row: int, tags) -> None:
    for i, tag in enumerate(tags, start=1):
        _hashtag_cell(ws, row, i, tag)


PIE_CHART_ANCHOR = "J4"


def add_pie_chart(ws, header_row: int, last_row: int, title: str | None = None) -> None:
    """The Summary's pie chart of the published area table: names in A, USD in B, rows below
    ``header_row`` (e.g. 15) to ``last_row`` (e.g. 21); ``title`` in the workbook's language (English by
    default). :mod:`recon.workbook.annotate` rebuilds it with this when openpyxl could not read the chart back."""
    chart = PieChart()
    chart.title = title or W.words("en").chart_title
    chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    # Percent labels only: left unset, LibreOffice also shows series, category and value on every slice.
    chart.dataLabels = DataLabelList(showPercent=True, showVal=False, showCatName=False, showSerName=False,
                                     showLegendKey=False, showLeaderLines=False)
    chart.legend = Legend(legendPos="r")  # the area names, beside the pie
    chart.height, chart.width = 10, 20
    ws.add_chart(chart, PIE_CHART_ANCHOR)


def pie_label_formula(cell: str, sep: str) -> str:
    """The pie label in ``cell`` as printed, as text with a ``.`` decimal mark — what recon reads
    (:func:`recon.workbook.percent.percent_label`): ``11.9``, ``"11.9"``, ``"11.9%"``, ``"11,9"`` and ``0.119`` shown as
    ``11.9 %`` all give ``"11.9"``. CELL("format") is ``P1`` for a one-decimal percentage in Excel and
    LibreOffice; ``sep`` is a formula giving this spreadsheet's decimal separator."""
    fmt = f'CELL("format",{cell})'
    as_percent = f'SUBSTITUTE(FIXED({cell}*100,VALUE(MID({fmt},2,2)),TRUE),{sep},".")'
    as_number = f'SUBSTITUTE({cell}&"",{sep},".")'
    as_text = (f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(TRIM({cell}),"%",""),_xlfn.UNICHAR(160),"")," ",""),'
               f'",",".")')
    return (f'=IF(TRIM({cell}&"")="","",IF(ISNUMBER({cell}),IF(LEFT({fmt},1)="P",{as_percent},{as_number}),'
            f'{as_text}))')


def _blank(name: str) -> PublishedRow:
    return PublishedRow(name, None, None)


def _header(ws, row: int, labels) -> None:
    for i, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=i, value=label or None)
        cell.font, cell.fill, cell.alignment = WHITE_BOLD, HEADER_FILL, HEADER_ALIGNMENT
    ws.row_dimensions[row].height = HEADER_HEIGHT


def _style_row(ws, r: int, input_cols: str, computed_cols: str = "") -> None:
    for col in "BDE":
        ws[f"{col}{r}"].number_format = USD_FORMAT
    for col in input_cols:
        ws[f"{col}{r}"].fill = INPUT_FILL
    for col in computed_cols:
        ws[f"{col}{r}"].fill = COMPUTED_FILL


def _lists(ws, countries: list[str], areas: list[str], populations: list[str], region_countries=None,
           area_names=None, shape: Shape | None = None) -> livecheck.Lists:
    """The hidden lists: dropdown sources (A–D) and what the live checks compare names with (E–I: the
    region's countries, and the other ways of writing a name recon knows with the name to write — printed
    variants and, from this version on, the names in the other languages)."""
    shape = shape or Shape("en", False)
    ws.sheet_state = "hidden"
    region_countries = region_countries or NameList(countries)
    area_names = area_names or NameList(areas)
    country_as = region_countries.write_as() if shape.hashtags else dict(region_countries.variants)
    area_as = area_names.write_as() if shape.hashtags else dict(area_names.variants)
    titles = shape.words.lists
    values = [countries, areas, list(shape.words.statuses), populations, region_countries.accepted_names,
              list(country_as), list(country_as.values()), list(area_as), list(area_as.values())]
    if shape.hashtags:  # the areas a check accepts as written: this language's and the canonical ones
        values.append(area_names.accepted_names)
    else:
        titles = titles[:len(values)]
    refs = []
    for col, (title, column) in enumerate(zip(titles, values, strict=True), start=1):
        ws.cell(row=1, column=col, value=title).font = BOLD
        for r, v in enumerate(column, start=2):
            ws.cell(row=r, column=col, value=v)
        letter = get_column_letter(col)
        refs.append(f"{quote_sheetname(L.LISTS)}!${letter}$2:${letter}${max(len(column), 1) + 1}")
    return livecheck.Lists(countries=refs[4], country_variants=refs[5], country_canonical=refs[6], areas=refs[-1]
                           if shape.hashtags else refs[1],
                           area_variants=refs[7], area_canonical=refs[8])


def _meta(ws, **values) -> None:
    ws.sheet_state = "hidden"
    values = {"template_version": TEMPLATE_VERSION, L.META_LANGUAGE: "en", **values,
              "created_by": f"recon {__version__} on {dt.date.today().isoformat()}"}
    ws["A1"], ws["B1"] = "key", "value"
    for r, key in enumerate(L.META_KEYS, start=2):
        ws.cell(row=r, column=1, value=key)
        ws.cell(row=r, column=2, value=values.get(key, ""))


