"""Pie-chart percentages in every form people type them (issue 13, item 1) and the real cause first (item 2),
as recon reads them. The workbook's own live checks on the same files: tests/test_workbook_live_checks.py."""

import fixtures as fx
import pytest
import workbook_scenarios as ws_

from recon import pipeline
from recon.workbook.percent import percent_decimals, percent_label
from recon.workbook.read import read_workbook


def rules(path) -> list[tuple]:
    return sorted((f.rule, f.severity) for f in pipeline.run([path]).findings)


@pytest.mark.parametrize(("value", "fmt", "text"), [
    (11.9, None, "11.9"), ("11.9", None, "11.9"), ("11.9%", None, "11.9"), ("11,9", None, "11.9"),
    (" 11.9 % ", None, "11.9"), ("11\u00a09\u00a0%".replace("11\u00a09", "11.9"), None, "11.9"),
    (0.119, "0.0%", "11.9"), (0.11875, "0.0%", "11.9"), (0.11875, "0.00%", "11.88"), (0.12, "0%", "12"),
    (9.0, None, "9"), ("2,8", None, "2.8"), ("10.68", None, "10.68")])
def test_a_pie_label_reads_as_the_person_sees_it(value, fmt, text):
    assert percent_label(value, fmt).text == text


def test_percent_number_formats_give_their_decimals():
    assert [percent_decimals(f) for f in ("0%", "0.0%", "0.00 %", '#,##0.0"%"', "General", None, "0.0")] == \
        [0, 1, 2, None, None, None, None]


@pytest.mark.parametrize("form", ws_.PERCENT_FORMS)
def test_every_way_of_typing_the_pie_percent_is_clean(tmp_path, form):
    path = ws_.with_labels(tmp_path, form, ws_.PERCENT_FORMS[form])
    assert [r["percent_text"] for r in read_workbook(path).area_rows] == ["28.6", "14.3", "57.1"]
    assert rules(path) == []


def test_percent_formatted_label_that_is_wrong_suggests_the_printed_precision(tmp_path):
    """Regression: a percent-formatted 0.119 was read as '0.119' % and the suggestion was a raw share."""
    path = ws_.with_labels(tmp_path, "wrong-percent", [(0.3, "0.0%"), (0.143, "0.0%"), (0.571, "0.0%")])
    found = [f for f in pipeline.run([path]).findings if f.rule == "PIE-SLICE-MISMATCH"]
    assert [(f.actual, f.expected, f.suggestion) for f in found] == [("30.0", "28.6", "print 28.6%")]
    assert "30.0%" in found[0].message and "0.3%" not in found[0].message


def test_pie_label_with_decimal_comma_is_checked_not_dropped(tmp_path):
    """Issue 15: a label '2,8' was dropped without a finding; now it is 2.8 and checked like any other."""
    path = ws_.with_labels(tmp_path, "comma-wrong", [("30,6", None), ("14,3", None), ("55,1", None)])
    found = {(f.rule, f.area, f.actual) for f in pipeline.run([path]).findings if f.rule.startswith("PIE-SLICE")}
    assert found == {("PIE-SLICE-MISMATCH", ws_.MH, "30.6"), ("PIE-SLICE-MISMATCH", ws_.OPS, "55.1")}


def test_unreadable_pie_label_is_reported_at_its_cell(tmp_path):
    path = ws_.with_labels(tmp_path, "garbled", [("about 28", None), ("14.3", None), ("57.1", None)])
    (f,) = [f for f in pipeline.run([path]).findings if f.rule == "READ-PERCENT-UNREADABLE"]
    assert f.where.endswith("› Summary › C10") and f.area == ws_.MH


@pytest.mark.parametrize(("typed", "rule"), [("USD 3,500,000", "READ-PUBLISHED-TEXT"),
                                              ("3.5 million", "READ-PUBLISHED-TEXT"),
                                              ("about 3.5 M", "READ-PUBLISHED-UNREADABLE")])
def test_total_typed_as_text_is_read_and_reported_like_the_table_cells(tmp_path, typed, rule):
    s = fx.summary()
    s.total = typed
    path = fx.write(tmp_path, "total-text", fx.entries(), s)
    total = read_workbook(path).total_cell
    found = {(f.rule, f.location) for f in pipeline.run([path]).findings}
    assert (rule, total) in found
    assert ("TOTAL-MISSING", total) not in found or rule == "READ-PUBLISHED-UNREADABLE"


def test_total_given_as_a_formula_without_result_says_so(tmp_path):
    s = fx.summary()
    s.total = "=SUM(B5:B7)"
    path = fx.write(tmp_path, "total-formula", fx.entries(), s, formulas=True)
    found = {f.rule: f for f in pipeline.run([path]).findings}
    assert "=SUM(B5:B7)" in found["READ-FORMULA-NOT-CALCULATED"].message


def test_wrong_total_is_the_cause_and_correct_pie_labels_are_only_info(tmp_path):
    """Regression: a mistyped total gave the total *and* five pie errors telling the user to change right labels."""
    path = ws_.wrong_total(tmp_path)
    total = read_workbook(path).total_cell
    found = pipeline.run([path]).findings
    assert [(f.rule, f.location) for f in found if f.severity != "info"] == [("TOTAL-ENTRIES", total)]
    pie = [f for f in found if f.rule == "PIE-SLICE-FOLLOWS-TABLE"]
    assert len(pie) == 3 and all(f.severity == "info" and f.location == total for f in pie)
    assert "correct the published total" in pie[0].suggestion


def test_missing_country_row_explains_the_country_table_sum(tmp_path):
    found = pipeline.run([ws_.missing_country_row(tmp_path)]).findings
    assert sorted((f.rule, f.severity) for f in found) == [
        ("COUNTRY-NOT-IN-TABLE", "error"), ("TOTAL-COUNTRY-TABLE-EXPLAINED", "info")]
    (info,) = [f for f in found if f.severity == "info"]
    assert "Burundi" in info.message and "2,000,000" in info.message
