"""report.md: a short summary to paste into the revision memo.

Workbook text is escaped for Markdown (``|``, ``*``, ``<`` …) so that a name cannot break the table or
inject HTML where the memo is rendered, and its control characters (ESC, BEL …) are shown escaped.
"""

from __future__ import annotations

import re

from recon.appeal.money import usd, usd_change
from recon.inert import line
from recon.language import gettext_in, n
from recon.report import diff

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
MAX_LISTED = 10  # errors listed by name; the rest are in report.html / report.xlsx


def md(text) -> str:
    """``"a|b <script>"`` → ``"a\\|b \\<script\\>"``; newlines become spaces (one table cell, one line)."""
    return _SPECIAL.sub(r"\\\1", line(" ".join(str(text).split()))) if text is not None else ""


_usd = usd


def render(record: dict) -> str:
    """The memo, in the record's ``language`` (set by :func:`recon.report.said_in`; English without it)."""
    lang = record.get("language", "en")
    c = record["counts"]
    workbooks = n(len(record["inputs"]), "{count:,} workbook", "{count:,} workbooks").said_in(lang)
    entries = n(len(record["entries"]), "{count:,} entry", "{count:,} entries").said_in(lang)
    errors, warnings, info = (n(c[k], one, many).said_in(lang) for k, one, many in (
        ("error", "{count:,} error", "{count:,} errors"), ("warning", "{count:,} warning", "{count:,} warnings"),
        ("info", "{count:,} info", "{count:,} info")))
    lines = [
        gettext_in(lang, "**Validation of the funding appeal** — {date} · recon {version} · rules {rules} · "
                         "{workbooks}, {entries}").format(
            date=record["generated_at"], version=record["recon_version"], rules=record["rules"]["version"],
            workbooks=workbooks, entries=entries),
        "",
        gettext_in(lang, "Result: **{errors}**, {warnings}, {info}.").format(errors=errors, warnings=warnings,
                                                                            info=info),
        "",
        "| Region | Published total | Computed total | Gap | Errors | Warnings | Pie slices marked |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    marked = {p["region"]: p["marked"] for p in record["pies"]}
    for g in record["regions"]:
        lines.append(f"| {md(g['region'])} | {_usd(g['published_total'])} | {_usd(g['computed_total'])} | "
                     f"{_usd(g['gap']) if g['gap'] else '0' if g['gap'] == 0 else '—'} | {g['error']} | "
                     f"{g['warning']} | {marked.get(g['region'], '—')} |")
    errors = [f for f in record["findings"] if f["severity"] == "error"]
    if errors:
        lines += ["", "Errors:", ""]
        for f in errors[:MAX_LISTED]:
            region = f["region"] or ""
            message = f["message"].removeprefix(f"{region}: ") if region else f["message"]  # said once
            lines.append(f"- {md(region)}: {md(message)} ({md(f['location'] or '')})")
        if len(errors) > MAX_LISTED:
            lines.append(f"- … and {len(errors) - MAX_LISTED} more (see report.html)")
    d = record.get("previous")
    if d:
        t = d["requirement"]["total"]
        lines += ["", f"Since the previous revision ({md(d['old']['label'])}): {len(d['changes'])} changes; "
                  f"requirement {_usd(t['old'])} → {_usd(t['new'])} ({usd_change(t['change'])}).", ""]
        lines += [f"- {md(ch['region'])}: {md(diff.describe(ch))}" for ch in d["changes"][:MAX_LISTED]]
        if len(d["changes"]) > MAX_LISTED:
            lines.append(f"- … and {len(d['changes']) - MAX_LISTED} more (see report.html)")
    lines += ["", "Inputs (SHA-256, first 12 hex digits; full hashes in report.json): " +
              ", ".join(f"{md(i['file'])} `{(i['sha256'] or '?')[:12]}`" for i in record["inputs"]) + "."]
    return "\n".join(lines) + "\n"
