"""The validation report attached to a budget revision: four files from one record.

>>> paths = write_reports(pipeline.run(["workbooks/mi2015"]), "out/", previous="rev1/report.json")  # doctest: +SKIP
>>> sorted(p.name for p in paths.values())                                                          # doctest: +SKIP
['report.html', 'report.json', 'report.md', 'report.xlsx']

``report.json`` (:mod:`recon.report.record`) is built first; the HTML, XLSX and Markdown render from it, so
the four always agree. They are written into a staging folder and moved into ``directory`` together, under a
lock (see :mod:`recon.output`). ``previous`` — a folder of workbooks or a report.json — adds what changed since then.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from recon.errors import OutputError
from recon.inert import line
from recon.output import ReportFolder

FILES = ("report.json", "report.html", "report.xlsx", "report.md")


def write_reports(result, directory: str | Path, previous: str | Path | dict | None = None, *,
                  now: dt.datetime | None = None,
                  folder: ReportFolder | None = None, lang: str = "en") -> dict[str, Path]:
    """Write report.{json,html,xlsx,md} into ``directory`` (created if needed); return their paths.

    report.json is language-neutral (each finding's msgid and parameters, with its English text); the HTML,
    XLSX and Markdown say the findings in ``lang``. The four appear together or not at all (:class:`recon.output.ReportFolder`); pass ``folder`` when the
    caller took the folder's lock before the run (the CLI does, to refuse a busy folder before any work).
    """
    from recon.reconciliation import snapshot
    from recon.report import diff, html, memo, record, xlsx

    if folder is None:
        inputs = [*result.inputs, *([Path(previous)] if isinstance(previous, str | Path) else [])]
        with ReportFolder(Path(directory), FILES, inputs) as own:
            return write_reports(result, directory, previous, now=now, folder=own, lang=lang)
    changes = None
    if previous is not None:
        from recon.pipeline import (
            revision,  # a report.json, a report folder, workbooks: as `recon diff` reads them
        )

        before = previous if isinstance(previous, dict) else revision(previous)
        now_snapshot = snapshot.of(result.reconciliation, label="this revision")
        changes = diff.compare(before, now_snapshot)
    rec = record.build(result, previous=changes, now=now)
    try:
        record.write(rec, folder.path("report.json"))
        shown = said_in(rec, result.findings, lang)
        folder.path("report.html").write_text(html.render(shown), encoding="utf-8")
        xlsx.write(shown, folder.path("report.xlsx"))
        folder.path("report.md").write_text(memo.render(shown), encoding="utf-8")
    except OSError as exc:  # disk full, quota: one line naming the folder; the previous reports stay
        raise OutputError(f"{line(directory)}: cannot write the reports ({exc.strerror or exc}); the previous "
                          "reports there are unchanged") from exc
    return folder.commit()


def said_in(rec: dict, findings, lang: str) -> dict:
    """``rec`` with each finding's message and suggestion said in ``lang`` (the record lists ``findings`` in
    the same order)."""
    if lang == "en":
        return rec
    said = [{**d, "message": m, "suggestion": sg, "expected": e, "actual": a} for d, (m, sg, e, a) in
            zip(rec["findings"], (f.said_in(lang) + f.figures_in(lang) for f in findings), strict=True)]
    return {**rec, "findings": said, "language": lang}
