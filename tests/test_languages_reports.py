"""report.html and report.xlsx in French and Spanish (issue 19): headers and fixed texts from the gettext
catalogue, the findings' expected/actual words said in the report's language, the MERGE-SUPERSEDED list of
copies readable there, and figures written as a reader there writes them — while report.json stays the
machine record. The same bracketing catalogue as tests/test_languages_hq.py decides "no English left"."""

from __future__ import annotations

import json

import fixtures as fx
import pytest
from openpyxl import load_workbook
from test_languages_hq import CLOSE, OPEN, Marked, english_left, leftover_words
from typer.testing import CliRunner

import recon.language as language
import recon.report.html as report_html
from recon import pipeline
from recon.cli import app as cli
from recon.language import decimal_text, number, percent, signed
from recon.report import write_reports

runner = CliRunner()
ERRORS = [{"area": "Migration Health"}, {"area": "Migrant Assistance", "amount": -5}]


def batch(tmp_path):
    """Kenya sent twice (revision 2 wins: MERGE-SUPERSEDED on revision 1); Uganda with two errors."""
    old = fx.write(tmp_path, "kenya-old", ERRORS, country="Kenya", revision=1)
    new = fx.write(tmp_path, "kenya-new", [{"area": "Migration Health", "amount": 1_500_000}], country="Kenya",
                   revision=2)
    return [old, new, fx.write(tmp_path, "uganda", ERRORS, country="Uganda")]


@pytest.fixture
def marked(monkeypatch):
    seen: set = set()
    real = language.translations

    def bracketed(lang):
        return real(lang) if lang == language.DEFAULT else Marked(real(lang), seen)

    monkeypatch.setattr(language, "translations", bracketed)
    monkeypatch.setattr(report_html, "translations", bracketed)
    report_html._environment.cache_clear()
    yield seen, real
    report_html._environment.cache_clear()


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_report_html_says_every_word_in_the_language(tmp_path, marked, lang):
    seen, real = marked
    inputs = batch(tmp_path)
    result = pipeline.run(inputs)
    assert "MERGE-SUPERSEDED" in {f.rule for f in result.findings}
    write_reports(result, tmp_path / "rep", previous=inputs[0], lang=lang)
    page = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page and len(seen) > 30
    data = ("country_totals", "area_totals", "pie_chart", "totals", "entries (", str(inputs[0]),
            *(p.name for p in inputs))  # the rule suites' and the workbooks' names
    assert leftover_words(page, data) == []
    assert english_left(page, seen, lang, real, data) == []


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_report_xlsx_headers_and_expected_actual_in_the_language(tmp_path, marked, lang):
    seen, real = marked
    result = pipeline.run(batch(tmp_path))
    write_reports(result, tmp_path / "rep", lang=lang)
    wb = load_workbook(tmp_path / "rep" / "report.xlsx")
    for ws in wb.worksheets[1:]:
        headers = next(ws.iter_rows(values_only=True))
        assert all(h.startswith(OPEN) and h.endswith(CLOSE) for h in headers if h != OPEN + "SHA-256" + CLOSE), \
            (ws.title, headers)
    about = [row[0] for row in wb["About"].iter_rows(values_only=True)]
    assert all(a.startswith(OPEN) for a in about), about
    rows = list(wb["Findings"].iter_rows(values_only=True))
    head = [h.strip(OPEN + CLOSE) for h in rows[0]]
    by_rule = {r[1]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    expected, found = head[6], head[7]
    missing = by_rule["ENTRY-AMOUNT-MISSING"]
    assert missing[expected] == OPEN + ("un montant en USD" if lang == "fr" else "un importe en USD") + CLOSE
    assert missing[found] == OPEN + ("(vide)" if lang == "fr" else "(vacío)") + CLOSE
    merge = by_rule["MERGE-SUPERSEDED"]
    copies = merge[found]
    word, entries = ("révision", "entrée") if lang == "fr" else ("revisión", "entrada")
    assert word in copies and entries in copies and "revision " not in copies and "entry" not in copies
    assert merge[expected].startswith(OPEN) and "Kenya" in merge[expected]


def test_expected_actual_stay_english_in_json_and_are_said_on_demand(tmp_path):
    result = pipeline.run(batch(tmp_path))
    missing = next(f for f in result.findings if f.rule == "ENTRY-AMOUNT-MISSING")
    assert (missing.expected, missing.actual) == ("an amount in USD", "(blank)")
    assert missing.figures_in("es") == ("un importe en USD", "(vacío)")
    merge = next(f for f in result.findings if f.rule == "MERGE-SUPERSEDED")
    assert merge.actual == "kenya-new.xlsx (revision 2, 1 entry), kenya-old.xlsx (revision 1, 2 entries)"
    assert merge.figures_in("fr")[1] == "kenya-new.xlsx (révision 2, 1 entrée), kenya-old.xlsx (révision 1, 2 entrées)"
    r = runner.invoke(cli, ["reconcile", *map(str, batch(tmp_path)), "--format", "json", "--lang", "fr"])
    f = next(f for f in json.loads(r.stdout)["findings"] if f["rule"] == "ENTRY-AMOUNT-MISSING")
    assert (f["expected"], f["actual"]) == ("an amount in USD", "(blank)")


def test_figures_as_a_reader_writes_them_and_english_unchanged():
    assert [number(1_500_000, lang) for lang in ("en", "fr", "es")] == ["1,500,000", "1\u202f500\u202f000",
                                                                          "1.500.000"]
    assert [percent(2.74, lang) for lang in ("en", "fr", "es")] == ["2.7%", "2,7\xa0%", "2,7\xa0%"]
    assert [decimal_text("2.8", lang) for lang in ("en", "fr", "es")] == ["2.8", "2,8", "2,8"]
    assert signed(-1_000_000, "es") == "-1.000.000" and signed(None, "fr") == "—" and number(None, "fr") == "—"


def test_report_html_writes_figures_per_locale_and_json_keeps_numbers(tmp_path):
    inputs = batch(tmp_path)
    for lang in ("en", "fr", "es"):
        write_reports(pipeline.run(inputs), tmp_path / lang, lang=lang)
    pages = {lang: (tmp_path / lang / "report.html").read_text(encoding="utf-8") for lang in ("en", "fr", "es")}
    assert "1,500,000" in pages["en"]
    assert "1\u202f500\u202f000" in pages["fr"] and "1,500,000" not in pages["fr"]
    assert "1.500.000" in pages["es"] and "1,500,000" not in pages["es"]
    record = json.loads((tmp_path / "fr" / "report.json").read_text(encoding="utf-8"))
    assert isinstance(record["regions"][0]["computed_total"], float)  # a number, not text
    missing = next(f for f in record["findings"] if f["rule"] == "ENTRY-AMOUNT-MISSING")
    assert missing["texts"]["expected"] == {"msgid": "an amount in USD", "params": {}}
