"""The validation report attached to a budget revision: four files from one record.

>>> paths = write_reports(pipeline.run(["workbooks/mi2015"]), "out/", previous="rev1/report.json")  # doctest: +SKIP
>>> sorted(p.name for p in paths.values())                                                          # doctest: +SKIP
['report.html', 'report.json', 'report.md', 'report.xlsx']

``report.json`` (:mod:`recon.report.record`) is built first; the HTML, XLSX and Markdown render from it, so
the four always agree. ``previous`` — a folder of workbooks or a report.json — adds what changed since then.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

FILES = ("report.json", "report.html", "report.xlsx", "report.md")


def write_reports(result, directory: str | Path, previous: str | Path | dict | None = None, *,
                  now: dt.datetime | None = None) -> dict[str, Path]:
    """Write report.{json,html,xlsx,md} into ``directory`` (created if needed); return their paths."""
    from recon import diff
    from recon.report import html, memo, record, xlsx

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    changes = None
    if previous is not None:
        before = previous if isinstance(previous, dict) else diff.load(previous)
        now_snapshot = diff.snapshot(result.reconciliation, label="this revision")
        changes = diff.compare(before, now_snapshot)
    rec = record.build(result, previous=changes, now=now)
    paths = {name: directory / name for name in FILES}
    record.write(rec, paths["report.json"])
    paths["report.html"].write_text(html.render(rec), encoding="utf-8")
    xlsx.write(rec, paths["report.xlsx"])
    paths["report.md"].write_text(memo.render(rec), encoding="utf-8")
    return paths
