"""Property-based tests: row accounting, merge-order independence, and repeatable findings.

The accounting and order properties run 1,000 random workbooks each in the full run (100 in a developer's
``python -m pytest``, see conftest.py), read through an in-memory SheetSource (the same reader as files,
without disk I/O); a smaller run writes real .xlsx files.
"""

from __future__ import annotations

import random
from pathlib import Path

import fixtures as fx
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon import TEMPLATE_VERSION, pipeline
from recon.appeal.finding import flatten
from recon.reconciliation.reconcile import reconcile
from recon.workbook import template
from recon.workbook.read import read_source, read_workbook

REGION = "East and Horn of Africa"
COUNTRIES = ["Kenya", "Burundi", "Regional Programmes", "Kenia", "kenya ", "Total", "", "Somalia"]
AREAS = ["Migration Health", "Migrant Assistance", "migration health", "Health", "", "Operations, Emergencies "
         "and Post-crisis"]
AMOUNTS = st.one_of(st.none(), st.integers(-10, 10**9), st.sampled_from(["1,200", "Funded", "USD 5", "n/a", "", "1e15"]),
                    st.floats(0, 1e6, allow_nan=False))
HEADER = ["Country", "Programmatic area", "Funding requirement (USD)", "Status", "Target populations", "Source",
          "Notes", "Intentional duplicate"]

rows = st.lists(st.fixed_dictionaries({
    "country": st.sampled_from(COUNTRIES), "area": st.sampled_from(AREAS), "amount": AMOUNTS,
    "status": st.sampled_from(["", "Requirement", "Funded", "funded", "Pending"]),
    "notes": st.sampled_from(["", "note"]), "dup": st.sampled_from(["", "Yes"]),
}), max_size=25)

# As many examples as the run's strength: 1,000 with `pytest --full` (scripts/test, CI), else 100 (conftest.py).
MANY = settings(deadline=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


class MemorySource:
    """A workbook as lists of cell values: ``{"Entries": [[...], ...], "_meta": [...]}``."""

    def __init__(self, sheets: dict[str, list[list]]):
        self.sheets = sheets
        self.sheet_names = list(sheets)

    def rows(self, sheet: str) -> list[list]:
        return [list(r) for r in self.sheets[sheet]]


def source(data: list[dict], country: str | None, revision: int = 1) -> MemorySource:
    meta = [["key", "value"], ["template_version", TEMPLATE_VERSION], ["region", REGION],
            ["country", country or ""], ["revision", revision]]
    body = [[r["country"], r["area"], r["amount"], r["status"], "", "", r["notes"], r["dup"]] for r in data]
    return MemorySource({"Entries": [HEADER, *body], "_meta": meta})


def nonblank(data: list[dict]) -> int:
    return sum(1 for r in data if any(v not in (None, "") for v in (r["country"], r["area"], r["amount"],
                                                                     r["status"], r["notes"])))


@MANY
@given(rows, st.sampled_from([None, "Kenya"]))
def test_every_row_read_is_accepted_or_rejected(data, country):
    sub = read_source(source(data, country), Path(f"{country or 'region'}.xlsx"))
    assert sub.rows_read == nonblank(data)
    assert sub.rows_read == sub.rows_accepted + sub.rows_rejected
    assert sub.rows_rejected == sum(1 for f in sub.findings if f.rule == "READ-ROW-REJECTED")


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in frame.columns if c not in ("row_id", "submission")]
    return frame[cols].sort_values(cols[:6], kind="stable").reset_index(drop=True).astype(str)


@MANY
@given(st.lists(st.tuples(rows, st.sampled_from([None, "Kenya", "Burundi"]), st.integers(1, 3)),
                min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_merge_order_does_not_change_the_result(offices, rnd):
    subs = [read_source(source(data, country, rev), Path(f"office-{i}.xlsx"))
            for i, (data, country, rev) in enumerate(offices)]
    shuffled = subs[:]
    rnd.shuffle(shuffled)
    one, two = reconcile(subs), reconcile(shuffled)
    assert _canonical(one.entries).equals(_canonical(two.entries))
    for name in ("countries", "areas", "regions"):
        assert _canonical(one.frame(name)).equals(_canonical(two.frame(name)))
    assert flatten(one.findings, ("rule", "location", "message")) == flatten(two.findings,
                                                                              ("rule", "location", "message"))


@FEW
@given(rows)
def test_real_files_account_for_every_row_and_reconcile_the_same_twice(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("prop")
    entries = [{"country": r["country"], "area": r["area"], "amount": r["amount"] if r["amount"] != "" else None,
                "status": r["status"], "notes": r["notes"], "duplicate_ok": r["dup"]} for r in data]
    path = template.write(template.build(REGION, entries=entries, summary=fx.summary()), d / "random.xlsx")
    sub = read_workbook(path)
    assert sub.rows_read == sub.rows_accepted + sub.rows_rejected == nonblank(data)
    first, second = pipeline.run([path]), pipeline.run([path])
    assert flatten(first.findings, ("rule", "severity", "location", "message")) == \
        flatten(second.findings, ("rule", "severity", "location", "message"))


def test_memory_source_reads_like_the_file(tmp_path):
    rnd = random.Random(7)
    data = [{"country": rnd.choice(COUNTRIES[:3]), "area": rnd.choice(AREAS[:2]), "amount": rnd.randint(1, 99),
             "status": "", "notes": "", "dup": "Yes"} for _ in range(10)]
    path = template.write(template.build(REGION, entries=[{**r, "duplicate_ok": r["dup"]} for r in data]),
                          tmp_path / "same.xlsx")
    # The edition comes from the workbook's _meta sheet, which the memory source leaves out.
    from_file = reconcile([read_workbook(path)]).entries.drop(columns=["edition"])
    from_memory = reconcile([read_source(source(data, None), Path("same.xlsx"))]).entries.drop(columns=["edition"])
    assert from_file.astype(str).equals(from_memory.astype(str))
