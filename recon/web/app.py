"""The upload site: one Starlette application, server-rendered pages, every check done by the library.

Who may see what: an office's link (``/o/<secret>``) opens a session for that office alone and redirects
away from the secret; an HQ user logs in with a password and sees every office. Anyone else — or an office
asking for another office's page — gets "not found". Checks run in one worker thread (the GX context is
shared, see :class:`recon.intake.Checker`), so the event loop keeps serving pages meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from recon import intake
from recon.archive import Archive, Throttled, findings_of, safe_filename
from recon.archive.freeze import NothingToFreeze
from recon.archive.store import ArchiveFull, no_space_is_clear
from recon.language import (
    DEFAULT,
    LANGUAGES,
    N_,
    NAMES,
    Text,
    decimal_text,
    from_accept_language,
    in_language,
    number,
    said,
    signed,
    translations,
)
from recon.web import security as sec

HERE = Path(__file__).resolve().parent
log = logging.getLogger("recon.web")
NOT_STORED = N_("HQ's server has no room left to store your workbook, so it was not stored or checked. Nothing "
                "is lost on your side: keep your file and upload it again later, or send it to HQ.")
MAX_UPLOAD_MB = 20  # regional workbooks are ~100 KB; RECON_MAX_UPLOAD_MB raises it
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEVERITY_ORDER = ("error", "warning", "info")
REPORT_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json", "md": "text/markdown; charset=utf-8",
                "xlsx": XLSX}


@dataclass
class Who:
    """The requester: an HQ user (sees every office) or one office through one of its links."""

    user_id: int | None = None
    user_name: str | None = None
    office_id: int | None = None
    token_id: int | None = None

    @property
    def hq(self) -> bool:
        return self.user_id is not None

    def may_see(self, office_id: int) -> bool:
        return self.hq or self.office_id == office_id

    @property
    def uploader(self) -> str:
        return self.user_name if self.hq else f"office link #{self.token_id}"  # stored; shown by uploader_in


def create_app(archive: Archive, checker: intake.Checker | None = None, *, secure_cookies: bool = False,
               max_upload_bytes: int | None = None) -> Starlette:
    """The ASGI app on ``archive``. ``checker`` (GX loaded, suites built) is made at startup when not given;
    ``secure_cookies`` for a site served over https."""
    limit = max_upload_bytes or int(os.environ.get("RECON_MAX_UPLOAD_MB", MAX_UPLOAD_MB)) << 20
    envs = {lang: _environment(lang) for lang in LANGUAGES}  # one per language: gettext installed once
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recon-check")
    state = {"checker": checker}
    languages: dict[str, str] = {}  # stored workbook's SHA-256 → the language its _meta names
    live: dict[tuple, dict] = {}  # (region, rules version, uploads' SHA-256s) → the region's reconciliation

    def words(request: Request, msgid: str, **params) -> str:
        """``msgid`` said in the page's language: ``words(request, "Wrong name or password.")``."""
        return said(msgid, **params).said_in(page_language(request))

    def sentence(request: Request, text) -> str:
        """A message from the library (a Text, or its JSON kept in the session) said in the page's language,
        as a sentence: ``"Gel de la révision budgétaire 2 : …."``."""
        if isinstance(text, dict):
            text = Text.from_json(text)
        out = str(in_language(text, page_language(request)))
        return out[:1].upper() + out[1:] + ("" if out.endswith(".") else ".")

    async def check(fn, *args):
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        who = request.scope.get("recon.who") or Who()
        lang = page_language(request)
        switch = [(code, NAMES[code], str(request.url.include_query_params(lang=code))) for code in LANGUAGES]
        html = envs[lang].get_template(template).render(csrf=sec.csrf_token(request.session), who=who,
                                                        lang=lang, languages=switch, **context)
        return HTMLResponse(html, status_code=status)

    async def who_is(request: Request) -> Who:
        s = request.session
        if isinstance(s.get("user"), int):
            user = await run_in_threadpool(archive.user, s["user"])
            who = Who(user_id=user.id, user_name=user.name) if user and user.is_hq else Who()
        elif isinstance(s.get("office"), int) and isinstance(s.get("token"), int):
            live = await run_in_threadpool(archive.token_live, s["token"], s["office"])
            who = Who(office_id=s["office"], token_id=s["token"]) if live else Who()
        else:
            who = Who()
        request.scope["recon.who"] = who
        return who

    async def office_for(request: Request):
        """The office in the path, if the requester may see it; otherwise "not found" (the same answer
        whether it exists or not)."""
        who = await who_is(request)
        try:
            office_id = int(request.path_params["office_id"])
        except ValueError:
            raise HTTPException(404) from None
        office = await run_in_threadpool(archive.office, office_id) if who.may_see(office_id) else None
        if office is None:
            raise HTTPException(404)
        if not language_chosen(request):  # the office's own language, from its latest accepted workbook
            request.scope["recon.office_language"] = await run_in_threadpool(office_language, office.id)
        return who, office

    def office_language(office_id: int) -> str | None:
        latest = next((r for r in archive.revisions(office_id) if r.status == "accepted" and r.sha256), None)
        if latest is None or not archive.store.has(latest.sha256):
            return None
        if latest.sha256 not in languages:  # a stored file never changes: its language is read once
            languages[latest.sha256] = intake.workbook_language(archive.store.path(latest.sha256))
        return languages[latest.sha256]

    async def form_with_csrf(request: Request, limit_bytes: int = 64 << 10):
        form = await Request(request.scope, sec.capped(request.receive, limit_bytes)).form(max_files=1, max_fields=8)
        if not sec.csrf_ok(request.session, form.get(sec.CSRF_FIELD)):
            raise HTTPException(403, FORM_EXPIRED)
        return form

    # ------------------------------------------------------------------------------------------- pages

    async def home(request: Request):
        who = await who_is(request)
        if who.hq:
            return RedirectResponse("/hq", 303)
        if who.office_id is not None:
            return RedirectResponse(f"/offices/{who.office_id}", 303)
        return page(request, "home.html")

    async def open_link(request: Request):
        access = await run_in_threadpool(archive.office_for_token, request.path_params["token"])
        if access is None:
            return page(request, "message.html", 404, title=words(request, "This link does not work"),
                        text=words(request, "It was mistyped, or HQ has replaced it with a new one. Ask HQ for "
                                            "your office's current link."))
        request.session.clear()  # a fresh session: nothing from before carries over
        request.session.update(office=access.office.id, token=access.token_id)
        # Away from the secret at once: it stays out of the history, bookmarks and the page's own address.
        return RedirectResponse(f"/offices/{access.office.id}", 303)

    async def login(request: Request):
        if request.method == "GET":
            return page(request, "login.html")
        form = await form_with_csrf(request)
        name, password = str(form.get("name", ""))[:200], str(form.get("password", ""))[:1000]
        client = request.client.host if request.client else ""
        try:
            user = await run_in_threadpool(archive.login, name, password, client)
        except Throttled as exc:
            return page(request, "login.html", 429, error=sentence(request, exc.args[0]))
        if user is None or not user.is_hq:
            return page(request, "login.html", 401, error=words(request, "Wrong name or password."), name=name)
        request.session.clear()
        request.session["user"] = user.id
        return RedirectResponse("/hq", 303)

    async def logout(request: Request):
        await form_with_csrf(request)
        request.session.clear()
        return RedirectResponse("/", 303)

    async def hq(request: Request):
        who = await who_is(request)
        if not who.hq:
            return RedirectResponse("/login", 303)
        every = [(office, rev, board_status(rev)) for office, rev in await run_in_threadpool(archive.offices)]
        regions = sorted({office.region for office, _, _ in every})
        region = request.query_params.get("region") or None
        wanted = request.query_params.get("status") or None
        region = region if region in regions else None  # an unknown filter shows everything, not nothing
        wanted = wanted if wanted in BOARD_STATUSES else None
        rows = [row for row in every if region in (None, row[0].region) and wanted in (None, row[2])]
        tally = {k: sum(row[2] == k for row in every) for k in BOARD_STATUSES}
        frozen = await run_in_threadpool(archive.budget_revisions)
        return page(request, "hq.html", rows=rows, total=len(every), regions=regions, region=region,
                    wanted=wanted, statuses=BOARD_STATUSES, tally=tally, frozen=frozen,
                    notice=sentence(request, notice) if (notice := request.session.pop("notice", None)) else None)

    async def freeze(request: Request):
        who = await who_is(request)
        if not who.hq:
            raise HTTPException(404)
        await form_with_csrf(request)
        if state["checker"] is None:
            state["checker"] = await check(intake.Checker)
        try:
            frozen = await check(_freeze, archive, state["checker"], who.user_name)
        except NothingToFreeze as exc:  # the notice is kept as msgid and parameters: said in the next page's language
            request.session["notice"] = exc.args[0].to_json()
            return RedirectResponse("/hq", 303)
        except ArchiveFull as exc:
            log.error("recon: %s", exc)
            request.session["notice"] = said("nothing frozen: {reason}", reason=str(exc)).to_json()
            return RedirectResponse("/hq", 303)
        request.session["notice"] = frozen.message.to_json()
        return RedirectResponse("/hq#budget-revisions", 303)

    async def region_page(request: Request):
        """The region's live reconciliation: every office's latest accepted upload, reconciled now (the same
        pipeline as `recon reconcile`); the result is kept per set of uploads, so it is computed once."""
        who = await who_is(request)
        if not who.hq:
            return RedirectResponse("/login", 303)
        region = request.path_params["region"]
        offices = [(o, r) for o, r in await run_in_threadpool(archive.offices) if o.region == region]
        if not offices:
            raise HTTPException(404)
        from recon.archive.live import region_inputs

        inputs = await run_in_threadpool(region_inputs, archive, region)
        view = None
        if inputs:
            if state["checker"] is None:
                state["checker"] = await check(intake.Checker)
            key = (region, state["checker"].version, tuple(i["sha256"] for i in inputs))
            view = live.get(key)
            if view is None:
                view = live[key] = await check(_live_view, archive, state["checker"], region, inputs)
                while len(live) > 64:  # one entry per region and set of uploads; the oldest go first
                    live.pop(next(iter(live)))
        charts = None
        if view and view["pie"]:
            from recon.appeal.vocabulary import load
            from recon.report import pie

            areas, p, lang = load().areas.names, view["pie"], page_language(request)
            charts = {"published": pie.svg(pie.published_slices(p, areas, lang),
                                           title=words(request, "{region}: as published", region=region),
                                           uid="published", lang=lang) if p["published"] else None,
                      "computed": pie.svg(pie.computed_slices(p, areas),
                                          title=words(request, "{region}: from the USD", region=region),
                                          uid="computed", lang=lang),
                      "colours": {s["area"]: pie.colour(s["area"], areas) for s in p["slices"]}}
        used = {i["office"]: i for i in inputs}
        lang = page_language(request)
        findings = [{**d, "message": m, "suggestion": sg, "expected": e, "actual": a}
                    for d, f in zip(view["findings"], view["said"], strict=True)
                    for m, sg, e, a in [f.said_in(lang) + f.figures_in(lang)]] if view else []
        return page(request, "region.html", region=region, offices=offices, used=used, view=view, charts=charts,
                    statuses=BOARD_STATUSES, board_status=board_status, findings=findings)

    async def report_file(request: Request):
        who = await who_is(request)
        if not who.hq:
            raise HTTPException(404)
        number, name = _int(request.path_params["number"]), request.path_params["name"]
        rev = await run_in_threadpool(archive.budget_revision, number) if number else None
        item = next((f for f in rev.files if f.name == name), None) if rev else None
        if item is None or not archive.store.has(item.sha256):
            raise HTTPException(404)
        stem, _, suffix = name.rpartition(".")
        return FileResponse(archive.store.path(item.sha256), media_type=REPORT_TYPES.get(suffix, XLSX),
                            filename=f"budget-revision-{rev.number}-{name}")

    async def office_page(request: Request):
        who, office = await office_for(request)
        revisions = await run_in_threadpool(archive.revisions, office.id)
        return page(request, "office.html", office=office, revisions=revisions, limit_mb=limit >> 20,
                    latest=next((r for r in revisions if r.status == "accepted"), None))

    async def upload(request: Request):
        who, office = await office_for(request)
        record = dict(uploader=who.uploader, token_id=who.token_id, user_id=who.user_id)
        envelope = limit + (64 << 10)  # the multipart envelope adds a little to the file's own size

        async def too_big():
            rev = await run_in_threadpool(lambda: archive.record(
                office.id, filename="(not read)", status="refused", reason=too_large(limit), **record))
            return page(request, "message.html", 413, title=words(request, "Too large"), text=rev.reason,
                        back=f"/offices/{office.id}")

        length = request.headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > envelope):
            return await too_big()  # refused before a byte is read
        try:
            form = await form_with_csrf(request, envelope)
        except sec.BodyTooLarge:  # no Content-Length, or a false one: counted as it streamed
            return await too_big()
        sent = form.get("workbook")
        if not isinstance(sent, UploadFile) or not sent.filename:
            return page(request, "message.html", 400, title=words(request, "No file"),
                        text=words(request, "Choose your workbook (.xlsx) first."), back=f"/offices/{office.id}")
        name = safe_filename(sent.filename)
        if state["checker"] is None:
            state["checker"] = await check(intake.Checker)
        try:
            rev = await check(_receive, archive, state["checker"], office, sent.file, name, record)
        except ArchiveFull as exc:
            log.error("recon: %s", exc)  # HQ's line, in the server's log
            return page(request, "message.html", 507, title=words(request, "Not stored: the server is full"),
                        text=words(request, NOT_STORED), back=f"/offices/{office.id}")
        finally:
            await sent.close()
        return RedirectResponse(f"/offices/{office.id}/revisions/{rev.number}", 303)

    async def revision_page(request: Request):
        who, office = await office_for(request)
        rev = await revision_or_404(request, office)
        lang = page_language(request)
        stored = findings_of(rev)
        findings = [{**d, "message": m, "suggestion": sg} for d, f in zip(stored, intake.as_findings(stored),
                                                                          strict=True)
                    for m, sg in [f.said_in(lang)]]  # said in the page's language
        return page(request, "revision.html", office=office, rev=rev, findings=findings,
                    counts={s: sum(f["severity"] == s for f in findings) for s in SEVERITY_ORDER})

    async def revision_or_404(request: Request, office):
        try:
            number = int(request.path_params["number"])
        except ValueError:
            raise HTTPException(404) from None
        rev = await run_in_threadpool(archive.revision, office.id, number)
        if rev is None:
            raise HTTPException(404)
        return rev

    async def workbook(request: Request):
        who, office = await office_for(request)
        rev = await revision_or_404(request, office)
        if rev.sha256 is None or not archive.store.has(rev.sha256):
            raise HTTPException(404)
        return download(archive.store.path(rev.sha256), rev.filename)

    async def annotated(request: Request):
        who, office = await office_for(request)
        rev = await revision_or_404(request, office)
        if rev.status != "accepted":
            raise HTTPException(404)
        sha = rev.annotated_sha256 or await check(_annotate, archive, rev)
        stem = rev.filename.rsplit(".", 1)[0]
        return download(archive.store.path(sha), f"{stem}-checked.xlsx")

    async def changes(request: Request):
        who, office = await office_for(request)
        revisions = [r for r in await run_in_threadpool(archive.revisions, office.id) if r.status == "accepted"]
        numbers = [r.number for r in revisions]
        old, new = _int(request.query_params.get("old")), _int(request.query_params.get("new"))
        if new is None and numbers:
            new = numbers[0]
        if old is None and len(numbers) > 1:
            old = numbers[1]
        result = error = None
        if old in numbers and new in numbers:
            by = {r.number: r for r in revisions}
            try:
                result = await check(_compare, archive, by[old], by[new])
            except ValueError as exc:
                error = str(exc)
        from recon.report.diff import describe

        return page(request, "diff.html", office=office, numbers=numbers, old=old, new=new, result=result,
                    error=error, describe=describe)

    async def not_found(request: Request, exc: HTTPException):
        status = exc.status_code
        if status == 403:
            title, text = words(request, "Refused"), words(request, FORM_EXPIRED)
        else:
            title = words(request, "Not found") if status == 404 else words(request, "Error")
            text = words(request, "There is nothing here, or it is not yours to see.")
        return page(request, "message.html", status, title=title, text=text)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if state["checker"] is None:  # GX imported and suites built once, before the first upload
            state["checker"] = await check(intake.Checker)
        yield
        pool.shutdown(wait=False)

    routes = [
        Route("/", home),
        Route("/o/{token}", open_link),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/hq", hq),
        Route("/hq/freeze", freeze, methods=["POST"]),
        Route("/hq/regions/{region}", region_page),
        Route("/hq/budget-revisions/{number}/{name}", report_file),
        Route("/offices/{office_id}", office_page),
        Route("/offices/{office_id}/upload", upload, methods=["POST"]),
        Route("/offices/{office_id}/revisions/{number}", revision_page),
        Route("/offices/{office_id}/revisions/{number}/workbook", workbook),
        Route("/offices/{office_id}/revisions/{number}/annotated", annotated),
        Route("/offices/{office_id}/changes", changes),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(sec.SecurityHeaders),
        Middleware(sec.BodyLimit, limit=limit + (1 << 20)),
        Middleware(SessionMiddleware, secret_key=sec.secret_key(archive.data), session_cookie="recon_session",
                   max_age=12 * 3600, same_site="lax", https_only=secure_cookies),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                     exception_handlers={HTTPException: not_found})


# The board's status of an office, by its latest upload → its label, a msgid (the key is the badge's CSS class).
BOARD_STATUSES = {"missing": N_("missing"), "refused": N_("refused"), "errors": N_("has errors"),
                  "warnings": N_("warnings"), "clean": N_("clean")}
FORM_EXPIRED = N_("This form has expired or did not come from this site: reload the page and try again.")


def board_status(rev) -> str:
    """``"missing"`` (nothing uploaded), ``"refused"``, ``"errors"``, ``"warnings"`` or ``"clean"``: the
    latest upload's verdict, as the board shows and filters it."""
    if rev is None:
        return "missing"
    if rev.status == "refused":
        return "refused"
    return "errors" if rev.errors else "warnings" if rev.warnings else "clean"


def too_large(limit: int) -> str:
    return (f"the file is larger than {limit >> 20} MB, far above any office's workbook — send the .xlsx "
            "itself, without pictures or other sheets pasted in")


def uploader_in(who: str | None, lang: str) -> str | None:
    """An upload's uploader as stored (an HQ user's name, or ``"office link #3"``) in ``lang``."""
    m = re.fullmatch(r"office link #(\d+)", who or "")
    return said("office link #{number}", number=int(m.group(1))).said_in(lang) if m else who


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def download(path: Path, filename: str) -> Response:
    return FileResponse(path, media_type=XLSX, filename=safe_filename(filename))


def _receive(archive: Archive, checker: intake.Checker, office, fh, name: str, record: dict):
    """In the worker thread: the upload into the store, the verdict, the revision."""
    with archive.store.scratch() as d:
        path = d / name  # a safe plain name inside a fresh private folder
        with no_space_is_clear(archive.data), open(path, "wb") as out:
            fh.seek(0)
            while chunk := fh.read(1 << 16):
                out.write(chunk)
        return intake.receive(archive, checker, office, path, **record)


def _annotate(archive: Archive, rev) -> str:
    with archive.store.scratch() as d, archive.store.named(rev.sha256, rev.filename) as source:
        out = d / "annotated.xlsx"
        intake.annotate(source, findings_of(rev), out)
        sha, _ = archive.store.put_file(out)
    archive.set_annotated(rev.id, sha)
    return sha


def _freeze(archive: Archive, checker: intake.Checker, user_name: str):
    from recon.archive.freeze import freeze

    return freeze(archive, frozen_by=user_name, rules_dir=checker.rules_dir, prepared=checker.rules)


def _live_view(archive: Archive, checker: intake.Checker, region: str, inputs: list[dict]) -> dict | None:
    """In the worker thread: the region's latest accepted uploads reconciled → :func:`recon.report.region.view`."""
    from recon.archive.live import reconcile_region
    from recon.report.region import view

    return view(reconcile_region(archive, inputs, rules_dir=checker.rules_dir, prepared=checker.rules), region)


def _compare(archive: Archive, old, new) -> dict:
    from recon.report.diff import compare

    snaps = []
    for rev in (old, new):
        with archive.store.named(rev.sha256, rev.filename) as path:
            snaps.append(intake.snapshot(path, f"revision {rev.number}"))
    return compare(*snaps)


def _environment(lang: str) -> Environment:
    """The templates in ``lang``: Jinja's i18n extension over recon's gettext catalogue."""
    env = Environment(loader=PackageLoader("recon.web", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them: whitespace inside {% trans %} folded
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters["said"] = lambda text: in_language(text, lang)  # a library's Text (a change, a finding) in lang
    env.filters["uploader"] = lambda who: uploader_in(who, lang)
    # figures as a reader of ``lang`` writes them: one place, recon.language
    env.filters["usd"] = lambda x: number(x, lang)
    env.filters["number"] = lambda x: number(x, lang)
    env.filters["change"] = lambda x: signed(x, lang)
    env.filters["pct_text"] = lambda text: decimal_text(text, lang)
    return env


def page_language(request: Request) -> str:
    """The page's language: ``?lang=fr`` (the switch link; remembered for the session), else the one chosen
    before, else the browser's ``Accept-Language``, else — on an office's pages — the language of the office's
    latest accepted workbook (its _meta), else English."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        request.session["lang"] = asked
        return asked
    if request.session.get("lang") in LANGUAGES:
        return request.session["lang"]
    return from_accept_language(request.headers.get("accept-language"), None) or \
        request.scope.get("recon.office_language") or DEFAULT


def language_chosen(request: Request) -> bool:
    """Whether the user (the switch, ``?lang=``) or the browser (an ``Accept-Language`` naming one of ours)
    chose the page's language."""
    return request.query_params.get("lang") in LANGUAGES or request.session.get("lang") in LANGUAGES or \
        from_accept_language(request.headers.get("accept-language"), None) is not None
