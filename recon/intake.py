"""An office's upload, start to verdict: exactly what ``recon check FILE`` runs, plus the office check.

The web layer hands over a file already on disk (under the name the office gave it, made safe) and the
office its link belongs to; :class:`Checker` reads it (the guard first: format, zip bomb, entities), refuses a
workbook made for another office, runs every rule with suites built once, and returns a :class:`Verdict`:

>>> checker = Checker()                                                  # doctest: +SKIP
>>> v = checker.check(Path("/tmp/x/kenya.xlsx"), "East and Horn of Africa", "Kenya")   # doctest: +SKIP
>>> v.status, v.counts
('accepted', {'error': 1, 'warning': 0, 'info': 0})

A refused verdict carries one line saying why and what to do, e.g. ``"this workbook is for East and Horn of
Africa › Uganda; this link is for East and Horn of Africa › Kenya — ..."``.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from recon import pipeline, speed
from recon.appeal.finding import JSON_KEYS, SAYABLE, Finding, count_by_severity
from recon.appeal.location import Location
from recon.appeal.vocabulary import load
from recon.archive.holds import hold
from recon.errors import UsageError
from recon.language import DEFAULT, Text


@dataclass
class Verdict:
    status: str  # "accepted" | "refused"
    reason: str | None = None
    findings: list[dict] = field(default_factory=list)  # stored() each, worst first
    rules_version: str | None = None
    seconds: float = 0.0  # wall clock
    cpu_seconds: float = 0.0  # CPU time of the checking thread and of the rules' partner process

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(as_findings(self.findings))


def as_findings(rows: list[dict]) -> list[Finding]:
    """Findings stored by :func:`stored` → Findings whose message and suggestion can be said in any language
    again (from ``"texts"``, when stored with them) and whose location has its parts (from
    ``"location_parts"``; one stored before locations kept their parts names no cell)."""
    out = []
    for r in rows:
        fields = {k: r.get(k) for k in JSON_KEYS}
        for k, data in (r.get("texts") or {}).items():
            if k in SAYABLE and isinstance(fields.get(k), str):
                fields[k] = Text.from_json(data, english=fields[k])
        parts, text = r.get("location_parts"), fields["location"]
        fields["location"] = Location(*parts) if parts else (Location(text) if text else None)
        out.append(Finding(**fields))
    return out


def resolve_office(region: str, country: str | None = None) -> tuple[str, str | None]:
    """Canonical names: ``("east and horn of africa", "kenya")`` → ``("East and Horn of Africa", "Kenya")``;
    ValueError naming the choices for an unknown one."""
    vocab = load()
    reg = vocab.region(region)
    if reg is None:
        raise UsageError(f"unknown region {region!r}; one of: {', '.join(vocab.regions)}")
    if not country:
        return reg.name, None
    match = reg.countries.resolve(country)
    if match.name is None or match.kind == "misspelt":
        hint = f" (did you mean {match.suggestion!r}?)" if match.suggestion else ""
        raise UsageError(f"{country!r} is not a country of {reg.name}{hint}")
    return reg.name, match.name


def office_of(submission) -> tuple[str, str | None]:
    """The office a workbook's hidden ``_meta`` sheet names, canonical where recon knows the names."""
    country = str(submission.meta.get("country") or "").strip() or None
    try:
        return resolve_office(submission.region, country)
    except ValueError:
        return submission.region, country


def office_label(region: str, country: str | None) -> str:
    return f"{region} › {country}" if country else region


class Checker:
    """Great Expectations imported and every suite built once; :meth:`check` may be called from any thread
    (one at a time: the GX context is shared, so runs are serialised by a lock).

    Built from the main thread before any other starts (as ``recon serve`` builds it), it also forks its
    partner: a second process with the same rules that shares each upload's suites with the checking thread
    (:mod:`recon.speed.partner`); :meth:`close` ends it."""

    def __init__(self, rules_dir: Path | None = None):
        self.rules_dir = rules_dir
        # An upload's verdict is its findings; GX's raw results are never shown, so they need not be kept.
        self.rules = pipeline.prepare_rules(rules_dir, raw_results=False)
        self.version = self.rules.loaded.version  # the suites as read once, not read and hashed again
        self._lock = threading.Lock()
        self.partner = speed.start_partner(self.rules)

    def close(self) -> None:
        if self.partner is not None:
            self.partner.close()

    def check(self, path: Path, region: str, country: str | None) -> Verdict:
        started, cpu = time.perf_counter(), time.thread_time()
        theirs = self.partner.cpu_seconds if self.partner else 0.0
        with speed.batch():  # an upload is a batch of one: the cycle collector waits until it is checked
            verdict = self._check(path, region, country)
        verdict.seconds = time.perf_counter() - started
        # CPU in this thread and in the partner process: what the verdict costs, whichever core ran it
        verdict.cpu_seconds = time.thread_time() - cpu + (self.partner.cpu_seconds - theirs if self.partner else 0.0)
        return verdict

    def _check(self, path: Path, region: str, country: str | None) -> Verdict:
        subs, bad = pipeline.read_all([path], workers=1)
        if bad:
            return Verdict("refused", str(bad[0]))
        sent = office_of(subs[0])
        if sent != (region, country):
            return Verdict("refused", f"this workbook is for {office_label(*sent)}, but this link is for "
                           f"{office_label(region, country)} — upload your own office's workbook, or start from "
                           f"`recon template --region \"{region}\"" + (f" --country \"{country}\"`" if country
                                                                       else "`"))
        with self._lock:
            result = pipeline.run_submissions(subs, bad, inputs=[path], prepared=self.rules, partner=self.partner)
        return Verdict("accepted", None, [stored(f) for f in result.findings], self.version)


def receive(archive, checker: Checker, office, path: Path, **who):
    """Store ``path`` (already under its safe name), check it for ``office`` and record the revision:
    what an upload does, and what ``recon serve --demo`` does with the bundled workbooks."""
    sha, size = archive.store.put_file(path)
    hold("upload-stored")  # a test kills the process here: the file is stored, its revision not yet recorded
    verdict = checker.check(path, office.region, office.country)
    return archive.record(office.id, filename=path.name, status=verdict.status, reason=verdict.reason,
                          sha256=sha, size=size, findings=verdict.findings, rules_version=verdict.rules_version,
                          check_ms=round(verdict.seconds * 1000), check_cpu_ms=round(verdict.cpu_seconds * 1000),
                          **who)


def annotate(source: Path, findings: list[dict], out: Path) -> list[str]:
    """The annotated copy (recon check --annotate) of ``source`` at ``out``; → what could not be kept."""
    from recon.workbook.annotate import write_copy

    return write_copy(source, as_findings(findings), out).lost


def snapshot(path: Path, label: str) -> dict:
    """One workbook as a :mod:`recon.report.diff` snapshot (what ``recon diff`` compares)."""
    from recon.reconciliation import snapshot as snap
    from recon.reconciliation.reconcile import reconcile

    subs, bad = pipeline.read_all([path], workers=1)
    if bad:
        raise ValueError(str(bad[0]))
    return snap.of(reconcile(subs), label=label)


def scratch() -> tempfile.TemporaryDirectory:
    """A private temporary folder for one upload."""
    return tempfile.TemporaryDirectory(prefix="recon-upload-")


def workbook_language(path: Path) -> str:
    """The language an accepted workbook was written in (its hidden _meta sheet's ``language``, as
    `recon template --lang` writes it): ``"fr"``; English when it says none or cannot be read."""
    import python_calamine as pc

    from recon.workbook import layout as L
    from recon.workbook.annotate import meta_language
    from recon.workbook.guard import check_container, read_input
    from recon.workbook.read import CalamineSource

    try:
        data = read_input(path)
        source = CalamineSource(pc.CalamineWorkbook.from_filelike(io.BytesIO(data)), path.name,
                                check_container(data, path.name))
        return meta_language(source.rows(L.META) if L.META in source.sheet_names else None)
    except Exception:  # noqa: BLE001 — a page's default language is never worth an error page
        return DEFAULT


def stored(f: Finding) -> dict:
    """What the archive keeps of a finding: :meth:`Finding.to_json`; its location's parts
    (``"location_parts": ["k.xlsx", "Entries", "C12"]``), so that an annotated copy marks the cell without
    reading the location's text back; and its texts as msgids and parameters, so that the office's page says
    it in the office's language."""
    where, texts = f.location, f.texts()
    out = {**f.to_json(), "location_parts": None if where is None else [where.file, where.sheet, where.cell]}
    return {**out, "texts": texts} if texts else out
