"""Every rule in expectations/: a workbook that passes and one that fails, asserted on flattened findings."""

from __future__ import annotations

import json

import fixtures as fx
import pytest

from recon import pipeline, rules
from recon.appeal.published import PublishedRow

KEYS = ("rule", "severity", "country", "area")


def flat(paths, keys=KEYS) -> list[tuple]:
    return sorted(f.flat(keys) for f in pipeline.run(paths).findings)


def test_clean_regional_workbook_has_no_findings(tmp_path):
    assert flat([fx.clean_region(tmp_path)]) == []


def test_clean_country_workbook_has_no_findings(tmp_path):
    assert flat([fx.clean_country(tmp_path)]) == []


def test_clean_country_and_regional_workbooks_merge_without_findings(tmp_path):
    region = fx.write(tmp_path, "region", [e for e in fx.entries() if e["country"] != "Kenya"], fx.summary())
    assert flat([region, fx.clean_country(tmp_path)]) == []


# --- entries suite: a country-office workbook, so table rules stay out of the way -------------------------

MH, MA, MPR = "Migration Health", "Migrant Assistance", "Migration Policy and Research"
OPS = "Operations, Emergencies and Post-crisis"


def kenya(**changes):
    """Kenya's clean rows with the first row changed: ``kenya(amount=-5)``."""
    rows = fx.KENYA_ENTRIES[:1] + [dict(r) for r in fx.KENYA_ENTRIES[1:]]
    rows[0] = {**rows[0], **changes}
    return rows


ENTRY_CASES = {
    "unknown-country": (kenya(country="Kenyaland"),
                        [("ENTRY-COUNTRY-UNKNOWN", "error", "Kenyaland", MH)]),
    "country-in-spanish": (kenya(country="Kenia"), [("ENTRY-COUNTRY-VARIANT", "warning", "Kenya", MH)]),
    "country-variant-case-and-space": (kenya(country="kenya "),
                                       [("ENTRY-COUNTRY-VARIANT", "warning", "Kenya", MH)]),
    "country-of-another-region": (kenya(country="Nigeria"),
                                  [("ENTRY-COUNTRY-UNKNOWN", "error", "Nigeria", MH)]),
    "unknown-area": (kenya(area="Health"),
                     [("ENTRY-AREA-UNKNOWN", "error", "Kenya", "Health")]),
    "area-variant-u2010-hyphen": (kenya(area="Emergency, Operations and Post\u2010crisis"),
                                  [("ENTRY-AREA-VARIANT", "warning", "Kenya", OPS)]),
    "negative-amount": (kenya(amount=-5),
                        [("ENTRY-AMOUNT-NEGATIVE", "error", "Kenya", MH)]),
    "decimal-amount": (kenya(amount=1000.5),
                       [("ENTRY-AMOUNT-WHOLE", "error", "Kenya", MH)]),
    "implausible-amount": (kenya(amount=1e15),
                           [("ENTRY-AMOUNT-IMPLAUSIBLE", "warning", "Kenya", MH)]),
    "funded-with-amount": (kenya(status="Funded"),
                           [("ENTRY-FUNDED-WITH-AMOUNT", "error", "Kenya", MH)]),
    "requirement-without-amount": (kenya(amount=None),
                                   [("ENTRY-AMOUNT-MISSING", "error", "Kenya", MH)]),
    "unknown-status": (kenya(status="Pending"),
                       [("ENTRY-STATUS-UNKNOWN", "error", "Kenya", MH)]),
    "duplicate-entry": (kenya() + [{"area": MH, "amount": 5}],
                        [("ENTRY-DUPLICATE", "warning", "Kenya", MH)] * 2),
    "intentional-duplicate": ([{**r, "duplicate_ok": "Yes"} for r in kenya()[:1]] * 2, []),
    "amount-as-text": (kenya(amount="USD 1,000,000"),
                       [("READ-AMOUNT-TEXT", "warning", "Kenya", MH)]),
    "funded-typed-in-amount": (kenya(amount=" FUNDED "),
                               [("READ-FUNDED-IN-AMOUNT", "warning", "Kenya", MH)]),
    "unreadable-amount": (kenya(amount="about a million"),
                          [("READ-AMOUNT-UNREADABLE", "error", "Kenya", MH)]),
    "totals-row-inside-entries": (kenya() + [{"country": "Total", "amount": 1_500_000}],
                                  [("READ-ROW-REJECTED", "warning", None, None)]),
}


@pytest.mark.parametrize("case", ENTRY_CASES)
def test_entry_rules(tmp_path, case):
    rows, expected = ENTRY_CASES[case]
    path = fx.clean_country(tmp_path, case, rows=rows)
    assert flat([path]) == sorted(expected)


# --- table, pie-chart and totals suites: a regional workbook -----------------------------------------------


def _country(s, name, value):
    s.countries = [PublishedRow(name, value) if r.name == name else r for r in s.countries]
    return s


def _area(s, name, value=..., percent=...):
    rows = []
    for r in s.areas:
        if r.name == name:
            r = PublishedRow(r.name, r.value if value is ... else value, r.percent if percent is ... else percent)
        rows.append(r)
    s.areas = rows
    return s


def _rename_area(s, old, new):
    s.areas = [PublishedRow(new, r.value, r.percent) if r.name == old else r for r in s.areas]
    return s


def summary_case(mutate, entries=None):
    return (entries or fx.entries(), mutate(fx.summary()))


def _with_entry(**entry):
    return fx.entries() + [entry]


def _drop_country(s, name):
    s.countries = [r for r in s.countries if r.name != name]
    return s


def _drop_area(s, name):
    s.areas = [r for r in s.areas if r.name != name]
    return s


def _all_percents(s, values):
    s.areas = [PublishedRow(r.name, r.value, v) for r, v in zip(s.areas, values, strict=True)]
    return s


def _total(s, value):
    s.total = value
    return s


def _add_country(s, name, value):
    s.countries = s.countries + [PublishedRow(name, value)]
    return s


THIRDS = [{"country": "Kenya", "area": a, "amount": 1_000_000} for a in (MH, MA, OPS)]


def _thirds(s, percents):
    s.countries = [PublishedRow("Kenya", 3_000_000)]
    s.areas = [PublishedRow(a, 1_000_000, p) for a, p in zip((MH, MA, OPS), percents, strict=True)]
    s.total = 3_000_000
    return s


TABLE_CASES = {
    "country-table-wrong": (summary_case(lambda s: _country(s, "Kenya", 1_400_000)),
                            [("COUNTRY-TABLE-SUM", "error", "Kenya", None),
                             ("TOTAL-COUNTRY-TABLE", "error", None, None)]),
    "funded-country-with-requirement": (
        (_with_entry(country="Regional Programmes", area=MH, amount=100), fx.summary()),
        [("AREA-TABLE-SUM", "error", None, MH), ("COUNTRY-FUNDED-HAS-REQUIREMENT", "error",
                                                 "Regional Programmes", None),
         ("TOTAL-ENTRIES", "error", None, None)]),
    "country-missing-from-table": (summary_case(lambda s: _drop_country(s, "Burundi")),
                                   [("COUNTRY-NOT-IN-TABLE", "error", "Burundi", None),
                                    ("TOTAL-COUNTRY-TABLE-EXPLAINED", "info", None, None)]),
    "table-country-without-entries": (summary_case(lambda s: _add_country(s, "Djibouti", 100)),
                                      [("COUNTRY-NO-ENTRIES", "error", "Djibouti", None),
                                       ("TOTAL-COUNTRY-TABLE", "error", None, None)]),
    "country-value-blank": (summary_case(lambda s: _country(s, "Kenya", None)),
                            [("COUNTRY-VALUE-MISSING", "warning", "Kenya", None),
                             ("TOTAL-COUNTRY-TABLE", "error", None, None)]),
    "unknown-country-in-table": (summary_case(lambda s: _add_country(s, "Narnia", 100)),
                                 [("COUNTRY-NAME-UNKNOWN", "error", "Narnia", None),
                                  ("TOTAL-COUNTRY-TABLE", "error", None, None)]),
    "country-name-variant-in-table": (summary_case(lambda s: _country(_country(s, "Kenya", None), "Kenya", None)
                                                   or s),
                                      None),  # placeholder replaced below
    "misspelt-country-in-table": (
        summary_case(lambda s: setattr(s, "countries", [PublishedRow("Burundii", 2_000_000) if r.name == "Burundi"
                                                        else r for r in s.countries]) or s),
        [("COUNTRY-NAME-VARIANT", "warning", "Burundi", None)]),
    "area-table-wrong": (summary_case(lambda s: _area(s, MH, value=900_000, percent="25.7")),
                         [("AREA-TABLE-SUM", "error", None, MH), ("PIE-SUM-100", "warning", None, None),
                          ("TOTAL-AREA-TABLE", "error", None, None)]),
    "area-missing-from-table": (summary_case(lambda s: _drop_area(s, MA)),
                                [("AREA-NOT-IN-TABLE", "error", None, MA),
                                 ("PIE-SUM-100", "warning", None, None),
                                 ("TOTAL-AREA-TABLE-EXPLAINED", "info", None, None)]),
    "table-area-without-entries": (summary_case(lambda s: setattr(s, "areas", s.areas + [PublishedRow(
        "Migration and Environment", 100, "0")]) or s),
        [("AREA-NO-ENTRIES", "error", None, "Migration and Environment"), ("TOTAL-AREA-TABLE", "error", None, None)]),
    "area-value-blank": (summary_case(lambda s: _area(s, MA, value=None)),
                         [("AREA-VALUE-MISSING", "warning", None, MA), ("TOTAL-AREA-TABLE", "error", None, None)]),
    "unknown-area-in-table": (summary_case(lambda s: _rename_area(s, MH, "Health and Stuff")),
                              [("AREA-NAME-UNKNOWN", "error", None, "Health and Stuff"),
                               ("AREA-NOT-IN-TABLE", "error", None, MH)]),
    "area-name-variant-in-table": (summary_case(lambda s: _rename_area(s, OPS, "Emergency, Operations and Post-crisis")),
                                   [("AREA-NAME-VARIANT", "info", None, OPS)]),
    "pie-slice-wrong": (summary_case(lambda s: _all_percents(s, ["30.6", "14.3", "55.1"])),
                        [("PIE-SLICE-MISMATCH", "error", None, MH), ("PIE-SLICE-MISMATCH", "error", None, OPS)]),
    "pie-slice-adjusted-to-100": ((THIRDS, _thirds(fx.summary(), ["33.4", "33.3", "33.3"])),
                                  [("PIE-SLICE-ADJUSTED", "warning", None, MH)]),
    "pie-thirds-half-up": ((THIRDS, _thirds(fx.summary(), ["33.3", "33.3", "33.3"])), []),
    "pie-tied-remainders-any-slice-may-take-the-unit": ((THIRDS, _thirds(fx.summary(), ["33.3", "33.3", "33.4"])),
                                                        [("PIE-SLICE-ADJUSTED", "warning", None, OPS)]),
    "pie-mixed-precision": ((THIRDS, _thirds(fx.summary(), ["33", "33.3", "33.33"])), []),
    "pie-label-missing": (summary_case(lambda s: _area(s, MA, percent=None)),
                          [("PIE-LABEL-MISSING", "warning", None, MA), ("PIE-SUM-100", "warning", None, None)]),
    "pie-not-published": (summary_case(lambda s: _all_percents(s, [None, None, None])),
                          [("PIE-NOT-PUBLISHED", "info", None, None)]),
    "total-wrong": (summary_case(lambda s: _total(s, 3_600_000)),
                    # The total is the cause: the labels follow the tables (info at the total), not five errors.
                    [("PIE-SLICE-FOLLOWS-TABLE", "info", None, MH), ("PIE-SLICE-FOLLOWS-TABLE", "info", None, MA),
                     ("PIE-SLICE-FOLLOWS-TABLE", "info", None, OPS), ("TOTAL-AREA-TABLE-EXPLAINED", "info", None, None),
                     ("TOTAL-COUNTRY-TABLE-EXPLAINED", "info", None, None), ("TOTAL-ENTRIES", "error", None, None)]),
    "total-blank": (summary_case(lambda s: _total(s, None)), [("TOTAL-MISSING", "warning", None, None)]),
}
TABLE_CASES["country-name-variant-in-table"] = (
    summary_case(lambda s: setattr(s, "countries", [PublishedRow("KENYA", 1_500_000) if r.name == "Kenya" else r
                                                    for r in s.countries]) or s),
    [("COUNTRY-NAME-VARIANT", "warning", "Kenya", None)])


@pytest.mark.parametrize("case", TABLE_CASES)
def test_table_rules(tmp_path, case):
    (rows, published), expected = TABLE_CASES[case]
    path = fx.write(tmp_path, case, rows, published)
    assert flat([path]) == sorted(expected)


def test_every_rule_in_the_suites_has_a_failing_case():
    covered = {f[0] for _rows, expected in ENTRY_CASES.values() for f in expected}
    covered |= {f[0] for _case, expected in TABLE_CASES.values() for f in expected}
    in_suites = {e["meta"]["rule"] for s in rules.read_suites().values() for e in s["expectations"]}
    assert in_suites - covered == set()


def test_findings_point_at_the_offending_cell(tmp_path):
    path = fx.write(tmp_path, "wrong-kenya", fx.entries(), _country(fx.summary(), "Kenya", 1_400_000))
    found = {f.rule: f for f in pipeline.run([path]).findings}
    f = found["COUNTRY-TABLE-SUM"]
    assert f.where == "wrong-kenya.xlsx › Summary › B7"
    assert (f.expected, f.actual, f.usd_at_stake) == ("1,500,000", "1,400,000", 100_000)
    assert "Kenya" in f.message and f.suggestion


def test_entry_finding_location_names_the_amount_cell(tmp_path):
    path = fx.clean_country(tmp_path, "neg", rows=kenya(amount=-5))
    (f,) = pipeline.run([path]).findings
    assert f.where == "neg.xlsx › Entries › C2"


def test_rules_version_changes_with_the_suites(tmp_path):
    src = rules.default_dir()
    for name in rules.SUITES:
        (tmp_path / f"{name}.json").write_bytes((src / f"{name}.json").read_bytes())
    before = rules.rules_version(tmp_path)
    data = json.loads((tmp_path / "totals.json").read_text())
    data["expectations"][0]["kwargs"]["max_value"] = 1
    (tmp_path / "totals.json").write_text(json.dumps(data))
    assert rules.rules_version(tmp_path) != before
