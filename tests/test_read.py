"""Reading: tolerant parsing turns oddities into findings; unusable files into one-line errors."""

import zipfile

import fixtures as fx
import pytest
from openpyxl import Workbook, load_workbook

from recon.errors import UnusableInput
from recon.reconciliation.reconcile import reconcile
from recon.workbook.amounts import parse_amount
from recon.workbook.read import read_workbook


@pytest.mark.parametrize(("raw", "value", "kind"), [
    (1200000, 1200000.0, "number"), ("1,200,000", 1200000.0, "text"), ("1.200.000", 1200000.0, "text"),
    ("1 200 000", 1200000.0, "text"), ("USD 500,000", 500000.0, "text"), ("500,000 USD", 500000.0, "text"),
    ("$1,200,000.50", 1200000.5, "text"), ("USD 1.2 million", 1200000.0, "text"), ("1e15", 1e15, "text"),
    ("-5", -5.0, "text"), ("1\u00a0200\u00a0000", 1200000.0, "text"), ("Funded", None, "funded"),
    ("funded ", None, "funded"), ("FUNDED", None, "funded"), ("", None, "blank"), (None, None, "blank"),
    ("about a million", None, "unreadable"), (True, None, "unreadable"),
])
def test_parse_amount(raw, value, kind):
    parsed = parse_amount(raw)
    assert (parsed.value, parsed.kind) == (value, kind)


def test_reading_keeps_provenance_and_accounts_for_every_row(tmp_path):
    rows = fx.entries() + [{}, {"country": "Total", "amount": 3_500_000}, {"notes": "a stray remark"}]
    sub = read_workbook(fx.write(tmp_path, "rows", rows, fx.summary()))
    assert sub.rows_read == 6 and sub.rows_accepted == 4 and sub.rows_rejected == 2
    assert sub.rows_read == sub.rows_accepted + sub.rows_rejected
    first = reconcile([sub]).entries.iloc[0]
    assert (first["file"], first["row"], first["country"], first["amount"]) == ("rows.xlsx", 2, "Kenya", 1e6)
    assert str(sub.countries["cell_usd"].tolist()[0]) == "rows.xlsx › Summary › B5"


def test_trailing_spaces_and_case_resolve_to_canonical_names(tmp_path):
    sub = read_workbook(fx.clean_country(tmp_path, rows=[{"country": " kenya ", "area": "migration health ",
                                                            "amount": 1}]))
    e = reconcile([sub]).entries.iloc[0]
    assert (e["country"], e["country_kind"], e["area"], e["area_kind"]) == ("Kenya", "variant",
                                                                           "Migration Health", "variant")


def test_headers_pushed_down_and_reordered_are_found(tmp_path):
    path = fx.clean_country(tmp_path)
    wb = load_workbook(path)
    ws = wb["Entries"]
    ws.insert_rows(1, 2)
    ws["A1"] = "Kenya office submission"
    wb.save(tmp_path / "shifted.xlsx")
    sub = read_workbook(tmp_path / "shifted.xlsx")
    assert sub.rows_accepted == 3 and reconcile([sub]).entries["row"].tolist() == [4, 5, 6]


def _unusable(path) -> str:
    with pytest.raises(UnusableInput) as info:
        read_workbook(path)
    return str(info.value)


def test_not_an_xlsx(tmp_path):
    p = tmp_path / "notes.xlsx"
    p.write_text("hello")
    msg = _unusable(p)
    assert msg.startswith("notes.xlsx:") and "not a zip" in msg and "\n" not in msg


def test_csv_and_truncated_files(tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("country,amount\nKenya,1\n")
    assert "CSV" in _unusable(csv)
    good = fx.clean_country(tmp_path)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert _unusable(cut).startswith("cut.xlsx:")


def test_missing_entries_sheet(tmp_path):
    path = fx.clean_country(tmp_path)
    wb = load_workbook(path)
    wb["Entries"].title = "Data"
    wb.save(tmp_path / "renamed.xlsx")
    msg = _unusable(tmp_path / "renamed.xlsx")
    assert "no 'Entries' sheet" in msg and "Data" in msg


def test_wrong_headers(tmp_path):
    path = fx.clean_country(tmp_path)
    wb = load_workbook(path)
    wb["Entries"]["C1"] = "Money"
    wb.save(tmp_path / "headers.xlsx")
    msg = _unusable(tmp_path / "headers.xlsx")
    assert msg.startswith("headers.xlsx › Entries › A1: header row not found")


def test_workbook_without_metadata(tmp_path):
    wb = Workbook()
    wb.active.title = "Entries"
    wb.save(tmp_path / "plain.xlsx")
    assert "no known region" in _unusable(tmp_path / "plain.xlsx")


def test_ods_is_named(tmp_path):
    p = tmp_path / "sheet.ods"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    assert "OpenDocument" in _unusable(p)
