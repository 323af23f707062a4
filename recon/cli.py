"""The ``recon`` command: thin wrappers that parse arguments and call the library.

Heavy imports (pandas, great_expectations) happen inside commands, so ``recon --help`` and
``recon template`` stay fast and never load Great Expectations.
"""

from __future__ import annotations

import contextlib
import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="recon: check and reconcile Migration Initiatives funding workbooks.\n\n"
         "Example:\n\n    recon reconcile            # the bundled 2015 edition",
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]}, rich_markup_mode=None,
)

Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show full tracebacks on errors.")]
RulesDir = Annotated[Path | None, typer.Option("--rules", help="Folder of rule suites (default: expectations/).")]


class Format(enum.StrEnum):
    rich = "rich"
    json = "json"


class ExportFormat(enum.StrEnum):
    csv = "csv"
    json = "json"


class Lang(enum.StrEnum):  # recon.language.LANGUAGES, without importing it for --help
    en = "en"
    fr = "fr"
    es = "es"


LangOption = Annotated[Lang | None, typer.Option(
    "--lang", help="Language of the messages: en (default), fr or es. JSON output stays language-neutral "
    "(codes and parameters) with its English text.")]


def _version(value: bool) -> None:
    """``recon 0.1.0 · rules 9a2a675e7c23 · Great Expectations 1.24.1``: what a report is made with (GX's
    version read from its installed metadata, without importing it)."""
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    from recon import __version__
    from recon.rules import rules_version

    try:
        gx = version("great_expectations")
    except PackageNotFoundError:
        gx = "not installed"
    typer.echo(f"recon {__version__} · rules {rules_version()} · Great Expectations {gx}")
    raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print recon's version, the rules' hash and GX's version.")] = False,
) -> None:
    pass


def _say(message: object) -> None:
    """One line on stderr, whatever the message quotes (a file name with a newline or ESC stays one line)."""
    from recon.inert import line

    typer.echo(f"recon: {line(message)}", err=True)


def _fail(exc: BaseException, verbose: bool) -> None:
    if verbose:
        raise exc
    _say(exc)
    raise typer.Exit(2)


def _guarded(verbose: bool):
    """Turn recon's own errors — what users can cause — into one line and exit code 2.

    Only recon's error types: a ValueError or OSError from anywhere else is a bug and says so ("internal
    error"), rather than passing for a user's mistake. Writers turn an OSError on an output (disk full,
    permission) into an :class:`recon.errors.OutputError` where it happens, naming the file.
    """
    from recon.errors import RulesError, UnusableInput, UsageError

    class _Guard:
        def __enter__(self):
            return self

        def __exit__(self, kind, exc, tb):
            if exc is None or isinstance(exc, typer.Exit | typer.Abort | SystemExit | KeyboardInterrupt):
                return False
            if isinstance(exc, BrokenPipeError):  # e.g. `recon reconcile | head`: the reader left, not an error
                sys.stderr.close()
                raise typer.Exit(0)
            if isinstance(exc, UnusableInput | RulesError | UsageError):
                _fail(exc, verbose)
            if not verbose:
                _say(f"internal error: {type(exc).__name__}: {exc} (run with --verbose and report it)")
                raise typer.Exit(2)
            return False

    return _Guard()


def _run(paths: list[Path], rules: Path | None, quiet: bool = False):
    from rich.console import Console
    from rich.progress import Progress

    from recon import pipeline
    from recon.errors import UsageError

    files = pipeline.collect(paths)
    if not files:
        raise UsageError(f"no .xlsx workbooks in {', '.join(map(str, paths))}")
    # A broken link is the reader's to report (one line, the rest of the batch goes on); a path typed wrong is not.
    missing = [f for f in files if not f.exists() and not f.is_symlink()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or folder")
    err = Console(stderr=True)
    if len(files) > 3 and err.is_terminal and not quiet:
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("Reading workbooks", total=len(files))
            return pipeline.run(files, rules, advance=lambda: progress.advance(task))
    return pipeline.run(files, rules)


def _emit(result, fmt: Format, lang: str = "en") -> None:
    if fmt is Format.json:
        import json

        from recon.report.headline import as_json

        typer.echo(json.dumps(as_json(result), indent=1, ensure_ascii=False, default=str))
    else:
        from recon.report.terminal import render

        render(result, lang=lang)


@app.command()
def template(
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")],
    region: Annotated[str | None, typer.Option("--region", "-r", help="Regional office, e.g. 'East and Horn of "
                                               "Africa' (optional with --country).")] = None,
    country: Annotated[str | None, typer.Option("--country", "-c", help="A country office's own workbook.")] = None,
    revision: Annotated[int, typer.Option(help="Revision number stored in the workbook.")] = 1,
    lang: Annotated[str, typer.Option("--lang", help="Language of the workbook's words and names: en, fr or "
                                      "es.")] = "en",
    hxl: Annotated[bool | None, typer.Option("--hxl/--no-hxl", help="An HXL hashtag row under the headers "
                                             "(default: with it for fr and es).")] = None,
    verbose: Verbose = False,
) -> None:
    """Write a blank standardized workbook for a regional (or country) office.

    Example:

        recon template --region "East and Horn of Africa" -o ehoa.xlsx

        recon template --country Kenya -o kenya.xlsx

        recon template --region "West and Central Africa" --lang fr -o aoc.xlsx
    """
    with _guarded(verbose):
        from recon import output as out
        from recon.errors import UsageError
        from recon.workbook import template as tpl

        out.refuse_unsafe(output, overwrite=False, what="workbook")
        try:
            if region is None:
                if country is None:
                    raise ValueError("give --region (a regional office) or --country (a country office)")
                region = tpl.region_of(country)
            wb = tpl.build(region, country, revision=revision, lang=lang, hashtags=hxl)
        except ValueError as exc:  # an unknown region or country: build says which ones exist
            raise UsageError(str(exc)) from exc
        out.write_file(output, lambda tmp: tpl.write(wb, tmp), overwrite=False, what="workbook")
        typer.echo(f"wrote {output}")


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Workbook(s) to check.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="rich (default) or json.")] = Format.rich,
    annotate: Annotated[Path | None, typer.Option(
        "--annotate", metavar="OUT.xlsx", help="Also write a copy of FILE with a Findings sheet and the "
        "offending cells coloured and commented (FILE is not changed).")] = None,
    rules: RulesDir = None,
    lang: LangOption = None,
    verbose: Verbose = False,
) -> None:
    """Check each office's workbook on its own: every rule, every cell. Exit 0 clean, 1 errors found, 2 unusable
    (the worst over the files given).

    Several files are never merged: each is checked alone and its findings are printed under its name
    (merging and superseding are `recon reconcile`'s job).

    Example:

        recon check kenya.xlsx

        recon check ehoa.xlsx --format json

        recon check ehoa.xlsx --annotate ehoa-checked.xlsx

        recon check wca.xlsx --lang fr

    The annotated copy speaks the workbook's language (its _meta language), or --lang when given.
    """
    with _guarded(verbose):
        if annotate is not None:
            _refuse_annotate(files, annotate)
        if len(files) > 1:
            raise typer.Exit(_check_each(files, rules, format, lang or "en"))
        result = _run(files, rules, quiet=format is Format.json)
        if result.unusable and not result.submissions and format is Format.rich:
            for problem in result.unusable:  # nothing could be read: the reason, in one line each
                _say(problem)
            raise typer.Exit(2)
        _emit(result, format, lang or "en")
        if annotate is not None and not result.unusable:
            from recon.inert import line
            from recon.workbook.annotate import write_copy

            copy = write_copy(files[0], result.findings, annotate, lang=lang)
            for lost in copy.lost:
                _say(f"warning: {lost} of {files[0].name} could not be kept in the copy")
            if copy.sheet != L_FINDINGS:
                _say(f"note: {files[0].name} has a sheet of its own named {L_FINDINGS!r}, kept as it was; recon's "
                     f"findings are on the sheet {copy.sheet!r}")
            typer.echo(line(f"wrote {annotate} ({copy.marked} cells marked)"), err=True)
        elif annotate is not None:
            _say(f"no annotated copy: {files[0].name} could not be read")
    raise typer.Exit(result.exit_code)


def _check_each(files: list[Path], rules: Path | None, fmt: Format, lang: str = "en") -> int:
    """``recon check a.xlsx b.xlsx``: each file read and reconciled alone (never merged with the others), its
    findings grouped under its name; returns the worst exit code. The rules are prepared once."""
    from recon import pipeline
    from recon.errors import UsageError

    missing = [f for f in files if not f.exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or folder")
    prepared = pipeline.prepare_rules(rules)
    results = []
    for f in files:
        subs, bad = pipeline.read_all([f])
        results.append((f, pipeline.run_submissions(subs, bad, inputs=[f], prepared=prepared)))
    worst = max(r.exit_code for _f, r in results)
    if fmt is Format.json:
        import json

        from recon.appeal.finding import count_by_severity
        from recon.report.headline import as_json

        doc = {"files": [{"file": str(f), "exit_code": r.exit_code, **as_json(r)} for f, r in results],
               "counts": count_by_severity([x for _f, r in results for x in r.findings]), "exit_code": worst}
        typer.echo(json.dumps(doc, indent=1, ensure_ascii=False, default=str))
        return worst
    from rich.console import Console

    from recon.report.terminal import render

    console = Console()
    for i, (f, r) in enumerate(results):
        if i:
            console.print("")
        from recon.inert import line

        title = line(f"{f.name} (checked on its own{'' if str(f) == f.name else ': ' + str(f)})")
        if console.is_terminal:
            console.rule(title, align="left", style="bold")
        else:
            print(f"== {title}", file=console.file)
        if r.unusable and not r.submissions:
            for problem in r.unusable:
                print(line(f"recon: {problem}"), file=console.file)
            continue
        render(r, console, lang=lang)
    return worst


L_FINDINGS = "Findings"  # recon.workbook.layout.FINDINGS, without importing the layout for --help


def _refuse_annotate(files: list[Path], out: Path) -> None:
    """Before any work: one workbook, an .xlsx name that is free, not an input, not a link; a workbook that
    can be copied whole."""
    from recon import output
    from recon.errors import UsageError
    from recon.workbook.annotate import refuse_copy

    if len(files) != 1:
        raise UsageError("--annotate takes exactly one workbook")
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"{out}: the annotated copy must be an .xlsx file")
    output.refuse_unsafe(out, files, overwrite=False, what="annotated copy")
    if files[0].is_file():
        refuse_copy(files[0])


@app.command()
def reconcile(
    paths: Annotated[list[Path] | None, typer.Argument(help="Workbooks or folders (default: the bundled 2015 "
                                                           "edition).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="rich (default) or json.")] = Format.rich,
    report_dir: Annotated[Path | None, typer.Option(
        "--report-dir", metavar="DIR", help="Also write report.html, report.xlsx, report.json and report.md "
        "into DIR.")] = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", metavar="PATH", help="With --report-dir: the previous revision (folder of workbooks or "
        "its report.json); the report shows what changed.")] = None,
    rules: RulesDir = None,
    db: Annotated[str | None, typer.Option("--db", metavar="URL", help="Reconcile a frozen budget revision's "
                                           "workbooks from this archive instead of files.")] = None,
    data: Annotated[Path | None, typer.Option("--data", metavar="DIR", help="The archive's data folder "
                                              "(default: recon-data); implies --db's default.")] = None,
    revision: Annotated[str | None, typer.Option("--revision", metavar="N|latest", help="With --db or --data: "
                                                 "which frozen budget revision (default: latest).")] = None,
    lang: LangOption = None,
    verbose: Verbose = False,
) -> None:
    """Merge every submission and reconcile published tables, pie charts and totals against the entries.

    Example:

        recon reconcile

        recon reconcile submissions/ --format json > findings.json

        recon reconcile revision-2/ --report-dir reports/rev2 --previous reports/rev1/report.json

        recon reconcile submissions/ --lang fr --report-dir reports/rev2-fr
    """
    with _guarded(verbose), contextlib.ExitStack() as stack:
        from recon.errors import UsageError
        from recon.pipeline import bundled_dir, collect
        from recon.pipeline import revision as revision_of

        if previous is not None and report_dir is None:
            raise UsageError("--previous needs --report-dir (the changes are shown in the report)")
        if db is not None or data is not None or revision is not None:
            if paths:
                raise UsageError("give workbooks or --db/--data/--revision, not both")
            given = [stack.enter_context(_frozen_inputs(db, data or Path("recon-data"), revision))]
        else:
            given = paths or [bundled_dir()]
        folder = None
        if report_dir is not None:  # refused or locked for this run before any workbook is read
            from recon.output import ReportFolder
            from recon.report import FILES

            inputs = [*given, *collect(given), *([previous] if previous is not None else [])]
            folder = stack.enter_context(ReportFolder(report_dir, FILES, inputs))
        result = _run(given, rules, quiet=format is Format.json)
        _emit(result, format, lang or "en")
        if folder is not None:
            from recon.inert import line
            from recon.report import write_reports

            before = revision_of(previous) if previous is not None else None
            written = write_reports(result, report_dir, before, folder=folder, lang=lang or "en")
            typer.echo(line(f"wrote {', '.join(p.name for p in written.values())} to {report_dir}"), err=True)
    raise typer.Exit(result.exit_code)


@contextlib.contextmanager
def _frozen_inputs(db: str | None, data: Path, revision: str | None):
    """The workbooks of a frozen budget revision, staged in a temporary folder under their file names."""
    from recon.archive import frozen

    frozen.number(revision)  # a wrong --revision is refused before the archive is opened
    archive = _archive(db, data)
    try:
        with frozen.workbooks(archive, revision) as folder:
            yield folder
    finally:
        archive.close()


def _frozen_snapshot(db: str | None, data: Path, which: str) -> dict:
    from recon.archive import frozen

    frozen.number(which)
    archive = _archive(db, data)
    try:
        return frozen.snapshot(archive, which)
    finally:
        archive.close()


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The previous revision: a folder of workbooks or a report.json; with "
                                       "--db/--data, a budget revision number or latest.")],
    new: Annotated[str, typer.Argument(help="The new revision: a folder of workbooks or a report.json; with "
                                       "--db/--data, a budget revision number or latest.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="rich (default) or json.")] = Format.rich,
    db: Annotated[str | None, typer.Option("--db", metavar="URL", help="Compare two frozen budget revisions "
                                           "of this archive (OLD and NEW are their numbers).")] = None,
    data: Annotated[Path | None, typer.Option("--data", metavar="DIR", help="The archive's data folder "
                                              "(default: recon-data); implies --db's default.")] = None,
    verbose: Verbose = False,
) -> None:
    """What changed between two revisions: requirements per region, country and area; entries added and
    removed; amounts; Requirement/Funded status; published tables and pie-chart percentages.

    Example:

        recon diff reports/rev1/report.json submissions/

        recon diff revision-1/ revision-2/ --format json > changes.json

        recon diff --db postgresql+psycopg://recon@db/recon 3 latest
    """
    with _guarded(verbose):
        from recon import pipeline
        from recon.report import diff as changes

        if db is not None or data is not None:
            archive = data or Path("recon-data")
            result = changes.compare(_frozen_snapshot(db, archive, old), _frozen_snapshot(db, archive, new))
        else:
            result = changes.compare(pipeline.revision(old), pipeline.revision(new))
        if format is Format.json:
            import json

            typer.echo(json.dumps(result, indent=1, ensure_ascii=False))
        else:
            changes.render(result)


@app.command()
def export(
    paths: Annotated[list[Path] | None, typer.Argument(help="Workbooks or folders (default: the bundled 2015 "
                                                           "edition).")] = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv or json.")] = ExportFormat.csv,
    output: Annotated[str, typer.Option("--output", "-o", help="File to write, or - for standard output.")] = "-",
    db: Annotated[str | None, typer.Option("--db", metavar="URL", help="Export a frozen budget revision's "
                                           "workbooks from this archive instead of files.")] = None,
    data: Annotated[Path | None, typer.Option("--data", metavar="DIR", help="The archive's data folder "
                                              "(default: recon-data); implies --db's default.")] = None,
    revision: Annotated[str | None, typer.Option("--revision", metavar="N|latest", help="With --db or --data: "
                                                 "which frozen budget revision (default: latest).")] = None,
    hxl: Annotated[bool, typer.Option("--hxl", help="CSV with a row of HXL hashtags under the header "
                                      "(#region+name, #country+name, #sector+name, …) for the humanitarian "
                                      "data exchange's tools.")] = False,
    verbose: Verbose = False,
) -> None:
    """Write the consolidated entries: region,country,area,amount_usd,status,source.

    Example:

        recon export workbooks/mi2015 --format csv -o entries.csv

        recon export --db postgresql+psycopg://recon@db/recon --revision 3 -o revision-3.csv

        recon export --hxl -o entries-hxl.csv
    """
    with _guarded(verbose), contextlib.ExitStack() as stack:
        from recon import pipeline
        from recon.errors import OutputError, UsageError
        from recon.inert import line
        from recon.output import refuse_unsafe, write_text
        from recon.pipeline import bundled_dir
        from recon.report import export as ex

        if db is not None or data is not None or revision is not None:
            if paths:
                raise UsageError("give workbooks or --db/--data/--revision, not both")
            given = [stack.enter_context(_frozen_inputs(db, data or Path("recon-data"), revision))]
        else:
            given = paths or [bundled_dir()]
        if hxl and format is not ExportFormat.csv:
            raise UsageError("--hxl writes CSV (the hashtag row is a CSV row): drop --format json")
        files = pipeline.collect(given)
        target = None if output == "-" else Path(output)
        if target is not None:  # before any workbook is read
            if target.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
                raise OutputError(f"{target}: recon export writes {format.value.upper()}, not a workbook; "
                                  f"choose a .{format.value} name")
            refuse_unsafe(target, [*given, *files], overwrite=True, what="export")
        merged, bad = pipeline.merge(files)
        for e in bad:
            _say(f"skipped {e}")
        entries = merged.entries
        text = ex.to_csv(entries, hxl=hxl) if format is ExportFormat.csv else ex.to_json(entries)
        if target is None:
            sys.stdout.write(text)
        else:
            encoding = ex.CSV_ENCODING if format is ExportFormat.csv else "utf-8"
            write_text(target, text, encoding=encoding, inputs=[*given, *files], overwrite=True, what="export")
            typer.echo(line(f"wrote {len(entries)} entries to {output}"), err=True)
    raise typer.Exit(2 if bad else 0)

# ------------------------------------------------------------------------------------ the upload site (i17)

DbUrl = Annotated[str | None, typer.Option("--db", metavar="URL", help="Database URL (default: SQLite in the "
                                          "data folder), e.g. postgresql+psycopg://user@host/recon.")]
DataDir = Annotated[Path, typer.Option("--data", metavar="DIR", help="Data folder: uploaded files, the default "
                                       "database, the session key.")]
office_app = typer.Typer(help="Offices and their upload links.", no_args_is_help=True)
user_app = typer.Typer(help="HQ accounts.", no_args_is_help=True)
app.add_typer(office_app, name="office")
app.add_typer(user_app, name="user")
revision_app = typer.Typer(help="Budget revisions frozen in the archive, with their reports.", no_args_is_help=True)
app.add_typer(revision_app, name="revision")


@app.command()
def serve(
    db: DbUrl = None,
    data: DataDir = Path("recon-data"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Create the 2015 edition's offices with their workbooks "
                                       "as revision 1; print their links and an HQ login.")] = False,
    secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help="Mark cookies Secure (the site is "
                                                 "served over https, e.g. behind a proxy).")] = False,
    verbose: Verbose = False,
) -> None:
    """Run the upload site: offices upload their workbook and see recon's verdict at once.

    Example:

        recon serve --demo

        recon serve --db postgresql+psycopg://recon@db/recon --data /srv/recon --host 0.0.0.0 --secure-cookies
    """
    with _guarded(verbose):
        from recon.web.serve import run

        run(db, data, host, port, demo, secure_cookies, typer.echo)


def _archive(db: str | None, data: Path):
    from recon.archive import Archive

    return Archive.open(db, data)


def _office(archive, region: str, country: str | None):
    from recon.errors import UsageError
    from recon.intake import resolve_office

    region, country = resolve_office(region, country)
    office = archive.find_office(region, country)
    if office is None:
        raise UsageError(f"no office {region}{' › ' + country if country else ''}; add it with `recon office add`")
    return office


Region = Annotated[str, typer.Option("--region", "-r", help="e.g. 'East and Horn of Africa'.")]
Country = Annotated[str | None, typer.Option("--country", "-c", help="A country office, e.g. Kenya.")]
BaseUrl = Annotated[str, typer.Option("--url", help="The site's address, for the printed link.")]


@office_app.command("add")
def office_add(region: Region, country: Country = None, db: DbUrl = None, data: DataDir = Path("recon-data"),
               url: BaseUrl = "http://127.0.0.1:8000", verbose: Verbose = False) -> None:
    """Add an office and print its personal upload link (shown once; HQ keeps only a hash).

    Example:

        recon office add --region "East and Horn of Africa" --country Kenya
    """
    with _guarded(verbose):
        from recon.intake import resolve_office
        from recon.web.serve import link

        archive = _archive(db, data)
        office, token = archive.add_office(*resolve_office(region, country))
        typer.echo(f"{office.key}: {link(url, token)}")


@office_app.command("rotate")
def office_rotate(region: Region, country: Country = None, db: DbUrl = None, data: DataDir = Path("recon-data"),
                  url: BaseUrl = "http://127.0.0.1:8000", verbose: Verbose = False) -> None:
    """Replace an office's link: the old one stops working, the new one is printed."""
    with _guarded(verbose):
        from recon.web.serve import link

        archive = _archive(db, data)
        office = _office(archive, region, country)
        typer.echo(f"{office.key}: {link(url, archive.rotate(office))}")


@office_app.command("revoke")
def office_revoke(region: Region, country: Country = None, db: DbUrl = None, data: DataDir = Path("recon-data"),
                  verbose: Verbose = False) -> None:
    """Stop an office's links from working (its revisions stay)."""
    with _guarded(verbose):
        archive = _archive(db, data)
        office = _office(archive, region, country)
        typer.echo(f"{office.key}: {archive.revoke(office)} link(s) revoked")


@office_app.command("list")
def office_list(db: DbUrl = None, data: DataDir = Path("recon-data"), verbose: Verbose = False) -> None:
    """Every office with its latest revision."""
    with _guarded(verbose):
        for office, rev in _archive(db, data).offices():
            latest = (f"revision {rev.number} {rev.status}, {rev.errors} errors, {rev.warnings} warnings"
                      if rev else "nothing uploaded")
            typer.echo(f"{office.key}\t{latest}")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    hq: Annotated[bool, typer.Option("--hq", help="An HQ account: sees every office (the only kind).")] = False,
    db: DbUrl = None, data: DataDir = Path("recon-data"), verbose: Verbose = False,
) -> None:
    """Add an HQ account. The password is prompted, or read from RECON_PASSWORD or standard input.

    Example:

        recon user add --hq alice
    """
    with _guarded(verbose):
        import os

        from recon.errors import UsageError

        if not hq:
            raise UsageError("only HQ accounts exist: add --hq")
        password = os.environ.get("RECON_PASSWORD")
        if password is None:
            password = (typer.prompt("Password", hide_input=True, confirmation_prompt=True)
                        if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n"))
        _archive(db, data).add_user(name, password)
        typer.echo(f"added HQ user {name}")


@revision_app.command("freeze")
def revision_freeze(
    by: Annotated[str, typer.Option("--by", help="Who freezes it, as recorded.")] = "HQ (command line)",
    db: DbUrl = None, data: DataDir = Path("recon-data"), rules: RulesDir = None, verbose: Verbose = False,
) -> None:
    """Freeze the next budget revision: reconcile every office's latest accepted upload and keep its report
    set (report.html, .xlsx, .json, .md) in the archive for good. Nothing new since the last one: says so.

    Example:

        recon revision freeze --data /srv/recon
    """
    with _guarded(verbose):
        from recon.archive.freeze import freeze

        frozen = freeze(_archive(db, data), frozen_by=by, rules_dir=rules)
        typer.echo(frozen.message)


@revision_app.command("list")
def revision_list(db: DbUrl = None, data: DataDir = Path("recon-data"), verbose: Verbose = False) -> None:
    """Every frozen budget revision, newest first."""
    with _guarded(verbose):
        for rev in _archive(db, data).budget_revisions():
            typer.echo(f"budget revision {rev.number}\t{rev.frozen_at:%Y-%m-%d %H:%M} by {rev.frozen_by}\t"
                       f"{rev.errors} errors, {rev.warnings} warnings")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
