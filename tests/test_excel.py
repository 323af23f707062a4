"""The check inside Excel, driven through real xlwings in server mode: ``xlwings.Book(json=...)``.

The payload is what xlwings' VBA client sends (every sheet's values from A1); the check's answer is the list
of actions Excel would apply (``book.json()``). ``apply`` plays those actions onto the payload — values and
fills only — so that a second check sees the workbook the first one left, as it would in Excel.

xlwings' server mode needs a licence key; ``noncommercial`` is xlwings PRO's PolyForm Noncommercial licence
(see README › Checking inside Excel). It must be set before xlwings is imported.
"""

import copy
import os

os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"

import fixtures as fx  # noqa: E402
import pytest  # noqa: E402
import python_calamine as pc  # noqa: E402
import xlwings as xw  # noqa: E402

from recon import excel, pipeline
from recon.appeal.finding import flatten  # noqa: E402
from recon.workbook import annotate
from recon.workbook import layout as L

RED, AMBER = annotate.FILLS["error"], annotate.FILLS["warning"]
YELLOW = annotate.INPUT_FILL
FORMATTING = {"setFontProperty", "setColumnWidth", "activateSheet"}  # no effect on values or fills


def payload(path, name=None) -> dict:
    """What xlwings' VBA client sends for ``path``: every sheet's values from A1, empty cells as None."""
    wb = pc.CalamineWorkbook.from_path(str(path))
    sheets = [{"name": s, "values": [[None if v == "" else v for v in row]
                                     for row in wb.get_sheet_by_name(s).to_python(skip_empty_area=False)]
               or [[]], "pictures": [], "tables": []} for s in wb.sheet_names]
    return {"client": "VBA", "version": xw.__version__, "names": [], "sheets": sheets,
            "book": {"name": name or path.name, "active_sheet_index": 1, "selection": "A1"}}


def apply(state: dict, actions: list[dict]) -> dict:
    """Excel's side: the payload and fills {(sheet, "C12"): "#FFC7CE"} after ``actions``."""
    state = copy.deepcopy(state)
    sheets, fills = state["payload"]["sheets"], state["fills"]
    for a in actions:
        func = a["func"]
        if func == "addSheet":
            sheets.insert(a["args"][0], {"name": a["args"][1], "values": [[]], "pictures": [], "tables": []})
            continue
        if func in FORMATTING:
            continue
        sheet = sheets[a["sheet_position"]]
        if func == "sheetClear":
            sheet["values"] = [[]]
            for key in [k for k in fills if k[0] == sheet["name"]]:
                del fills[key]
        elif func == "setValues":
            grid = sheet["values"]
            for i, row in enumerate(a["values"]):
                for j, value in enumerate(row):
                    r, c = a["start_row"] + i, a["start_column"] + j
                    while len(grid) <= r:
                        grid.append([])
                    grid[r] += [None] * (c + 1 - len(grid[r]))
                    grid[r][c] = value
            width = max(map(len, grid))
            for row in grid:
                row += [None] * (width - len(row))
        elif func == "setRangeColor":
            for i in range(a["row_count"]):
                for j in range(a["column_count"]):
                    cell = f"{chr(65 + a['start_column'] + j)}{a['start_row'] + i + 1}"
                    fills[(sheet["name"], cell)] = a["args"][0]
        else:
            raise AssertionError(f"the check sent an action this test does not model: {func}")
    return state


def run(state: dict) -> tuple[excel.BookCheck, dict]:
    book = xw.Book(json=copy.deepcopy(state["payload"]))
    check = excel.check_book(book)
    return check, apply(state, book.json()["actions"])


def findings_sheet(state: dict) -> list[list]:
    sheet = next(s for s in state["payload"]["sheets"] if s["name"] == L.FINDINGS)
    return [row for row in sheet["values"] if any(v is not None for v in row)]


def marked(state: dict) -> dict:
    """Workbook cells coloured with a severity fill (base fills restored by a later check are not marks)."""
    return {k: v for k, v in state["fills"].items() if v in annotate.FILLS.values() and k[0] != L.FINDINGS}


@pytest.fixture
def with_errors(tmp_path):
    """Burundi's entry typed 2,000,500 (tables say 2,000,000), a negative duplicate line for Kenya,
    and Migrant Assistance printed as 14.9 % (14.3 %)."""
    entries = fx.entries()
    entries[2]["amount"] = 2_000_500
    entries.append({"country": "Kenya", "area": "Migration Health", "amount": -5})
    summary = fx.summary()
    summary.areas[1].percent = "14.9"
    return fx.write(tmp_path, "with-errors", entries, summary)


def test_findings_sheet_and_cell_colours(with_errors):
    check, state = run({"payload": payload(with_errors), "fills": {}})
    # The same rules as `recon check` on the file.
    assert flatten(check.findings) == flatten(pipeline.run([with_errors]).findings)
    rows = findings_sheet(state)
    assert rows[0] == ["Severity", "Rule", "Location", "Message", "Suggestion"]
    got = {(r[0], r[1], r[2]) for r in rows[1:]}
    link = '=HYPERLINK("#\'{}\'!{}","with-errors.xlsx › {} › {}")'.format
    assert {("error", "ENTRY-AMOUNT-NEGATIVE", link("Entries", "C6", "Entries", "C6")),
            ("error", "COUNTRY-TABLE-SUM", link("Summary", "B6", "Summary", "B6")),
            ("error", "PIE-SLICE-MISMATCH", link("Summary", "C11", "Summary", "C11")),
            ("error", "TOTAL-ENTRIES", link("Summary", "B14", "Summary", "B14")),
            ("warning", "ENTRY-DUPLICATE", link("Entries", "B2", "Entries", "B2"))} <= got
    assert len(rows) == 1 + len(check.findings) == 11
    negative = next(r for r in rows if r[1] == "ENTRY-AMOUNT-NEGATIVE")
    assert "-5" in negative[3] and negative[4]
    assert marked(state) == {
        ("Entries", "C6"): RED, ("Entries", "B2"): AMBER, ("Entries", "B6"): AMBER,
        ("Summary", "B6"): RED, ("Summary", "B7"): RED, ("Summary", "B10"): RED, ("Summary", "B12"): RED,
        ("Summary", "C11"): RED, ("Summary", "B14"): RED,  # an error and PIE-SUM-100 there: the worse wins
    }
    assert [s["name"] for s in state["payload"]["sheets"]][-1] == L.FINDINGS
    # On the Findings sheet, each severity cell has its colour.
    assert {r: state["fills"][(L.FINDINGS, f"A{r}")] for r in (2, 11)} == {2: RED, 11: AMBER}


def test_checking_twice_leaves_the_same_workbook(with_errors):
    first, once = run({"payload": payload(with_errors), "fills": {}})
    second, twice = run(once)
    assert findings_sheet(twice) == findings_sheet(once)
    assert marked(twice) == marked(once)
    assert [s["name"] for s in twice["payload"]["sheets"]] == [s["name"] for s in once["payload"]["sheets"]]
    assert flatten(second.findings) == flatten(first.findings)
    assert sorted(second.cleared) == sorted((m.sheet, m.cell) for m in first.marked)


def test_a_fixed_cell_loses_its_mark_and_gets_the_template_fill_back(with_errors):
    _, once = run({"payload": payload(with_errors), "fills": {}})
    entries = next(s for s in once["payload"]["sheets"] if s["name"] == L.ENTRIES)
    entries["values"][5][2] = 5.0  # Entries C6: -5 → 5
    _, fixed = run(once)
    assert ("Entries", "C6") not in marked(fixed) and fixed["fills"][("Entries", "C6")] is None
    assert "ENTRY-AMOUNT-NEGATIVE" not in {r[1] for r in findings_sheet(fixed)}
    # Still wrong, still marked; a Summary cell keeps the yellow of an input cell when unmarked.
    assert marked(fixed)[("Summary", "C11")] == RED
    assert annotate.base_fill("Summary", "C11") == YELLOW


def test_clean_workbook_gets_an_empty_findings_sheet_and_no_colours(tmp_path):
    check, state = run({"payload": payload(fx.clean_region(tmp_path)), "fills": {}})
    assert check.findings == [] and marked(state) == {}
    assert findings_sheet(state) == [annotate.HEADER, ["", "", "", annotate.NO_FINDINGS, ""]]


def test_a_book_that_is_not_a_recon_workbook_says_so_in_the_findings_sheet(tmp_path):
    data = payload(fx.clean_region(tmp_path))
    data["sheets"] = [{"name": "Sheet1", "values": [["Country", "Amount"], ["Kenya", 5.0]], "pictures": [],
                       "tables": []}]
    _check, state = run({"payload": data, "fills": {}})
    (row,) = findings_sheet(state)[1:]
    assert row[:2] == ["error", "READ-UNUSABLE"] and "_meta" in row[3]
