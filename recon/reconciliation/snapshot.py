"""A reconciliation as plain data — its entries and published tables with their cells — and the same read
back from a ``report.json``, which stores it: what ``recon diff`` compares and a report's ``--previous`` is.

>>> snap = of(reconcile(submissions), label="revision 2")                      # doctest: +SKIP
>>> snap["entries"][0]                                                          # doctest: +SKIP
{'region': 'East and Horn of Africa', 'country': 'Kenya', 'area': 'Migration Health', 'amount': 1500000.0,
 'status': 'Requirement', 'location': 'ehoa.xlsx › Entries › C2'}
"""

from __future__ import annotations

import json
from pathlib import Path

from recon.appeal.money import as_number, missing
from recon.errors import UsageError
from recon.inert import line
from recon.reconciliation.reconcile import entry_cells

REPORT_JSON = "report.json"
_num = as_number


def _text(x) -> str | None:
    return None if missing(x) else str(x)


def of(reconciliation, label: str = "", inputs: list[dict] | None = None) -> dict:
    """A Reconciliation → ``{"label", "inputs", "entries": [...], "published": [...]}`` (JSON-ready)."""
    e = reconciliation.entries
    by = "scope" if "scope" in e.columns else "region"  # "region · edition" when a batch holds several editions
    e = e[[by, "country", "area", "amount", "status"]].astype({by: object, "country": object, "area": object,
                                                               "status": object}).assign(location=entry_cells(e))
    entries = [{"region": r[by], "country": r["country"], "area": r["area"], "amount": _num(r["amount"]),
                "status": _text(r["status"]), "location": _text(r["location"])} for r in e.to_dict("records")]
    published = []
    seen = set()
    # Submissions are sorted so that the revision the merge used comes last for each office.
    for s in reversed(reconciliation.submissions):
        if not s.has_summary or s.region in seen:
            continue
        seen.add(s.region)
        published.append({
            "region": s.region, "title": s.title, "total": _num(s.total), "total_location": _text(s.total_cell),
            "countries": _rows(s.countries, with_percent=False), "areas": _rows(s.areas, with_percent=True)})
    published.sort(key=lambda p: p["region"])
    if inputs is None:
        inputs = [{"file": s.name, "sha256": s.sha256} for s in reconciliation.submissions]
    return {"label": label, "inputs": inputs, "entries": entries, "published": published}


def _rows(table, with_percent: bool) -> list[dict]:
    rows = []
    for r in table.to_dict("records"):
        row = {"name": r["name"], "name_printed": r["name_printed"], "usd": _num(r["published_usd"]),
               "funded": bool(r["published_funded"]), "location": _text(r["cell_usd"])}
        if with_percent:
            row["percent"] = _text(r["percent_text"])
            row["percent_location"] = _text(r["cell_percent"])
        rows.append(row)
    return rows


def record_path(path: str | Path) -> Path | None:
    """The ``report.json`` that ``path`` names: itself (any ``.json`` file), or the one in a report folder;
    None for anything else (a folder of workbooks)."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".json":
        return path
    if path.is_dir() and (path / REPORT_JSON).is_file():  # a report folder (its report.xlsx is no input)
        return path / REPORT_JSON
    return None


def load(path: str | Path) -> dict:
    """A ``report.json`` (or a report folder holding one) → the snapshot it stores; one line if it is not one."""
    found = record_path(path)
    if found is None:
        raise UsageError(f"{line(path)}: no {REPORT_JSON} here")
    return from_record(found)


def from_record(path: str | Path) -> dict:
    """A report.json under any file name (the archive stores it by its SHA-256) → the snapshot it stores;
    one line if it is not one."""
    path = Path(path)
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"{line(path)}: cannot read this report.json ({exc.strerror or exc})") from exc
    except RecursionError as exc:
        raise UsageError(f"{line(path)}: not a recon report.json (nested too deeply to be one)") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise UsageError(f"{line(path)}: not a readable report.json ({line(exc)})") from exc
    if not isinstance(data, dict) or "entries" not in data or "published" not in data:
        raise UsageError(f"{line(path)}: not a recon report.json (no 'entries' and 'published'); write one with "
                         "`recon reconcile --report-dir DIR`")
    problem = _record_problem(data)
    if problem:
        raise UsageError(f"{line(path)}: not a valid recon report.json ({line(problem)}); write a new one with "
                         "`recon reconcile --report-dir DIR`")
    inputs = [{"file": i.get("file"), "sha256": i.get("sha256")} for i in data.get("inputs") or []]
    return {"label": str(path), "inputs": inputs, "entries": data["entries"], "published": data["published"]}


# What recon diff reads from a report.json, field by field (recon/data/report.schema.json, the parts diff uses;
# None is accepted where old records or unnamed rows may hold it).
_TEXT, _TEXT_OR_NONE, _NUMBER_OR_NONE, _FLAG = (str,), (str, type(None)), (int, float, type(None)), (bool,)
_ENTRY = {"region": _TEXT, "country": _TEXT_OR_NONE, "area": _TEXT_OR_NONE, "amount": _NUMBER_OR_NONE,
          "status": _TEXT_OR_NONE, "location": _TEXT_OR_NONE}
_PUBLISHED = {"region": _TEXT, "title": _TEXT_OR_NONE, "total": _NUMBER_OR_NONE, "total_location": _TEXT_OR_NONE,
              "countries": (list,), "areas": (list,)}
_ROW = {"name": _TEXT, "name_printed": _TEXT_OR_NONE, "usd": _NUMBER_OR_NONE, "funded": _FLAG,
        "location": _TEXT_OR_NONE}
_AREA_ROW = {**_ROW, "percent": _TEXT_OR_NONE, "percent_location": _TEXT_OR_NONE}
_INPUT = {"file": _TEXT_OR_NONE, "sha256": _TEXT_OR_NONE}


def _record_problem(data: dict) -> str | None:
    """The first thing in a report.json that recon diff cannot use, e.g. ``"entries[3].amount is 'abc'"``."""
    def fields(obj, spec: dict, where: str) -> str | None:
        if not isinstance(obj, dict):
            return f"{where} is not an object"
        for key, types in spec.items():
            if key not in obj:
                return f"{where} has no '{key}'"
            value = obj[key]
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                return f"{where}.{key} is {_brief(value)}"
        return None

    def rows(items, spec: dict, where: str) -> str | None:
        if not isinstance(items, list):
            return f"'{where}' is not a list"
        return next((p for i, item in enumerate(items) if (p := fields(item, spec, f"{where}[{i}]"))), None)

    if (p := rows(data["entries"], _ENTRY, "entries")) or (p := rows(data["published"], _PUBLISHED, "published")):
        return p
    if "inputs" in data and data["inputs"] is not None and (p := rows(data["inputs"], _INPUT, "inputs")):
        return p
    for i, pub in enumerate(data["published"]):
        if (p := rows(pub["countries"], _ROW, f"published[{i}].countries")) or \
                (p := rows(pub["areas"], _AREA_ROW, f"published[{i}].areas")):
            return p
    return None


def _brief(value) -> str:
    kind = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(type(value))
    if kind == "text":
        return f"the text {value[:40]!r}"
    return kind or f"the number {value!r}"
