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
from recon.report.headline import input_rows, region_rows
from recon.words import n

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
# Findings drawn as a table on a terminal; the rest are counted: a rich table's layout grows with every row
# (bench/README.md) and nobody reads thousands on screen — redirected output, --format json and the
# validation reports list every one.
TERMINAL_FINDINGS = 200




def render(result, console: Console | None = None, *, max_findings: int | None = None) -> None:
    console = console or Console()
    if console.is_terminal:
        _rich(result, console, max_findings)
    else:
        _plain(result, console, max_findings)


def headline(result) -> str:
    """``"2 workbooks, 1 entry (3 replaced by a country office's workbook) · 1 error, 0 warnings, 2 info"``"""
    c = result.counts
    rec = result.reconciliation
    # Entries read but not used, so that "788 entries" is not mistaken for everything that was sent.
    lost = [f"{k:,} {what}" for k, what in ((getattr(rec, "replaced", 0), "replaced by a country office's workbook"),
                                            (getattr(rec, "superseded", 0), "in superseded copies")) if k]
    return (f"{n(len(result.submissions), 'workbook')}, "
            f"{n(sum(s.rows_accepted for s in result.submissions), 'entry', 'entries')}"
            + (f" ({'; '.join(lost)})" if lost else "") + " · "
            f"{n(c['error'], 'error')}, {n(c['warning'], 'warning')}, {c['info']} info")


def _t(value, style: str = "") -> Text:
    """Workbook text for a rich table: one line, controls escaped, never parsed as markup."""
    return Text(line(value), style=style)


def _rich(result, console: Console, max_findings: int | None) -> None:
    console.print(_t(f"recon · rules {result.rules_version} · {headline(result)}", style="bold"))
    t = Table(box=box.SIMPLE_HEAVY, title="Regions", title_justify="left")
    for col, just in (("Region", "left"), ("Entries", "right"), ("Funded", "right"), ("Published total", "right"),
                      ("Computed total", "right"), ("Gap", "right"), ("Errors", "right"), ("Warnings", "right"),
                      ("Info", "right")):
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
        console.print(Text("No findings.", style="green"))
        return
    ft = Table(box=box.SIMPLE, title="Findings", title_justify="left", show_lines=False)
    ft.add_column("Severity")
    ft.add_column("Rule")
    ft.add_column("Location", overflow="fold", max_width=38)
    ft.add_column("Finding", overflow="fold", ratio=3)
    ft.add_column("Suggestion", overflow="fold", ratio=2)
    for f in findings:
        ft.add_row(Text(f.severity, style=STYLE[f.severity]), _t(f.rule), _t(f.where or f.region or ""),
                   _t(f.message), _t(f.suggestion or ""))
    console.print(ft)
    if len(result.findings) > max_findings:
        console.print(f"… {len(result.findings) - max_findings:,} more, worst first above: redirect the output "
                      "to a file, or use --format json or --report-dir, to list them all")


def _plain(result, console: Console, max_findings: int | None) -> None:
    out = console.file
    print(line(f"recon · rules {result.rules_version} · {headline(result)}"), file=out)
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
        print(f"        {line(f.message)}", file=out)
        if f.suggestion:
            print(f"        → {line(f.suggestion)}", file=out)
