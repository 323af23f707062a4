"""Merge submissions and recompute what each region publishes — plain pandas, no rules here.

The result holds one tidy frame per published artefact, each row carrying published and computed values and
their gap: ``countries`` (country table), ``areas`` (area table and pie chart), ``regions`` (totals), plus
the merged ``entries``. The rule suites in ``expectations/`` assert on these frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain

import numpy as np
import pandas as pd

from recon.appeal.finding import Finding
from recon.appeal.location import Location
from recon.appeal.submission import ENTRY_COLUMNS, TABLE_COLUMNS, Submission
from recon.appeal.vocabulary import load
from recon.language import Text, n, said
from recon.reconciliation.rounding import RULES, largest_remainder_range, printed_decimals
from recon.workbook import layout as L

# Parameters the reconciliation maths needs; the pie-chart suite's meta overrides them (see recon.rules.suites).
DEFAULT_PARAMETERS = {"rounding": "half_up", "percent_target": 100}


@dataclass
class Reconciliation:
    submissions: list[Submission]
    entries: pd.DataFrame
    countries: pd.DataFrame
    areas: pd.DataFrame
    regions: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)  # from reading and merging
    replaced: int = 0  # entries of a regional workbook replaced by a country office's own workbook
    superseded: int = 0  # entries of copies superseded by another copy of the same office

    def frame(self, name: str) -> pd.DataFrame:
        return {"entries": self.entries, "countries": self.countries, "areas": self.areas,
                "regions": self.regions}[name]


def reconcile(submissions: list[Submission], parameters: dict | None = None,
              entries_ready: Callable[[pd.DataFrame], object] | None = None) -> Reconciliation:
    """``reconcile([read_workbook("ehoa.xlsx"), read_workbook("kenya.xlsx")])``

    Everything is computed per *scope*: the region, or "region · edition year" when the batch holds several
    editions (an archive), so that 2016's Kenya workbook does not supersede 2015's.

    ``entries_ready(entries)`` is called as soon as the entries frame is final, before the tables are
    reconciled: the upload site's partner process starts validating it meanwhile (:mod:`recon.speed.partner`).
    """
    params = {**DEFAULT_PARAMETERS, **(parameters or {})}
    submissions = sorted(submissions, key=lambda s: (s.edition, s.region, s.office, s.revision, s.name))
    multi = len({s.edition for s in submissions}) > 1
    scopes = {id(s): f"{s.region} · {s.edition}" if multi else s.region for s in submissions}
    findings = [f for s in submissions for f in s.findings]
    winners = _winners(submissions, scopes, findings)
    superseded = sum(s.rows_accepted for s in submissions) - sum(s.rows_accepted for s in winners)
    entries = _merge_entries(winners, scopes, findings)
    if entries_ready is not None:
        entries_ready(entries)  # only read from here on
    replaced = sum(s.rows_accepted for s in winners) - len(entries)
    summaries = {scopes[id(s)]: s for s in winners if s.has_summary}
    counted = tally(entries)
    countries = _table(counted, summaries, "country", "countries")
    areas = _table(counted, summaries, "area", "areas")
    regions = _regions(counted, summaries, countries, areas)
    areas = _pie(areas, regions, params)
    regions = _pie_sums(regions, areas, int(params["percent_target"]))
    return Reconciliation(submissions, entries, countries, areas, regions, findings, replaced, superseded)


def _winners(submissions: list[Submission], scopes: dict, findings: list[Finding]) -> list[Submission]:
    """The same office twice: one copy is used, and a finding on every other copy names them all, which won
    and why. The rule (README › Bad, broken and hostile workbooks), the same whatever the files are called
    or the order they are given in: the highest revision; on equal revisions the copy with more entries; on
    equal counts too, identical files are one, and otherwise the lowest SHA-256 (arbitrary but stable — the
    finding asks the office to raise the revision of the copy it means)."""
    by_office: dict[tuple[str, str], list[Submission]] = {}
    for s in submissions:
        by_office.setdefault((scopes[id(s)], s.office), []).append(s)
    winners = []
    for (region, office), subs in by_office.items():
        ranked = sorted(subs, key=lambda s: (-s.revision, -s.rows_accepted, s.sha256, s.name))
        win = ranked[0]
        winners.append(win)
        if len(subs) == 1:
            continue
        # one Text per copy, joined: said again in a reader's language, word and figure
        listed = [said("{name} (revision {revision}, {entries})", name=s.name, revision=s.revision,
                       entries=n(s.rows_accepted, "{count:,} entry", "{count:,} entries")) for s in ranked]
        copies = Text("{" + "}, {".join(f"c{i}" for i in range(len(listed))) + "}",
                      {f"c{i}": t for i, t in enumerate(listed)})
        for lost in ranked[1:]:
            if lost.revision != win.revision:
                why = said("it has the highest revision ({revision})", revision=win.revision)
            elif lost.rows_accepted != win.rows_accepted:
                why = said("revisions are equal ({revision}) and it has more entries ({more} against {fewer})",
                           revision=win.revision, more=win.rows_accepted, fewer=lost.rows_accepted)
            elif lost.sha256 and lost.sha256 == win.sha256:
                why = said("the copies are identical")
            else:
                why = said("revisions ({revision}) and entry counts are equal, so the copy with the lower "
                           "SHA-256 is taken — a stable but arbitrary choice", revision=win.revision)
            findings.append(Finding(
                "MERGE-SUPERSEDED", "warning", region, location=Location(lost.name),
                expected=said("one workbook for {office}", office=office), actual=copies,
                message=said("{office} sent {count} workbooks: {copies}. {used} is used because {why}; "
                             "the {entries} of {lost} are not used", office=office, count=len(subs), copies=copies,
                             used=win.name, why=why, lost=lost.name,
                             entries=n(lost.rows_accepted, "{count:,} entry", "{count:,} entries")),
                suggestion=said("remove the copies not meant from the batch, or raise the revision in the one "
                                "meant")))
    return winners


class _Categories:
    """One growing list of distinct values across workbooks: per-workbook codes → global codes."""

    def __init__(self):
        self.index: dict = {}

    def codes(self, values: list) -> np.ndarray:
        """Global code of each of ``values`` (NaN/None → -1)."""
        idx = self.index
        return np.array([-1 if v is None else idx.setdefault(v, len(idx)) for v in values], dtype=np.int32)

    def remap(self, values: list, codes: np.ndarray) -> np.ndarray:
        """A workbook's codes into ``values`` → global codes: ``remap(["Kenya", "Uganda"], [1, 0, 1])``."""
        return self.codes(values)[codes] if len(codes) else codes

    def categorical(self, codes: np.ndarray) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, categories=pd.Index(list(self.index), dtype=object),
                                         validate=False)


def _frombuffer(a, dtype) -> np.ndarray:
    return np.frombuffer(a, dtype=dtype) if len(a) else np.empty(0, dtype=dtype)


def _merge_entries(winners: list[Submission], scopes: dict, findings: list[Finding]) -> pd.DataFrame:
    """Every winning workbook's EntryTable in one frame: text columns become categoricals by remapping each
    workbook's codes to global ones, so 1,000 workbooks cost one concatenation per column."""
    taken_as_coded = ("status", "populations", "notes")  # Coded columns taken as they are
    text = {c: _Categories() for c in ("country", "country_printed", "country_kind", "country_suggestion",
                                       "area", "area_printed", "area_kind", "area_suggestion", *taken_as_coded)}
    parts: dict[str, list] = {c: [] for c in text}
    sizes = [len(s.table) for s in winners]
    for s in winners:
        t = s.table
        c_codes, a_codes = _frombuffer(t.country.codes, np.int32), _frombuffer(t.area.codes, np.int32)
        for name, coded, matches, codes in (("country", t.country, t.country_match, c_codes),
                                            ("area", t.area, t.area_match, a_codes)):
            per_value = {
                name: [m.name or v for m, v in zip(matches, coded.values, strict=True)],
                # A name written as the workbook's language writes it ("Cameroun" in French) is the canonical
                # name: the rules see it as such (in English, canonical means printed exactly so).
                f"{name}_printed": [m.name if m.kind == "canonical" and m.name else v
                                    for m, v in zip(matches, coded.values, strict=True)],
                f"{name}_kind": [m.kind for m in matches],
                f"{name}_suggestion": [m.suggestion for m in matches]}
            for col, values in per_value.items():
                parts[col].append(text[col].remap(values, codes))
        for col in taken_as_coded:
            c = getattr(t, col)
            parts[col].append(text[col].remap(c.values, _frombuffer(c.codes, np.int32)))

    def joined(col: str) -> np.ndarray:
        return np.concatenate(parts[col]) if parts[col] else np.empty(0, dtype=np.int32)

    submission = np.repeat(np.arange(len(winners)), sizes)
    per_sub = {  # values of each workbook, repeated once per entry
        "file": [s.name for s in winners], "region": [s.region for s in winners],
        "office": [s.office for s in winners], "scope": [scopes[id(s)] for s in winners],
        **{f"col_{n}": [s.columns.get(n, "?") for s in winners] for n in ("country", "area", "amount", "status")},
    }
    cols: dict[str, object] = {}
    for name, values in per_sub.items():
        cat = _Categories()
        cols[name] = cat.categorical(cat.codes(values)[submission] if len(submission) else submission)
    cols["row"] = np.concatenate([_frombuffer(s.table.row, np.int32) for s in winners]).astype("int64") \
        if winners else np.empty(0, dtype="int64")
    for name, cat in text.items():
        cols[name] = cat.categorical(joined(name))
    cols["amount"] = np.concatenate([_frombuffer(s.table.amount, np.float64) for s in winners]) \
        if winners else np.empty(0)
    for name in ("amount_given", "duplicate_ok"):
        cols[name] = np.concatenate([_frombuffer(getattr(s.table, name), np.int8) for s in winners]).astype(
            "int64") if winners else np.empty(0, dtype="int64")
    source = np.empty(len(submission), dtype=object)
    source[:] = list(chain.from_iterable(s.table.source for s in winners))
    cols["source"] = source
    cols["submission"] = submission
    cols["edition"] = np.repeat(np.array([s.edition for s in winners], dtype="int64"), sizes)
    # copy=False: every column is a fresh array, so pandas need neither copy the categoricals nor stack the
    # numeric columns into one block (what that saves: bench/README.md).
    entries = pd.DataFrame(cols, columns=[*ENTRY_COLUMNS, "submission", "scope", "edition",
                                          *(f"col_{n}" for n in ("country", "area", "amount", "status"))],
                           copy=False)
    entries = _without_shadowed(entries, findings)
    entries["row_id"] = np.arange(len(entries))
    return _entry_columns(entries)


def _without_shadowed(entries: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    """A country office's own workbook wins over the regional office's rows for that country."""
    country, office = entries["country"].cat, entries["office"].cat
    as_country = np.append(country.categories.get_indexer(office.categories), -1)  # office → country code
    codes = country.codes.to_numpy()
    own = (as_country[office.codes.to_numpy()] == codes) & (codes >= 0)
    if not own.any():
        return entries
    scope = entries["scope"].cat.codes.to_numpy().astype(np.int64)
    key = scope * (len(country.categories) + 1) + codes
    # (scope, country) pairs that a country office sent itself: a dense table, as pairs are few (scopes ×
    # countries) and an isin over 1 M keys sorts them.
    owned = np.zeros((len(entries["scope"].cat.categories) + 1) * (len(country.categories) + 1), dtype=bool)
    owned[key[own]] = True
    shadowed = owned[key] & ~own
    if not shadowed.any():
        return entries
    lost = entries.loc[shadowed, ["scope", "country", "file"]].astype(object)
    for (region, name, file), count in sorted(lost.value_counts(sort=False).items()):
        findings.append(Finding(
            "MERGE-COUNTRY-OFFICE-WINS", "warning", region, name, location=Location(file),
            message=n(count, "{count:,} {name} entry in {file} is replaced by {name}'s own workbook",
                      "{count:,} {name} entries in {file} are replaced by {name}'s own workbook",
                      name=name, file=file),
            suggestion=said("remove those rows from the regional workbook, or leave it: the country office's "
                            "figures are used")))
    return entries[~shadowed].reset_index(drop=True)


def entry_cells(e: pd.DataFrame, field: str = "amount") -> pd.Series:
    """``Location("ehoa.xlsx", "Entries", "C12")`` per row: the cell of ``field`` in the entry's row. Built on
    request (export, diff, failing rows), not for every merged entry."""
    return pd.Series([Location(f, L.ENTRIES, f"{c}{r}") for f, c, r in zip(
        e["file"].tolist(), e[f"col_{field}"].tolist(), e["row"].tolist(), strict=True)], index=e.index,
        dtype=object)


def _entry_columns(e: pd.DataFrame) -> pd.DataFrame:
    """Columns the entries suite asserts on, plus what a Finding needs — computed per distinct value where
    the column is categorical."""
    vocab = load()
    e["region_country"] = _joined(e["region"], e["country"])
    pairs = set(vocab.region_country_pairs())
    e["country_known"] = _per_category(e["region_country"], lambda v: int(v in pairs), "int64")
    e["area_known"] = _per_category(e["area_kind"], lambda v: int(v != "unknown"), "int64", missing=1)
    amount = e["amount"].to_numpy()
    e["amount_fraction"] = amount - np.floor(amount)
    e["is_requirement"] = _per_category(e["status"], lambda v: int(v == L.STATUS_REQUIREMENT), "int64")
    e["stake"] = np.nan_to_num(np.abs(amount), nan=0.0)
    e["country_hint"] = _hint(e["country_suggestion"], e["country_kind"])
    e["area_hint"] = _hint(e["area_suggestion"], e["area_kind"])
    # A blank name is said to be blank, without a "did you mean" guessed from nothing.
    for col in ("country", "area"):
        printed = e[f"{col}_printed"]
        blank = _per_category(printed, lambda v: v == "", bool, missing=True)
        e[f"{col}_said"] = _said_unknown(col, blank, printed, e["region"])
        if blank.any():
            hint = e[f"{col}_hint"].to_numpy(dtype=object).copy()
            hint[blank] = ""
            e[f"{col}_hint"] = hint
    return e


def _said_unknown(col: str, blank: np.ndarray, printed: pd.Series, region: pd.Series) -> np.ndarray:
    """Per row, ``"'Kenia' is not a country of East and Horn of Africa"`` or ``"the country is blank"``:
    one Text per distinct (name, region), spread to the rows through the codes (thousands of rows share a
    few)."""
    said_blank = said("the country is blank") if col == "country" else said("the programmatic area is blank")
    n_codes, n_names = _codes(printed)
    r_codes, r_names = _codes(region)
    names = [*map(str, n_names), ""]  # a missing name (code -1) is said as an empty one
    regions = [*map(str, r_names)]  # every entry has its workbook's region
    width = len(regions)
    key = np.where(n_codes < 0, len(n_names), n_codes).astype(np.int64) * width + r_codes
    # Which (name, region) pairs occur: a dense table over them, as in _joined.
    seen = np.zeros(len(names) * width, dtype=bool)
    seen[key] = True
    texts = np.empty(len(seen), dtype=object)
    for p in np.flatnonzero(seen).tolist():
        name, region_name = names[p // width], regions[p % width]
        texts[p] = said("'{name}' is not a country of {region}", name=name, region=region_name) \
            if col == "country" else said("'{name}' is not a programmatic area", name=name)
    out = texts[key]
    out[blank] = said_blank
    return out


def _per_category(column: pd.Series, fn, dtype: str, missing=0) -> np.ndarray:
    """``fn`` of each category, spread to the rows through the codes (-1, a missing value → ``missing``)."""
    cat = column.cat
    table = np.array([fn(v) for v in cat.categories] + [missing], dtype=dtype)
    return table[cat.codes.to_numpy()]


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """A column's code per row (-1 where missing) and its distinct values: a categorical's own, or factorized."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), column.cat.categories
    return pd.factorize(column.astype(object))


def _joined(region: pd.Series, name: pd.Series) -> pd.Series:
    """``"East and Horn of Africa › Kenya"`` per row, built once per distinct pair (few, repeated often)."""
    r_codes, r_names = _codes(region)
    n_codes, n_names = _codes(name)
    width = len(n_names) + 1
    key = r_codes.astype(np.int64) * width + n_codes
    # Which of the (few) possible pairs occur: a dense table over them, not a sort of every row's pair.
    seen = np.zeros((len(r_names) + 1) * width, dtype=bool)
    seen[key] = True
    pair = np.flatnonzero(seen)
    labels = [f"{r_names[p // width]} › {n_names[p % width]}" for p in pair]
    index = {v: i for i, v in enumerate(dict.fromkeys(labels))}
    table = np.full(len(seen), -1, dtype=np.int32)
    table[pair] = [index[v] for v in labels]
    codes = table[key]
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(list(index), dtype=object)),
                     index=region.index)


def _hint(suggestion: pd.Series, kind: pd.Series) -> pd.Series:
    """``"did you mean 'Kenya'? "`` where an unknown name has a likely match, else ``""``."""
    has = _present(suggestion) & _equals(kind, "unknown")
    out = np.full(len(suggestion), "", dtype=object)
    if has.any():
        if isinstance(suggestion.dtype, pd.CategoricalDtype):  # one text per distinct suggestion
            texts = np.array([said("did you mean '{name}'? ", name=v) for v in suggestion.cat.categories] + [""],
                             dtype=object)
            out[has] = texts[suggestion.cat.codes.to_numpy()[has]]
        else:
            out[has] = [said("did you mean '{name}'? ", name=v) for v in suggestion[has]]
    return pd.Series(out, index=suggestion.index, dtype=object)


def _present(column: pd.Series) -> np.ndarray:
    """Whether each row has a value."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy() >= 0
    return pd.notna(column.to_numpy(dtype=object))


def _equals(column: pd.Series, value) -> np.ndarray:
    """Whether each row is ``value`` (a missing one is not): per category where the column is categorical."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return _per_category(column, lambda v: v == value, bool)
    return column.to_numpy(dtype=object) == value


def tally(entries: pd.DataFrame) -> pd.DataFrame:
    """What the tables and totals add up, per entry: only the keys and counts, not the ~40 columns of
    ``entries``, which ``assign`` copied before every groupby.

    ``req_amount`` is the amount of a Requirement line (0 for Funded lines and blank amounts)."""
    status = entries["status"]
    req = (status == L.STATUS_REQUIREMENT).to_numpy()
    amount = entries["amount"].to_numpy()
    blank = np.isnan(amount)
    return pd.DataFrame({
        **{c: entries[c] for c in ("scope", "region", "country", "area", "edition", "file")},
        "req_amount": np.where(req & ~blank, amount, 0.0),
        "n_requirement": req.astype("int64"),
        "n_funded": (status == L.STATUS_FUNDED).to_numpy().astype("int64"),
        "n_missing": (req & blank).astype("int64"),
    }, copy=False)


def _computed(counted: pd.DataFrame, key: str) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """What the entries add up to per scope and name, one group each, in order of first appearance: the keys
    (``scope``, ``region``, ``name``, as text) and the sums and counts."""
    g = counted.groupby(["scope", "region", key], sort=False)
    # Plain sum and size, not named aggregations: those run pandas' aggregation machinery once per output
    # column, which dominates on a single workbook.
    sums = g[["req_amount", "n_requirement", "n_funded", "n_missing"]].sum()
    index = sums.index
    keys = {k: np.asarray(index.levels[i], dtype=object)[index.codes[i]]
            for i, k in enumerate(("scope", "region", "name"))}
    values = {"computed_usd": sums["req_amount"].to_numpy(), "n_entries": g.size().to_numpy(),
              **{c: sums[c].to_numpy() for c in ("n_requirement", "n_funded", "n_missing")}}
    return keys, values


def _table(counted: pd.DataFrame, summaries: dict[str, Submission], key: str, which: str) -> pd.DataFrame:
    """Published table rows outer-joined with what the entries add up to (their :func:`tally`), per scope
    and name."""
    rows = "country_rows" if which == "countries" else "area_rows"
    # One frame from every summary's records (not one small frame per summary: 72 of them in an archive).
    pub = pd.DataFrame([{**r, "scope": scope} for scope, s in summaries.items() for r in getattr(s, rows)],
                       columns=[*TABLE_COLUMNS, "scope"])
    comp_keys, comp = _computed(counted, key)
    # An empty side has no dtype to agree on: the keys are text (object) on both sides.
    pub_keys = {k: pub[k].to_numpy(dtype=object) for k in comp_keys}
    # The outer join, done by hand: the published table's rows in its order, each with its computed row if
    # any (one at most: _computed has one group per scope and name), then the names only the entries have,
    # in entry order. A table has few rows (scopes × names) at any batch size, so a dict over them is cheap,
    # and it spares merge's indicator, a second merge for the order and the sort.
    position = {k: i for i, k in enumerate(zip(*comp_keys.values(), strict=True))}
    matched = np.array([position.get(k, -1) for k in zip(*pub_keys.values(), strict=True)],
                       dtype=np.intp)
    used = np.zeros(len(comp_keys["scope"]), dtype=bool)
    used[matched[matched >= 0]] = True
    only_entries = np.flatnonzero(~used)
    right = np.concatenate([matched, only_entries])
    in_table = np.arange(len(right)) < len(pub)
    has_entries = right >= 0
    # reindex fills the rows only the entries have as the outer merge did: NaN, upcasting int and bool columns
    t = pub.reindex(np.where(in_table, np.arange(len(right)), -1))
    t.index = pd.RangeIndex(len(t))
    for k in comp_keys:
        t[k] = pd.Series(np.concatenate([pub_keys[k], comp_keys[k][only_entries]]), index=t.index, dtype=object)
    for c, v in comp.items():
        if has_entries.all():
            t[c] = v[right]
        else:  # a published row without entries counts 0, and the column is float, as the outer merge made it
            joined = np.zeros(len(right), dtype=np.float64)
            joined[has_entries] = v[right[has_entries]]
            t[c] = joined
    t["in_table"] = in_table.astype("int64")
    t["has_entries"] = has_entries.astype("int64")
    scope = t["scope"].to_numpy()
    t["has_summary"] = np.array([s in summaries for s in scope], dtype="int64")
    funded = t["published_funded"].fillna(False).astype(bool).to_numpy()
    t["published_funded"] = funded.astype("int64")
    t["published_usd"] = pd.to_numeric(t["published_usd"], errors="coerce")
    published = t["published_usd"].to_numpy(dtype=np.float64)
    computed = t["computed_usd"].to_numpy()
    gap = published - computed
    t["gap_usd"] = gap
    t["stake"] = np.where(np.isnan(gap), computed, np.abs(gap))
    t["region_country"] = _joined(t["region"], t["name"].astype(str))
    # Rows only the entries have: an unknown name was already reported on the entry, so it must not
    # cascade into table findings.
    vocab = load()
    if key == "country":
        pairs = set(vocab.region_country_pairs())
        known = _per_category(t["region_country"], lambda v: v in pairs, bool)
    else:
        areas = set(vocab.areas.names)
        known = np.array([v in areas for v in t["name"].to_numpy()], dtype=bool)
    kind = t["kind"].to_numpy(dtype=object)
    kind_missing = pd.isna(kind)
    t["name_known"] = (np.array([k in ("canonical", "variant", "misspelt") for k in kind], dtype=bool)
                       | (kind_missing & known)).astype("int64")
    t["name_printed"] = t["name_printed"].fillna("")
    t["value_missing"] = (in_table & np.isnan(published) & has_entries & ~funded).astype("int64")
    # Where a Finding on this row points: the published cell, else the region's summary sheet.
    summary_sheet = {r: Location(s.name, L.SUMMARY) for r, s in summaries.items()}
    location = t["cell_usd"].to_numpy(dtype=object).copy()
    for i in np.flatnonzero(pd.isna(location)):
        location[i] = summary_sheet.get(scope[i], np.nan)
    t["location"] = pd.Series(location, index=t.index, dtype=object)
    t["hint"] = _hint(t["suggestion"], t["kind"])
    t["missing_note"] = [n(int(k), "; {count:,} entry has no amount", "; {count:,} entries have no amount") if k else ""
                         for k in t["n_missing"].tolist()]
    t["row_id"] = np.arange(len(t))
    return t


def _regions(counted, summaries, countries, areas) -> pd.DataFrame:
    g = counted.groupby("scope", sort=False)
    # Plain aggregations (no named agg, no Python lambda per scope), read back as plain values per scope.
    sums = g[["req_amount", "n_funded", "n_missing"]].sum()
    first = g[["region", "edition", "file"]].first()
    files = _files_per_scope(counted)
    by_scope = {scope: {"region": region, "edition": edition, "first_file": file, "computed_total": computed,
                        "n_entries": size, "n_funded": funded, "n_missing": missing, "files": files[scope]}
                for scope, region, edition, file, computed, size, funded, missing in zip(
                    sums.index.tolist(), first["region"].tolist(), first["edition"].tolist(), first["file"].tolist(),
                    sums["req_amount"].tolist(), g.size().tolist(), sums["n_funded"].tolist(),
                    sums["n_missing"].tolist(), strict=True)}
    table_sums = {name: frame.groupby("scope")["published_usd"].sum() for name, frame in
                  (("countries", countries), ("areas", areas))}
    recs = []
    for scope in sorted(set(by_scope) | set(summaries)):
        e = by_scope.get(scope, {})
        s = summaries.get(scope)
        region = s.region if s else e["region"]
        recs.append({
            "scope": scope, "region": region, "edition": s.edition if s else int(e["edition"]),
            "title": (s.title if s else None) or region,
            "has_summary": int(s is not None),
            "published_total": s.total if s else np.nan,
            "total_location": (s.total_cell if s else None) or Location(e.get("first_file") or scope),
            "computed_total": float(e.get("computed_total", 0.0)),
            "country_table_sum": float(table_sums["countries"].get(scope, 0)) if s else np.nan,
            "area_table_sum": float(table_sums["areas"].get(scope, 0)) if s else np.nan,
            "n_entries": int(e.get("n_entries", 0)), "n_funded": int(e.get("n_funded", 0)),
            "n_missing": int(e.get("n_missing", 0)),
            "files": ", ".join(sorted(set(e.get("files", [])) | ({s.name} if s else set()))),
        })
    r = pd.DataFrame(recs, columns=["scope", "region", "edition", "title", "has_summary",
                                    "published_total", "total_location", "computed_total", "country_table_sum",
                                    "area_table_sum", "n_entries", "n_funded", "n_missing", "files"])
    r["published_total"] = pd.to_numeric(r["published_total"], errors="coerce")
    r["total_gap"] = r["published_total"] - r["computed_total"]
    r["country_table_gap"] = r["country_table_sum"] - r["published_total"]
    r["area_table_gap"] = r["area_table_sum"] - r["published_total"]
    for which, frame in (("country", countries), ("area", areas)):
        r[f"{which}_gap_cause"] = _table_gap_causes(r, frame, which)
        r[f"{which}_gap_explained"] = np.array([c != "" for c in r[f"{which}_gap_cause"]], dtype="int64")
    r["row_id"] = np.arange(len(r))
    return r


def _files_per_scope(counted: pd.DataFrame) -> dict[str, set[str]]:
    """The workbooks each scope's entries come from: a dense table over the (few) scope × file pairs, not a
    set built from every entry."""
    scope, file = counted["scope"].cat, counted["file"].cat
    scopes, files = scope.categories.tolist(), file.categories.tolist()
    width = len(files)
    seen = np.zeros(len(scopes) * width, dtype=bool)
    seen[scope.codes.to_numpy().astype(np.int64) * width + file.codes.to_numpy()] = True
    out: dict[str, set[str]] = {}
    for p in np.flatnonzero(seen).tolist():
        out.setdefault(scopes[p // width], set()).add(files[p % width])
    return out


def _table_gap_causes(regions: pd.DataFrame, table: pd.DataFrame, which: str) -> list[str]:
    """Per region, what already explains the gap between a table's sum and the published total — or ``""``.

    The real cause is reported first and the table's sum then only as info (see README › The real cause
    first): the total itself is off while the table adds up to the entries (TOTAL-ENTRIES), or the gap is
    exactly the entries of names that have no row in the table (COUNTRY-/AREA-NOT-IN-TABLE).
    """
    missing = names = None
    out = []
    for scope, table_sum, total, computed in zip(regions["scope"], regions[f"{which}_table_sum"],
                                                 regions["published_total"], regions["computed_total"],
                                                 strict=True):
        if pd.isna(table_sum) or pd.isna(total) or abs(table_sum - total) < 0.5:
            out.append("")
        elif abs(table_sum - computed) < 0.5:
            out.append(said("the country table adds up to the entries ({computed:usd}); the published total "
                            "({total:usd}) is what is off", computed=computed, total=total) if which == "country"
                       else said("the area table adds up to the entries ({computed:usd}); the published total "
                                 "({total:usd}) is what is off", computed=computed, total=total))
        else:
            if missing is None:  # only a table that does not add up needs the names missing from it
                absent = table[(table["in_table"] == 0) & (table["has_entries"] == 1) & (table["name_known"] == 1)]
                missing = absent.groupby("scope")["computed_usd"].sum()
                names = absent.groupby("scope")["name"].apply(lambda n: ", ".join(map(str, n)))
            explained = scope in missing.index and abs(table_sum + missing[scope] - total) < 0.5
            out.append(_gap_of_missing(which, names[scope], missing[scope]) if explained else "")
    return out


def _pie(areas: pd.DataFrame, regions: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Each area's share of the published total, rounded as a chart label would be.

    The share is the published area USD over the published total (the chart plots the published table);
    where either is missing, computed values stand in. ``expected_half_up`` uses the slice's own printed
    precision; ``expected_lr`` is largest-remainder rounding of all slices to sum to 100 %.
    """
    rnd = RULES[params["rounding"]]
    target = int(params["percent_target"])
    areas = areas.copy()
    out = {c: np.full(len(areas), np.nan) for c in ("share_pct", "published_pct", "decimals", "expected_half_up",
                                                   "expected_lr")}
    # Per scope through dicts and row positions: a table has few rows at any batch size.
    scopes = regions["scope"].tolist()
    published_total = dict(zip(scopes, regions["published_total"].tolist(), strict=True))
    computed_total = dict(zip(scopes, regions["computed_total"].tolist(), strict=True))
    published_usd = areas["published_usd"].to_numpy(dtype=np.float64)
    usd_all = np.where(np.isnan(published_usd), areas["computed_usd"].to_numpy(), published_usd)
    texts_all = areas["percent_text"].to_numpy()
    scope_all = areas["scope"].tolist()
    rows_of: dict[str, list[int]] = {}
    for k, scope in enumerate(scope_all):
        rows_of.setdefault(scope, []).append(k)
    for region, where in rows_of.items():
        total = published_total[region]
        if pd.isna(total) or total == 0:
            total = computed_total[region]
        if not total or pd.isna(total):
            continue
        shares = [Fraction(v) * 100 / Fraction(total) for v in usd_all[where]]
        decimals = [printed_decimals(t) if isinstance(t, str) else None for t in texts_all[where]]
        depth = max([d for d in decimals if d is not None], default=1)
        lr = largest_remainder_range(shares, depth, target)
        for i, (k, share, d) in enumerate(zip(where, shares, decimals, strict=True)):
            out["share_pct"][k] = float(share)
            if d is None:
                continue
            published = _to_float(texts_all[k])
            out["decimals"][k], out["published_pct"][k] = d, published
            out["expected_half_up"][k] = float(rnd(share, d))
            low, high = (float(rnd(x, d)) for x in lr[i])
            # Nearest largest-remainder value (a slice tied for the last unit may have it or not).
            out["expected_lr"][k] = min((low, high), key=lambda v: abs(v - published))
    for col, values in out.items():
        areas[col] = values
    half_up_diff = out["published_pct"] - out["expected_half_up"]
    areas["half_up_diff"] = half_up_diff
    areas["lr_abs_diff"] = np.abs(out["published_pct"] - out["expected_lr"])
    labelled = pd.notna(texts_all)
    areas["labelled"] = labelled.astype("int64")
    # A region that prints no % label at all published no pie chart: one regional finding, not one per slice.
    charted = {scope for scope, has in zip(scope_all, labelled.tolist(), strict=True) if has}
    areas["chart_published"] = np.array([scope in charted for scope in scope_all], dtype="int64")
    cell_percent = areas["cell_percent"].to_numpy(dtype=object)
    areas["pct_location"] = pd.Series(np.where(pd.isna(cell_percent), areas["location"].to_numpy(dtype=object),
                                               cell_percent), index=areas.index, dtype=object)
    pct_stake = np.abs(half_up_diff) / 100 * published_usd
    areas["pct_stake"] = np.where(np.isnan(pct_stake), 0.0, pct_stake)
    areas = _follows_table(areas, regions, rnd)
    return areas


def _follows_table(areas: pd.DataFrame, regions: pd.DataFrame, rnd) -> pd.DataFrame:
    """``follows_table`` = 1 where a label that misses its share of the published total is exactly its share
    of the area table's own sum while the total is off: the chart is right and the total is the cell to fix,
    so the slice is reported only as info pointing at the total (PIE-SLICE-FOLLOWS-TABLE)."""
    scopes = regions["scope"].tolist()
    by_scope = {c: dict(zip(scopes, regions[c].tolist(), strict=True)) for c in ("area_table_sum", "published_total")}
    scope = areas["scope"].tolist()
    table_sum = np.array([by_scope["area_table_sum"].get(s, np.nan) for s in scope], dtype=float)
    total = np.array([by_scope["published_total"].get(s, np.nan) for s in scope], dtype=float)
    follows = np.zeros(len(areas), dtype="int64")
    own = np.full(len(areas), np.nan)
    usd = areas["published_usd"].to_numpy(dtype=float)
    for k, (d, pct, miss) in enumerate(zip(areas["decimals"], areas["published_pct"], areas["half_up_diff"],
                                           strict=True)):
        if pd.isna(d) or pd.isna(usd[k]) or pd.isna(table_sum[k]) or not table_sum[k] or pd.isna(total[k]) \
                or abs(table_sum[k] - total[k]) < 0.5:
            continue
        own[k] = float(rnd(Fraction(usd[k]) * 100 / Fraction(table_sum[k]), int(d)))
        follows[k] = int(abs(miss) > 1e-9 and abs(own[k] - pct) <= 1e-9)
    areas["table_share_pct"] = own
    areas["follows_table"] = follows
    areas["total_location"] = areas["scope"].map(regions["total_location"].set_axis(scopes))
    return areas


def _to_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return np.nan


def _pie_sums(regions: pd.DataFrame, areas: pd.DataFrame, target: int) -> pd.DataFrame:
    """Sum of the printed % per region, and how far it may stray from ``target`` (the suites' percent
    target) through rounding alone (half a unit of each slice's printed precision)."""
    labelled = areas["decimals"].notna().to_numpy()
    # Summed by groupby over the labelled slices only, as always: how pandas sums floats depends on whether
    # the values hold a NaN. The counts and allowances are per scope over the table's few rows.
    sums = areas.loc[labelled, ["scope", "published_pct"]].groupby("scope")["published_pct"].sum().to_dict()
    labels: dict[str, int] = {}
    allowance: dict[str, float] = {}
    for scope, d in zip(areas["scope"].to_numpy()[labelled].tolist(), areas["decimals"].to_numpy()[labelled].tolist(),
                        strict=True):
        labels[scope] = labels.get(scope, 0) + 1
        allowance[scope] = allowance.get(scope, 0) + 0.5 * 10.0 ** -d
    scopes = regions["scope"].tolist()
    pct_sum = np.array([sums[s] if s in labels else np.nan for s in scopes], dtype=float)
    pct_allowance = np.array([allowance.get(s, np.nan) for s in scopes], dtype=float)
    regions = regions.copy()
    regions["pct_sum"] = pct_sum
    regions["pct_allowance"] = pct_allowance
    regions["pct_sum_excess"] = np.abs(pct_sum - target) - pct_allowance
    regions["pie_labels"] = np.array([labels.get(s, 0) for s in scopes], dtype="int64")
    return regions


def _gap_of_missing(which: str, rows: str, usd: float):
    """``"the gap is the entries of Georgia (1,000,000), which has no row in the country table"``."""
    count = rows.count(",") + 1
    if which == "country":
        return n(count, "the gap is the entries of {rows} ({usd:usd}), which has no row in the country table",
                 "the gap is the entries of {rows} ({usd:usd}), which have no row in the country table",
                 rows=rows, usd=usd)
    return n(count, "the gap is the entries of {rows} ({usd:usd}), which has no row in the area table",
             "the gap is the entries of {rows} ({usd:usd}), which have no row in the area table", rows=rows, usd=usd)
