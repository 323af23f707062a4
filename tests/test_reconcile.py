"""Reconciliation maths in plain pandas: totals, shares, rounding, merging."""

from fractions import Fraction as F

import fixtures as fx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.reconciliation.reconcile import reconcile
from recon.reconciliation.rounding import half_even, half_up, largest_remainder, largest_remainder_range
from recon.workbook.read import read_workbook


def test_half_up_is_exact():
    assert half_up(F(12345, 1000), 2) == F(1235, 100)  # 12.345 → 12.35 (a float would give 12.34)
    assert half_up(F(25, 10), 0) == 3 and half_even(F(25, 10), 0) == 2
    assert half_up(F(-25, 10), 0) == -3


def test_largest_remainder_reaches_the_target():
    # 46.807 %, 8.982 %, 44.211 % floor to 46.8 + 8.9 + 44.2 = 99.9: the missing 0.1 goes to the largest
    # remainder (8.982), not to the largest slice.
    shares = [F(667, 1425) * 100, F(128, 1425) * 100, F(630, 1425) * 100]
    assert largest_remainder(shares, 1, 100) == [F("46.8"), F("9.0"), F("44.2")]
    assert largest_remainder_range([F(100, 3)] * 3, 0) == [(33, 34)] * 3


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=9), st.integers(0, 2))
def test_largest_remainder_sums_to_100(amounts, decimals):
    total = sum(amounts)
    shares = [F(a * 100, total) for a in amounts]
    assert sum(largest_remainder(shares, decimals)) == 100


def test_reconciliation_frames(tmp_path):
    rec = reconcile([read_workbook(fx.clean_region(tmp_path))])
    c = rec.countries.set_index("name")
    assert c.loc["Kenya", "computed_usd"] == 1_500_000 and c.loc["Kenya", "gap_usd"] == 0
    assert c.loc["Regional Programmes", "published_funded"] == 1 and c.loc["Regional Programmes", "n_funded"] == 1
    a = rec.areas.set_index("name")
    assert round(a.loc["Migration Health", "share_pct"], 4) == 28.5714
    assert a.loc["Migration Health", "expected_half_up"] == 28.6
    r = rec.regions.iloc[0]
    assert (r["published_total"], r["computed_total"], r["n_entries"], r["n_funded"]) == (3.5e6, 3.5e6, 4, 1)
    assert list(rec.countries["name"]) == ["Regional Programmes", "Burundi", "Kenya"]  # published order kept


def test_same_office_twice_the_later_revision_wins(tmp_path):
    old = fx.clean_country(tmp_path, "kenya-r1", rows=[{"area": "Migration Health", "amount": 1}])
    new = fx.write(tmp_path, "kenya-r2", [{"area": "Migration Health", "amount": 2}], country="Kenya",
                   revision=2)
    rec = reconcile([read_workbook(new), read_workbook(old)])
    assert rec.entries["amount"].tolist() == [2.0]
    (f,) = rec.findings
    assert f.rule == "MERGE-SUPERSEDED" and "kenya-r2.xlsx is used because it has the highest revision (2)" in f.message


def test_country_office_wins_over_regional_rows_for_its_country(tmp_path):
    region = read_workbook(fx.clean_region(tmp_path))
    kenya = read_workbook(fx.clean_country(tmp_path))
    rec = reconcile([region, kenya])
    kenya_rows = rec.entries[rec.entries["country"] == "Kenya"]
    assert set(kenya_rows["file"]) == {"clean-kenya.xlsx"}
    assert [f.rule for f in rec.findings] == ["MERGE-COUNTRY-OFFICE-WINS"]


def test_merge_order_does_not_change_the_result(tmp_path):
    a = read_workbook(fx.write(tmp_path, "a", fx.entries(), fx.summary()))
    b = read_workbook(fx.clean_country(tmp_path))
    one, two = reconcile([a, b]), reconcile([b, a])
    assert one.entries.drop(columns="row_id").equals(two.entries.drop(columns="row_id"))
    assert one.countries.equals(two.countries)


def test_an_archive_of_editions_keeps_each_year(tmp_path):
    from recon.workbook import template

    paths = []
    for year, amount in ((2015, 1), (2016, 2)):
        wb = template.build("East and Horn of Africa", "Kenya", edition_year=year,
                            entries=[{"area": "Migration Health", "amount": amount}])
        paths.append(template.write(wb, tmp_path / f"{year}-kenya.xlsx"))
    rec = reconcile([read_workbook(p) for p in paths])
    assert rec.findings == []  # not a resubmission: a different edition
    assert sorted(zip(rec.regions["scope"], rec.regions["computed_total"], strict=True)) == [
        ("East and Horn of Africa · 2015", 1.0), ("East and Horn of Africa · 2016", 2.0)]


def test_pie_label_sums_are_measured_against_the_suites_percent_target(tmp_path):
    # The pie-chart suite's meta sets the target; the sum check must not assume 100.
    sub = read_workbook(fx.clean_region(tmp_path))
    for target in (100, 1000):
        r = reconcile([sub], {"percent_target": target}).regions.iloc[0]
        assert r["pct_sum"] == pytest.approx(100)
        assert r["pct_sum_excess"] == pytest.approx(abs(100 - target) - r["pct_allowance"]), target
