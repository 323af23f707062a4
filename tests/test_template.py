"""The template opens in openpyxl with its dropdowns, validations, table, formulas and pie chart."""

import zipfile

import fixtures as fx
import pytest
from openpyxl import load_workbook

from recon.workbook import layout as L
from recon.workbook import template


@pytest.fixture
def regional(tmp_path):
    return template.write(template.build("East and Horn of Africa"), tmp_path / "ehoa.xlsx")


def test_sheets_and_hidden_sheets(regional):
    wb = load_workbook(regional)
    assert wb.sheetnames == [L.INSTRUCTIONS, L.ENTRIES, L.SUMMARY, L.LISTS, L.META]
    assert wb[L.LISTS].sheet_state == "hidden" and wb[L.META].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in wb[L.META].iter_rows(min_row=2, values_only=True)}
    assert meta["region"] == "East and Horn of Africa" and meta["edition_year"] == 2015
    assert meta["template_version"] and meta["revision"] == 1


def test_entries_sheet_is_a_table_with_validations(regional):
    ws = load_workbook(regional)[L.ENTRIES]
    assert [c.value for c in ws[1]][:4] == ["Country", "Programmatic area", "Funding requirement (USD)", "Status"]
    assert ws.freeze_panes == "A2"
    assert L.TABLE_NAME in ws.tables
    dvs = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert dvs["A2"].type == "list" and dvs["A2"].errorStyle == "warning" and "_lists" in dvs["A2"].formula1
    assert dvs["B2"].type == "list" and dvs["B2"].errorStyle == "warning"
    assert dvs["C2"].type == "whole" and dvs["C2"].operator == "greaterThanOrEqual" and dvs["C2"].errorStyle == "stop"
    assert dvs["D2"].formula1 == '"Requirement,Funded"' and dvs["D2"].errorStyle == "stop"
    assert all(dv.prompt for dv in dvs.values())
    assert ws["C2"].number_format == "#,##0"


def test_lists_drive_the_dropdowns(regional):
    ws = load_workbook(regional)[L.LISTS]
    countries = [c.value for c in ws["A"][1:] if c.value]
    assert countries[0] == "Regional Programmes" and "Kenya" in countries and len(countries) == 11
    assert len([c.value for c in ws["B"][1:] if c.value]) == 7


def test_summary_has_live_check_formulas_and_conditional_formatting(tmp_path):
    ws = load_workbook(fx.clean_region(tmp_path))[L.SUMMARY]
    assert ws["A4"].value == "Country" and ws["B4"].value == "Published USD"
    assert ws["D5"].value.startswith("=SUMIFS('Entries'!$C:$C,'Entries'!$A:$A,$A5")
    assert ws["F5"].value.startswith("=IF(") and '"MISMATCH"' in ws["F5"].value
    area_header = next(r for r in range(1, 40) if ws[f"A{r}"].value == "Programmatic area")
    assert ws[f"C{area_header}"].value == "Published pie %"
    assert ws[f"C{area_header + 1}"].value == "28.6" and ws[f"C{area_header + 1}"].number_format == "@"
    assert "ROUND(" in ws[f"G{area_header + 1}"].value
    assert len(ws.conditional_formatting) >= 2


def test_pie_chart_is_in_the_file(regional):
    with zipfile.ZipFile(regional) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts and b"<pieChart>" in z.read(charts[0])


def test_country_office_workbook_has_no_summary(tmp_path):
    wb = template.build("East and Horn of Africa", country="Kenya")
    assert L.SUMMARY not in wb.sheetnames
    lists = [c.value for c in wb[L.LISTS]["A"][1:] if c.value]
    assert lists == ["Kenya"]


@pytest.mark.parametrize(("region", "country"), [("Atlantis", None), ("East and Horn of Africa", "Peru")])
def test_unknown_region_or_country_is_refused(region, country):
    with pytest.raises(ValueError):
        template.build(region, country)
