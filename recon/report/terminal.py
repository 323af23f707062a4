"""The rich terminal report: a table per region, then the findings, worst and costliest first.

On a terminal it draws tables; piped or redirected it prints plain lines that diff and grep well. Text that
came from a workbook (names, file names, messages quoting cells) is passed through :func:`recon.inert.line`
and, on a terminal, as :class:`rich.text.Text`: a country ``[/bold]Kenya`` or ``[link=…]`` is printed as
typed, never read as markup, and ESC/BEL characters are shown escaped, never sent to the terminal.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from recon.appeal.money import usd
from recon.inert import line
from recon.language import DEFAULT, gettext_in, in_language, n
from recon.report.headline import input_rows, region_rows

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
# Findings drawn as a table on a terminal; the rest are counted: a rich table's layout grows with every row
# (bench/README.md) and nobody reads thousands on screen — redirected output, --format json and the
# validation reports list every one.
TERMINAL_FINDINGS = 200


def render(result, console: Console | None = None, *, max_findings: int | None = None,
           lang: str = DEFAULT) -> None:
    """The report, its findings said in ``lang`` (``"en"``, ``"fr"``, ``"es"``)."""
    console = console or Console()
    if console.is_terminal:
        _rich(result, console, max_findings, lang)
    else:
        _plain(result, console, max_findings, lang)


def headline(result, lang: str = DEFAULT) -> str:
    """``"2 workbooks, 1 entry (3 replaced by a country office's workbook) · 1 error, 0 warnings, 2 info"``"""
    c = result.counts
    rec = result.reconciliation
    # Entries read but not used, so that "788 entries" is not mistaken for everything that was sent.
    replaced, superseded = getattr(rec, "replaced", 0), getattr(rec, "superseded", 0)
    lost = [t.said_in(lang) for k, t in (
        (replaced, n(replaced, "{count:,} replaced by a country office's workbook",
                     "{count:,} replaced by a country office's workbook")),
        (superseded, n(superseded, "{count:,} in superseded copies", "{count:,} in superseded copies"))) if k]
    said = [t.said_in(lang) for t in (
        n(len(result.submissions), "{count:,} workbook", "{count:,} workbooks"),
        n(sum(s.rows_accepted for s in result.submissions), "{count:,} entry", "{count:,} entries"),
        n(c["error"], "{count:,} error", "{count:,} errors"), n(c["warning"], "{count:,} warning", "{count:,} warnings"),
        n(c["info"], "{count:,} info", "{count:,} info"))]
    return (f"{said[0]}, {said[1]}" + (f" ({'; '.join(lost)})" if lost else "") + " · "
            f"{said[2]}, {said[3]}, {said[4]}")


def _t(value, style: str = "") -> Text:
    """Workbook text for a rich table: one line, controls escaped, never parsed as markup."""
    return Text(line(value), style=style)


def _rich(result, console: Console, max_findings: int | None, lang: str) -> None:
    def _(msgid: str) -> str:
        return gettext_in(lang, msgid)

    console.print(_t(_("recon · rules {version} · {headline}").format(version=result.rules_version,
                                                                    headline=headline(result, lang)), style="bold"))
    t = Table(box=box.SIMPLE_HEAVY, title=_("Regions"), title_justify="left")
    for col, just in ((_("Region"), "left"), (_("Entries"), "right"), (_("Funded"), "right"),
                      (_("Published total"), "right"), (_("Computed total"), "right"), (_("Gap"), "right"),
                      (_("Errors"), "right"), (_("Warnings"), "right"), (_("Info"), "right")):
        t.add_column(col, justify=just)
    for r in region_rows(result):
        gap = r["gap"]
        t.add_row(_t(r["region"]), str(r["entries"]), str(r["funded"]), usd(r["published_total"]),
                  usd(r["computed_total"]), Text(usd(gap), style="red" if gap else ""),
                  Text(str(r["error"]), style=STYLE["error"] if r["error"] else "dim"),
                  Text(str(r["warning"]), style=STYLE["warning"] if r["warning"] else "dim"),
                  Text(str(r["info"]), style="dim"))
    console.print(t)
    bad = [r for r in input_rows(result) if r["status"] != "read" or r["rows_rejected"]]
    for r in bad:
        console.print(_t(f"{r['file']}: {r['status']} · read {r['rows_read']} = accepted {r['rows_accepted']}"
                           f" + rejected {r['rows_rejected']}", style="yellow"))
    max_findings = max_findings or TERMINAL_FINDINGS
    findings = result.findings[:max_findings]
    if not findings:
        console.print(Text(_("No findings."), style="green"))
        return
    ft = Table(box=box.SIMPLE, title=_("Findings"), title_justify="left", show_lines=False)
    ft.add_column(_("Severity"))
    ft.add_column(_("Rule"))
    ft.add_column(_("Location"), overflow="fold", max_width=38)
    ft.add_column(_("Finding"), overflow="fold", ratio=3)
    ft.add_column(_("Suggestion"), overflow="fold", ratio=2)
    for f in findings:
        ft.add_row(Text(_(f.severity), style=STYLE[f.severity]), _t(f.rule), _t(f.where or f.region or ""),
                   _t(in_language(f.message, lang)), _t(in_language(f.suggestion, lang) or ""))
    console.print(ft)
    if len(result.findings) > max_findings:
        console.print(_("… {count:,} more, worst first above: redirect the output to a file, or use --format json "
                        "or --report-dir, to list them all").format(count=len(result.findings) - max_findings))


def _plain(result, console: Console, max_findings: int | None, lang: str) -> None:
    out = console.file
    print(line(gettext_in(lang, "recon · rules {version} · {headline}").format(
        version=result.rules_version, headline=headline(result, lang))), file=out)
    print("", file=out)
    print("region\tentries\tfunded\tpublished_total\tcomputed_total\tgap\terrors\twarnings\tinfo", file=out)
    for r in region_rows(result):
        print("\t".join([line(r["region"]), str(r["entries"]), str(r["funded"]), usd(r["published_total"]),
                         usd(r["computed_total"]), usd(r["gap"]), str(r["error"]), str(r["warning"]),
                         str(r["info"])]), file=out)
    for r in input_rows(result):
        if r["status"] != "read" or r["rows_rejected"]:
            print(line(f"{r['file']}: {r['status']} · read {r['rows_read']} = accepted {r['rows_accepted']} + "
                       f"rejected {r['rows_rejected']}"), file=out)
    print("", file=out)
    findings = result.findings[:max_findings] if max_findings else result.findings
    for f in findings:
        print(f"{f.severity.upper():7} {line(f.rule):28} {line(f.where or f.region or '')}", file=out)
        print(f"        {line(in_language(f.message, lang))}", file=out)
        if f.suggestion:
            print(f"        → {line(in_language(f.suggestion, lang))}", file=out)
