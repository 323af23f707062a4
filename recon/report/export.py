"""Consolidated entries as CSV or JSON: ``region,country,area,amount_usd,status,source`` — as CSV optionally
with a row of HXL hashtags under the header (:data:`HXL`).

Every text column (Status included) goes through :func:`recon.inert.cell`: text a spreadsheet would run as
a formula (``=HYPERLINK(...)``, ``+1``, ``@SUM``) gets a leading apostrophe and control characters are
escaped, so an exported file is safe to open in Excel. Written to a file, the CSV starts with a UTF-8 BOM
(:data:`CSV_ENCODING`) so that Excel reads it as UTF-8; on standard output it has none, for pipes.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd

from recon.inert import cell
from recon.reconciliation.reconcile import entry_cells
from recon.workbook import layout as L
from recon.workbook import words as W

COLUMNS = ("region", "country", "area", "amount_usd", "status", "source")
# The HXL hashtag of each column (https://hxlstandard.org/standard/1-1final/dictionary/): the row under the
# header of `recon export --hxl`, by which HDX tools find the columns whatever the header says. The entry
# columns carry the same tags as the template's HXL row.
HXL = {"region": "#region+name", "country": W.HASHTAGS["country"], "area": W.HASHTAGS["area"],
       "amount_usd": W.HASHTAGS["amount"], "status": W.HASHTAGS["status"], "source": W.HASHTAGS["source"]}
CSV_ENCODING = "utf-8-sig"  # a file: BOM first, or Excel shows "CÃ´te d'Ivoire"


def entries_frame(entries: pd.DataFrame) -> pd.DataFrame:
    status = entries["status"].astype(object)
    out = pd.DataFrame({
        "region": entries["region"].astype(object),
        "country": entries["country"].astype(object),
        "area": entries["area"].astype(object),
        "amount_usd": entries["amount"],
        "status": status.map({L.STATUS_REQUIREMENT: "requirement", L.STATUS_FUNDED: "funded"})
        .fillna(status.str.lower()),
        "source": entry_cells(entries),
    })
    return out.sort_values(["region", "country", "area"], kind="stable").reset_index(drop=True)


def _amount(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return int(x) if float(x).is_integer() else float(x)


def to_csv(entries: pd.DataFrame, hxl: bool = False) -> str:
    """The CSV; with ``hxl``, the hashtag row (:data:`HXL`) under the header."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    if hxl:
        w.writerow([HXL[c] for c in COLUMNS])
    for row in entries_frame(entries).itertuples(index=False):
        amount = _amount(row.amount_usd)
        w.writerow([cell(row.region), cell(row.country), cell(row.area), "" if amount is None else amount,
                    cell(row.status), cell(row.source)])
    return buf.getvalue()


def to_json(entries: pd.DataFrame) -> str:
    records = [{**r, "amount_usd": _amount(r["amount_usd"])}
               for r in entries_frame(entries).to_dict("records")]
    return json.dumps({"entries": records}, indent=1, ensure_ascii=False)
