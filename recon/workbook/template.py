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

from recon import TEMPLATE_VERSION, __version__
from recon.appeal.published import PublishedRow, PublishedSummary
from recon.appeal.vocabulary import NameList, load
from recon.workbook import layout as L
from recon.workbook import livecheck

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

ENTRY_FIELDS = tuple(L.ENTRY_COLUMNS)
COL = {f: get_column_letter(i + 1) for i, f in enumerate(ENTRY_FIELDS)}  # field → column letter


def build(region: str, country: str | None = None, *, entries: Iterable[Mapping] = (),
          summary: PublishedSummary | None = None, revision: int = 1, office: str | None = None,
          edition_year: int = 2015, formulas: bool = False, live_checks: bool = True) -> Workbook:
    """A template workbook for ``region`` (raises ``ValueError`` for an unknown region or country).

    Pre-filled text that starts with ``=`` is stored as text, never as a formula, unless ``formulas=True``
    (test fixtures use that to build workbooks with formulas in them). ``live_checks=False`` leaves out the
    Entries sheet's Check column (:mod:`recon.workbook.livecheck`; the benchmark's synthetic workbooks do without).
    """
    vocab = load()
    reg = vocab.regions.get(region)
    if reg is None:
        raise ValueError(f"unknown region {region!r}; choose one of: {', '.join(vocab.regions)}")
    if country is not None and country not in reg.countries:
        raise ValueError(f"{country!r} is not a country of {region}; choose one of: "
                         f"{', '.join(reg.countries.names)}")
    countries = [country] if country else reg.countries.names
    with_summary = country is None and reg.has_summary

    wb = Workbook()
    _instructions(wb.active, region, country, with_summary)
    entries_ws = wb.create_sheet(L.ENTRIES)
    n_rows = _entries(entries_ws, entries, formulas, live_checks)
    summary_ws = wb.create_sheet(L.SUMMARY) if with_summary else None
    lists = _lists(wb.create_sheet(L.LISTS), countries, vocab.areas.names, vocab.populations, reg.countries,
                   vocab.areas)
    if summary_ws is not None:
        _summary(summary_ws, region, countries, vocab.areas.names, summary, lists)
    if live_checks:
        _entry_checks(entries_ws, n_rows, lists, country_office=country is not None)
    _meta(wb.create_sheet(L.META), region=region, country=country or "", revision=revision,
          office=office or (country or region), edition_year=edition_year)
    _validations(entries_ws, len(countries), len(vocab.areas.names), n_rows)
    # The country column fits the region's longest name (the EEA's "United Kingdom of Great Britain and
    # Northern Ireland" needs 52 characters; other regions are narrower).
    longest = max(len(n) for n in countries) + 2
    for ws in (entries_ws, summary_ws):
        if ws is not None and ws.column_dimensions["A"].width < longest:
            ws.column_dimensions["A"].width = longest
    wb.active = 1  # open on Entries
    return wb


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


def _instructions(ws, region: str, country: str | None, with_summary: bool) -> None:
    ws.title = L.INSTRUCTIONS
    office = f"{country} ({region})" if country else region
    lines = [
        (f"Migration Initiatives — funding requirements: {office}", Font(bold=True, size=14)),
        ("", None),
        ("How to fill this workbook", BOLD),
        ("1. Sheet 'Entries': one row per country and programmatic area.", None),
        ("2. Country and Programmatic area: pick from the dropdown. A name printed differently in your "
         "publication may be typed as printed; Excel warns, recon reports it with the canonical name.", None),
        ("3. Funding requirement (USD): a whole number, no currency sign, e.g. 1200000.", None),
        ("4. Status: 'Requirement' when the line needs funding; 'Funded' when it is already fully funded. "
         "A Funded line has NO amount.", None),
        ("5. Target populations: the categories, separated by semicolons.", None),
        ("6. Source: where the figure comes from (document, page or line). Notes: anything a reviewer should "
         "know, e.g. how a figure was settled.", None),
        ("7. Intentional duplicate: 'Yes' only when a country really has two separate lines for one area.",
         None),
    ]
    if with_summary:
        lines += [
            ("8. Sheet 'Summary': type what your region publishes — the country table, the programmatic-area "
             "table with the pie-chart percentages exactly as printed (e.g. 9, 2.8 or 10.68), and the total.",
             None),
            ("   Grey columns recompute each figure from Entries. 'Check' turns red when they disagree.", None),
        ]
    lines += [
        ("", None),
        ("Checking", BOLD),
        ("• Without Python: watch the 'Check' column at the right of 'Entries': each row says what recon will "
         "report about it (e.g. TEXT AMOUNT, NO AMOUNT, WRITE 'Cameroon', DUPLICATE), or OK."
         + (" On 'Summary', the Check columns compare your published figures with the entries." if with_summary
            else ""), None),
        ("• With recon installed (pip install 'recon[excel]'), the 'Check this workbook' macro runs every "
         "rule and writes a 'Findings' sheet; offending cells are coloured. See README › Checking inside "
         "Excel.", None),
        ("  To add the button: install the xlwings add-in (xlwings addin install), save this workbook as .xlsm "
         "and assign a button to a macro containing RunPython \"import recon.excel; recon.excel.main()\". "
         "Checking again clears the previous marks first.", None),
        ("• No Python? HQ runs recon check FILE.xlsx --annotate OUT.xlsx and sends you the copy: the same "
         "Findings sheet, with the offending cells coloured and commented (your file is not changed).", None),
        ("• HQ: recon check FILE.xlsx", None),
        ("", None),
        ("Do not rename sheets or headers; hidden sheets '_meta' and '_lists' drive the dropdowns.", None),
    ]
    width = 110
    for i, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")  # long lines wrap on screen and on paper
        if font:
            cell.font = font
        elif len(text) > width:
            ws.row_dimensions[i].height = wrapped_height(text, width)
    ws.column_dimensions["A"].width = width
    print_setup(ws)


def _entries(ws, entries: Iterable[Mapping], formulas: bool = False, live_checks: bool = True) -> int:
    for i, f in enumerate(ENTRY_FIELDS, start=1):
        header, _aliases, width = L.ENTRY_COLUMNS[f]
        cell = ws.cell(row=1, column=i, value=header)
        cell.font, cell.fill, cell.alignment = WHITE_BOLD, HEADER_FILL, HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = HEADER_HEIGHT
    # The amount format for the whole column, so a row typed below the table (LibreOffice does not extend
    # Excel tables) shows 1,200,000 like the rows above it; written cells carry it too (a cell's own style
    # wins over its column's).
    ws.column_dimensions[COL["amount"]].number_format = USD_FORMAT
    row = 1
    for row, entry in enumerate(entries, start=2):
        for i, f in enumerate(ENTRY_FIELDS, start=1):
            value = entry.get(f)
            if isinstance(value, list | tuple):
                value = "; ".join(value)
            if value is not None and value != "":
                cell = ws.cell(row=row, column=i, value=value)
                if isinstance(value, str) and value.startswith("=") and not formulas:
                    cell.data_type = "s"  # inert text: data must not become a formula
    last = max(row, 2)
    for r in range(2, last + 1):
        ws[f"{COL['amount']}{r}"].number_format = USD_FORMAT
    ws.freeze_panes = "A2"
    width = len(ENTRY_FIELDS) + (1 if live_checks else 0)
    if live_checks:
        cell = ws.cell(row=1, column=width, value=livecheck.CHECK_HEADER)
        cell.font, cell.fill, cell.alignment = WHITE_BOLD, HEADER_FILL, HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(width)].width = 34
    table = Table(displayName=L.TABLE_NAME, ref=f"A1:{get_column_letter(width)}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    print_setup(ws, title_rows="1:1")
    return last - 1


def _entry_checks(ws, n_entries: int, lists: livecheck.Lists, country_office: bool) -> None:
    """The live Check column right of the entry fields (and its hidden helper), on every pre-filled row and
    at least :data:`recon.workbook.livecheck.CHECK_ROWS` rows, so rows typed below the table are checked too."""
    check = get_column_letter(len(ENTRY_FIELDS) + 1)
    helper = get_column_letter(len(ENTRY_FIELDS) + 2)
    last = max(n_entries, livecheck.CHECK_ROWS) + 1
    for r in range(2, last + 1):
        shown, found = livecheck.entry_check(r, COL, lists, country_office, last, helper)
        ws[f"{check}{r}"] = shown
        ws[f"{helper}{r}"] = found
    ws.column_dimensions[helper].hidden = True
    rng = f"{check}2:{check}{last}"
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f'AND({check}2<>"",{check}2<>"OK")'], fill=RED,
                                                   font=Font(bold=True)))


def _validations(ws, n_countries: int, n_areas: int, n_entries: int = 0) -> None:
    """Dropdowns and validations on every pre-filled row and :data:`VALIDATED_ROWS` rows at least, so rows
    typed below the table validate as the rows above them."""
    lists = quote_sheetname(L.LISTS)
    end = max(n_entries, VALIDATED_ROWS) + 1

    def add(col: str, dv: DataValidation) -> None:
        ws.add_data_validation(dv)
        dv.add(f"{COL[col]}2:{COL[col]}{end}")

    # Warning style: publications sometimes print a name differently, and it must stay enterable.
    add("country", DataValidation(
        type="list", formula1=f"{lists}!$A$2:$A${n_countries + 1}", errorStyle="warning", allow_blank=True,
        promptTitle="Country", prompt="Pick the country (or Regional Programmes).",
        errorTitle="Not in the country list", error="recon will report this name. Keep it only if it is "
        "printed this way."))
    add("area", DataValidation(
        type="list", formula1=f"{lists}!$B$2:$B${n_areas + 1}", errorStyle="warning", allow_blank=True,
        promptTitle="Programmatic area", prompt="Pick one of the seven programmatic areas.",
        errorTitle="Not a programmatic area", error="recon will report this area name."))
    add("amount", DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", errorStyle="stop", allow_blank=True,
        promptTitle="USD", prompt="Whole US dollars, e.g. 1200000. Leave empty when Status is Funded.",
        errorTitle="Whole USD amount", error="Type a whole number ≥ 0 without text. For a funded line, "
        "leave this empty and set Status to Funded."))
    add("status", DataValidation(
        type="list", formula1=f'"{",".join(L.STATUSES)}"', errorStyle="stop", allow_blank=True,
        promptTitle="Status", prompt="Requirement: needs funding (enter the amount). Funded: already fully "
        "funded (no amount)."))
    add("populations", DataValidation(
        type="custom", formula1="TRUE", allow_blank=True, promptTitle="Target populations",
        prompt="Separate with semicolons, e.g. Governments and regional bodies; Local NGOs and CSOs"))
    add("duplicate_ok", DataValidation(
        type="list", formula1=f'"{L.YES}"', errorStyle="stop", allow_blank=True,
        promptTitle="Intentional duplicate", prompt="Yes = a second, separate line for the same country and "
        "area."))


def _mismatch_reason(name: str, field: str, variants: str | None = None, canonical: str | None = None) -> str:
    """What to show instead of a bare MISMATCH when recon would read it otherwise (issue 13: when Excel and
    recon differ, the workbook says why): an amount typed as text in Entries, which SUMIFS skips and recon
    reads (``TEXT AMOUNT IN ENTRIES ROW 7``), or a published name that is a variant recon resolves
    (``WRITE 'Cameroon'``). ``name`` is the row's name cell (``$A5``), or None for the total (any row)."""
    e = quote_sheetname(L.ENTRIES)
    amt = f"{e}!${COL['amount']}$2:${COL['amount']}${VALIDATED_ROWS + 1}"
    who = f"{e}!${COL[field]}$2:${COL[field]}${VALIDATED_ROWS + 1}"
    same = f"(TRIM({who}&\"\")=TRIM({name}&\"\"))*" if name else ""
    text_row = (f'SUMPRODUCT(MAX({same}ISTEXT({amt})*(TRIM({amt}&"")<>"")*(LOWER(TRIM({amt}&""))<>"funded")'
                f'*ROW({amt})))')
    otherwise = '"MISMATCH"'
    if variants:
        t = f"TRIM({name}&\"\")"
        otherwise = (f'IF(COUNTIF({variants},{t})>0,"WRITE \'"&INDEX({canonical},MATCH({t},{variants},0))&"\'",'
                     f'"MISMATCH")')
    return f'IF({text_row}>0,"TEXT AMOUNT IN ENTRIES ROW "&{text_row},{otherwise})'


def _summary(ws, region: str, countries: list[str], areas: list[str], summary: PublishedSummary | None,
             lists: livecheck.Lists) -> None:
    # The region's title as printed when pre-filled; a blank template names its region.
    region_title = (summary.title if summary else None) or region
    ws["A1"] = "Funding requirements for"
    ws["A1"].font = Font(bold=True, size=13)
    ws["B1"] = region_title
    ws["B1"].font = Font(bold=True, size=13)
    ws["A2"] = ("Type published figures in the yellow cells exactly as printed; grey cells are computed "
                "from Entries.")
    ws["A2"].font = Font(italic=True)
    e = quote_sheetname(L.ENTRIES)
    amount, cty, area, status = (f"{e}!${COL[f]}:${COL[f]}" for f in ("amount", "country", "area", "status"))
    requirement_only = f'{status},"<>{L.STATUS_FUNDED}"'

    c_rows = summary.countries if summary else [_blank(n) for n in countries]
    a_rows = summary.areas if summary else [_blank(n) for n in areas]

    r = 4
    _header(ws, r, L.COUNTRY_TABLE_HEADERS)
    c_first = r + 1
    for r, row in enumerate(c_rows, start=c_first):
        country_reason = _mismatch_reason(f"$A{r}", "country", lists.country_variants, lists.country_canonical)
        ws[f"A{r}"], ws[f"B{r}"] = row.name, row.value
        ws[f"D{r}"] = f"=SUMIFS({amount},{cty},$A{r},{requirement_only})"
        ws[f"E{r}"] = f'=IF(ISNUMBER(B{r}),B{r}-D{r},"")'
        ws[f"F{r}"] = (
            f'=IF(AND(A{r}="",B{r}=""),"",IF(ISNUMBER(B{r}),IF(ABS(B{r}-D{r})<0.5,"OK",{country_reason}),'
            f'IF(LOWER(TRIM(B{r}))="funded",IF(COUNTIFS({cty},$A{r},{requirement_only})=0,"OK","MISMATCH"),'
            f'IF(COUNTIF({cty},$A{r})>0,"MISSING",""))))')
        _style_row(ws, r, input_cols="AB", computed_cols="DEF")
    c_last = max(r, c_first)

    r = c_last + 2
    _header(ws, r, L.AREA_TABLE_HEADERS)
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
    for r, row in enumerate(a_rows, start=a_first):
        ws[f"A{r}"], ws[f"B{r}"] = row.name, row.value
        ws[f"C{r}"] = row.percent
        ws[f"C{r}"].number_format = "@"
        ws[f"D{r}"] = f"=SUMIFS({amount},{area},$A{r},{requirement_only})"
        ws[f"E{r}"] = f'=IF(ISNUMBER(B{r}),B{r}-D{r},"")'
        area_reason = _mismatch_reason(f"$A{r}", "area", lists.area_variants, lists.area_canonical)
        ws[f"F{r}"] = (f'=IF(AND(A{r}="",B{r}=""),"",IF(ISNUMBER(B{r}),IF(ABS(B{r}-D{r})<0.5,"OK",'
                       f'{area_reason}),IF(COUNTIF({area},$A{r})>0,"MISSING","")))')
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
        ws[f"H{r}"] = (f'=IF(A{r}="","",IF(C{r}&""="",IF(AND(ISNUMBER(B{r}),N(B{r})>0,{labelled}),"NO LABEL",""),'
                       f'IF(ISERROR({printed}),"NOT A NUMBER",IF(G{r}="","",'
                       f'IF(ABS({printed}-G{r})<0.000001,"OK",IF({own},"SEE TOTAL","MISMATCH"))))))')
        ws[f"I{r}"].number_format = "@"
        _style_row(ws, r, input_cols="ABC", computed_cols="DEFGHI")

    r = total_row
    ws[f"A{r}"] = L.TOTAL_LABEL
    ws[f"A{r}"].font = BOLD
    ws[f"B{r}"] = summary.total if summary else None
    ws[f"D{r}"] = f"=SUMIFS({amount},{requirement_only})"
    ws[f"E{r}"] = f'=IF(ISNUMBER(B{r}),B{r}-D{r},"")'
    ws[f"F{r}"] = f'=IF(ISNUMBER(B{r}),IF(ABS(B{r}-D{r})<0.5,"OK",{_mismatch_reason(None, "country")}),"MISSING")'
    _style_row(ws, r, input_cols="AB", computed_cols="DEF")
    for offset, (label, first, last) in enumerate(
            (("Sum of the country table", c_first, c_last), ("Sum of the area table", a_first, a_last)),
            start=1):
        rr = r + offset
        ws[f"A{rr}"] = label
        ws[f"D{rr}"] = f"=SUM(B{first}:B{last})"
        ws[f"E{rr}"] = f'=IF(ISNUMBER(B{r}),B{r}-D{rr},"")'
        # The table adds up to the entries and only the total is off: the total is the cell to fix (recon:
        # TOTAL-*-TABLE-EXPLAINED, info; TOTAL-ENTRIES on the total row says it).
        # ... or the gap is exactly the entries of names without a row in the table (recon: *-NOT-IN-TABLE).
        unlisted = f"(D{r}-SUM(D{first}:D{last}))"
        ws[f"F{rr}"] = (f'=IF(ISNUMBER(B{r}),IF(ABS(B{r}-D{rr})<0.5,"OK",IF(ABS(D{rr}-D{r})<0.5,"SEE TOTAL",'
                        f'IF(AND({unlisted}>=0.5,ABS(B{r}-D{rr}-{unlisted})<0.5),"ROW MISSING","MISMATCH"))),"")')
        _style_row(ws, rr, input_cols="", computed_cols="DEF")

    # Green OK / red otherwise on the check cells only: never on a header row between the tables.
    for col, first, last in (("F", c_first, c_last), ("F", a_first, a_last), ("F", total_row, total_row + 2),
                             ("H", a_first, a_last)):
        rng = f"{col}{first}:{col}{last}"
        ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=['"OK"'], fill=GREEN))
        ws.conditional_formatting.add(
            rng, FormulaRule(formula=[f'AND({col}{first}<>"",{col}{first}<>"OK")'], fill=RED, font=Font(bold=True)))
    for col, width in zip("ABCDEFGHI", SUMMARY_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    print_setup(ws)

    add_pie_chart(ws, a_first - 1, a_last)
    ws["J3"] = "Pie chart of the published area table (Excel computes its own %; compare with column C)"
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


PIE_CHART_ANCHOR = "J4"


def add_pie_chart(ws, header_row: int, last_row: int) -> None:
    """The Summary's pie chart of the published area table: names in A, USD in B, rows below
    ``header_row`` (e.g. 15) to ``last_row`` (e.g. 21). :mod:`recon.workbook.annotate` rebuilds it with this when
    openpyxl could not read the chart back."""
    chart = PieChart()
    chart.title = "Funding requirement by programmatic area (published USD)"
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
           area_names=None) -> livecheck.Lists:
    """The hidden lists: dropdown sources (A–D) and what the live checks compare names with (E–I: the
    region's countries, and the printed variants recon knows with their canonical names)."""
    ws.sheet_state = "hidden"
    region_countries = region_countries or NameList(countries)
    area_names = area_names or NameList(areas)
    columns = (("Countries", countries), ("Programmatic areas", areas), ("Statuses", list(L.STATUSES)),
               ("Target populations", populations), ("Countries of the region", region_countries.names),
               ("Country as printed", list(region_countries.variants)),
               ("Canonical country", list(region_countries.variants.values())),
               ("Area as printed", list(area_names.variants)), ("Canonical area", list(area_names.variants.values())))
    refs = []
    for col, (title, values) in enumerate(columns, start=1):
        ws.cell(row=1, column=col, value=title).font = BOLD
        for r, v in enumerate(values, start=2):
            ws.cell(row=r, column=col, value=v)
        letter = get_column_letter(col)
        refs.append(f"{quote_sheetname(L.LISTS)}!${letter}$2:${letter}${max(len(values), 1) + 1}")
    return livecheck.Lists(countries=refs[4], country_variants=refs[5], country_canonical=refs[6], areas=refs[1],
                           area_variants=refs[7], area_canonical=refs[8])


def _meta(ws, **values) -> None:
    ws.sheet_state = "hidden"
    values = {"template_version": TEMPLATE_VERSION, **values,
              "created_by": f"recon {__version__} on {dt.date.today().isoformat()}"}
    ws["A1"], ws["B1"] = "key", "value"
    for r, key in enumerate(L.META_KEYS, start=2):
        ws.cell(row=r, column=1, value=key)
        ws.cell(row=r, column=2, value=values.get(key, ""))


