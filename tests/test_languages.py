"""Findings, reports and pages in English, French and Spanish (issue 19 items 3, 5, 6): gettext catalogues
managed with Babel; the finding's code and figures stay the same in every language."""

from __future__ import annotations

import csv
import io
import json
import pickle
import re
import shutil
import string
from pathlib import Path

import fixtures as fx
import hxl
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from openpyxl import load_workbook
from typer.testing import CliRunner
from web_site import build, upload

from recon import intake
from recon.appeal.finding import Finding
from recon.appeal.location import Location
from recon.cli import app as cli
from recon.language import KEYWORDS, LANGUAGES, LOCALE_DIR, Text, from_accept_language, in_language, n, said
from recon.report import export
from recon.workbook import layout as L

ROOT = Path(__file__).resolve().parent.parent
MI2015 = ROOT / "workbooks" / "mi2015"
runner = CliRunner()


def msgids_in_use() -> set:
    """Every msgid the code, the web templates and the rule suites use (as ``pybabel extract`` finds them)."""
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add(tuple(message) if isinstance(message, list | tuple) else message)
    return found


def untranslated(po: Path, msgids: set) -> list:
    """The msgids ``po`` lacks, leaves empty or fuzzy, or translates with other placeholders."""
    with open(po, "rb") as f:
        catalog = read_po(f)
    bad = []
    for msgid in sorted(msgids, key=str):
        m = catalog.get(msgid)
        strings = [] if m is None else (list(m.string) if isinstance(m.string, tuple | list) else [m.string])
        if m is None or m.fuzzy or not strings or not all(strings) or \
                any(_fields(s) != _fields(msgid if isinstance(msgid, str) else msgid[-1]) for s in strings):
            bad.append(msgid)
    return bad


def _fields(text: str) -> set:
    """``"{count:,} of {name}"`` → ``{"count", "name"}`` (and Jinja's ``%(count)s`` → ``{"count"}``)."""
    brace = {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f}
    return brace | set(re.findall(r"%\((\w+)\)s", text))


def test_every_msgid_in_use_is_translated_in_every_catalogue():
    msgids = msgids_in_use()
    # the three sources are all there: code, suites, pages
    assert "amount {shown} is not a number" in msgids  # recon/workbook/read.py
    assert "negative amount {amount:usd}" in msgids  # expectations/entries.json
    assert "Upload and check" in msgids  # recon/web/templates/office.html
    assert ("{count:,} workbook", "{count:,} workbooks") in msgids  # ngettext
    for lang in LANGUAGES[1:]:
        assert untranslated(LOCALE_DIR / lang / "LC_MESSAGES" / "recon.po", msgids) == [], lang


def test_a_missing_translation_fails_the_catalogue_check(tmp_path):
    po = tmp_path / "recon.po"
    shutil.copy(LOCALE_DIR / "fr" / "LC_MESSAGES" / "recon.po", po)
    text = po.read_text(encoding="utf-8")
    gone = text.replace('msgstr "montant négatif {amount:usd}"', 'msgstr ""')
    wrong = text.replace('msgstr "montant négatif {amount:usd}"', 'msgstr "montant négatif {montant:usd}"')
    assert gone != text and wrong != text
    msgids = msgids_in_use()
    po.write_text(gone, encoding="utf-8")
    assert untranslated(po, msgids) == ["negative amount {amount:usd}"]
    po.write_text(wrong, encoding="utf-8")  # a placeholder translated by mistake
    assert untranslated(po, msgids) == ["negative amount {amount:usd}"]


def test_a_finding_said_in_french_and_spanish_keeps_its_english_text():
    f = Finding("ENTRY-AMOUNT-NEGATIVE", "error", location=Location("k.xlsx", "Entries", "C2"),
                message=said("negative amount {amount:usd}", amount=-5000.0),
                suggestion=said("enter the requirement as a positive number of USD"))
    assert (f.message, f.params) == ("negative amount -5,000", {"amount": -5000.0})
    assert f.said_in("en") == ("negative amount -5,000", "enter the requirement as a positive number of USD")
    # figures as a reader there writes them (narrow no-break space in French, a dot in Spanish)
    assert f.said_in("fr") == ("montant négatif -5\u202f000", "saisissez le besoin en nombre positif d'USD")
    assert f.said_in("es") == ("importe negativo -5.000", "escriba el requerimiento como número positivo de USD")
    assert f.to_json()["message"] == "negative amount -5,000"  # --format json: unchanged


def test_nested_texts_and_plurals_are_said_in_the_language_throughout():
    note = n(3, "; {count:,} entry has no amount", "; {count:,} entries have no amount")
    t = said("find the entry that is missing, extra or mistyped{missing_note}", missing_note=note)
    assert t == "find the entry that is missing, extra or mistyped; 3 entries have no amount"
    assert in_language(t, "fr") == "trouvez l'entrée manquante, en trop ou mal saisie ; 3 entrées n'ont pas de montant"
    assert in_language(n(1, "{count:,} workbook", "{count:,} workbooks"), "es") == "1 libro"
    assert in_language(n(0, "{count:,} error", "{count:,} errors"), "fr") == "0 erreur"  # French: 0 is singular
    assert in_language("Kenya", "fr") == "Kenya"  # not a Text: data, as it is


def test_a_stored_finding_is_said_again_in_another_language():
    """The archive keeps a finding as JSON: its msgid and parameters come back (and survive a fork's pickle)."""
    f = Finding("MERGE-COUNTRY-OFFICE-WINS", "warning",
                message=n(2, "{count:,} {name} entry in {file} is replaced by {name}'s own workbook",
                          "{count:,} {name} entries in {file} are replaced by {name}'s own workbook",
                          name="Kenya", file="ehoa.xlsx"))
    stored = json.loads(json.dumps({**f.to_json(), "texts": f.texts()}))
    back = intake.as_findings([stored])[0]
    assert back.message == f.message == "2 Kenya entries in ehoa.xlsx are replaced by Kenya's own workbook"
    assert back.said_in("fr")[0] == "2 entrées Kenya de ehoa.xlsx sont remplacées par le classeur propre à Kenya"
    assert pickle.loads(pickle.dumps(f)).said_in("es") == f.said_in("es")
    assert isinstance(pickle.loads(pickle.dumps(f.message)), Text)


@pytest.mark.parametrize(("header", "lang"), [("fr-FR,fr;q=0.9,en;q=0.8", "fr"), ("es-AR,es;q=0.9", "es"),
                                              ("de-DE,de;q=0.9", "en"), ("de;q=1,es;q=0.5", "es"), ("", "en"),
                                              ("fr;q=0,es;q=0.2", "es")])
def test_page_language_from_accept_language(header, lang):
    assert from_accept_language(header) == lang


def _numbers(text: str) -> list[str]:
    """The figures of a line, whatever the language writes them with: ``"19 000 000"``, ``"2,7"`` → digits."""
    return re.findall(r"\d+", re.sub(r"(?<=\d)[,.\u202f\xa0](?=\d)", "", text))


def test_reconcile_lang_fr_says_the_2015_findings_in_french_with_the_same_codes_and_figures():
    english = runner.invoke(cli, ["reconcile", str(MI2015)])
    french = runner.invoke(cli, ["reconcile", str(MI2015), "--lang", "fr"])
    assert english.exit_code == french.exit_code == 1
    en_lines, fr_lines = english.stdout.splitlines(), french.stdout.splitlines()
    assert fr_lines[0].startswith("recon · règles ") and "10 classeurs, 788 entrées · 5 erreurs, 12 avertissements" \
        in fr_lines[0]
    codes = [ln.split()[:2] for ln in en_lines if re.match(r"^(ERROR|WARNING|INFO) ", ln)]
    assert len(codes) == 27 and codes == [ln.split()[:2] for ln in fr_lines if re.match(r"^(ERROR|WARNING|INFO) ", ln)]
    assert len(en_lines) == len(fr_lines)
    for en, fr in zip(en_lines, fr_lines, strict=True):
        if en.startswith("        "):  # a message or a suggestion: other words, the same figures
            assert _numbers(en) == _numbers(fr), (en, fr)
    assert "le tableau des pays indique 19\u202f000\u202f000 pour Georgia ; ses entrées totalisent " \
           "18\u202f000\u202f000 (écart 1\u202f000\u202f000)" in french.stdout
    assert "le camembert imprime 2.8% pour Migration Policy and Research ; sa part est de 2,7359% → 2,7%" \
           in french.stdout  # the label as printed, recon's figures as a French reader writes them
    # JSON stays language-neutral: the same document whatever --lang says
    assert runner.invoke(cli, ["reconcile", str(MI2015), "--format", "json", "--lang", "es"]).stdout == \
        runner.invoke(cli, ["reconcile", str(MI2015), "--format", "json"]).stdout


MISSING_AMOUNT = [{"area": "Migration Health"}, {"area": "Migrant Assistance", "amount": -5}]


def _with_language(path: Path, lang: str) -> Path:
    """A workbook whose hidden _meta says its language (as `recon template --lang` writes it)."""
    wb = load_workbook(path)
    wb[L.META].append([L.META_LANGUAGE, lang])
    wb.save(path)
    return path


def test_reports_say_findings_in_lang_and_report_json_stays_neutral(tmp_path):
    bad = fx.clean_country(tmp_path, "kenya", MISSING_AMOUNT)
    r = runner.invoke(cli, ["reconcile", str(bad), "--lang", "es", "--report-dir", str(tmp_path / "rep")])
    assert r.exit_code == 1, r.output
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "**Validación del llamamiento de fondos**" in md and "Resultado: **2 errores**" in md
    assert "Kenya · Migration Health: un requerimiento sin importe" in md
    html = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    assert "escriba el importe, o ponga el estado en Financiado si está totalmente financiado" in html
    record = json.loads((tmp_path / "rep" / "report.json").read_text(encoding="utf-8"))
    missing = next(f for f in record["findings"] if f["rule"] == "ENTRY-AMOUNT-MISSING")
    assert missing["message"] == "Kenya · Migration Health: a requirement without an amount"
    assert missing["texts"]["message"] == {"msgid": "{country} · {area}: a requirement without an amount",
                                           "params": {"country": "Kenya", "area": "Migration Health"}}
    xlsx = load_workbook(tmp_path / "rep" / "report.xlsx")
    said = {c for row in xlsx["Findings"].iter_rows(values_only=True) for c in row}
    assert "importe negativo -5" in said


def test_annotated_copy_speaks_the_workbooks_language(tmp_path):
    bad = _with_language(fx.clean_country(tmp_path, "kenya", MISSING_AMOUNT), "fr")
    r = runner.invoke(cli, ["check", str(bad), "--annotate", str(tmp_path / "checked.xlsx")])
    assert r.exit_code == 1, r.output
    assert "a requirement without an amount" in r.stdout  # the terminal: --lang, English by default
    ws = load_workbook(tmp_path / "checked.xlsx")["Findings"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Gravité", "Règle", "Emplacement", "Message", "Suggestion")
    missing = next(row for row in rows if row[1] == "ENTRY-AMOUNT-MISSING")
    assert missing[0] == "erreur" and missing[3] == "Kenya · Migration Health : un besoin sans montant"
    assert missing[4] == "saisissez le montant, ou mettez le statut à Financé s'il est entièrement financé"
    comment = load_workbook(tmp_path / "checked.xlsx")[L.ENTRIES][missing[2].split(" › ")[-1]].comment.text
    assert "ERREUR ENTRY-AMOUNT-MISSING: Kenya · Migration Health : un besoin sans montant" in comment
    # --lang wins over the workbook's language; checking the copy again recognises recon's French sheet
    again = runner.invoke(cli, ["check", str(tmp_path / "checked.xlsx"), "--lang", "es",
                                "--annotate", str(tmp_path / "again.xlsx")])
    wb = load_workbook(tmp_path / "again.xlsx")
    assert "Findings (recon)" not in wb.sheetnames, again.output
    assert next(wb["Findings"].iter_rows(values_only=True)) == ("Gravedad", "Regla", "Ubicación", "Mensaje",
                                                                 "Sugerencia")


def test_upload_page_in_french_from_the_browser_then_spanish_by_the_switch(tmp_path, checker):
    site = build(tmp_path, checker)
    kenya = site.office_client(site.kenya_token)
    kenya.headers["Accept-Language"] = "fr-FR,fr;q=0.9,en;q=0.5"
    office = kenya.get(f"/offices/{site.kenya.id}").text
    assert '<html lang="fr">' in office and "Déposer et vérifier" in office and "Rien n'a encore été déposé." in office
    assert 'hreflang="es"' in office and "Español" in office  # the switch
    sent = upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", MISSING_AMOUNT))
    page = kenya.get(sent.headers["location"]).text
    assert "Révision 1" in page and "2 erreurs" in page and "Télécharger la copie annotée" in page
    assert "ENTRY-AMOUNT-MISSING" in page and "Kenya · Migration Health : un besoin sans montant" in page
    assert "montant négatif -5" in page
    spanish = kenya.get(sent.headers["location"] + "?lang=es").text
    assert '<html lang="es">' in spanish and "Kenya · Migration Health: un requerimiento sin importe" in spanish
    assert "Revisión 1" in kenya.get(sent.headers["location"]).text  # the choice is remembered
    english = site.office_client(site.kenya_token).get(sent.headers["location"]).text  # no Accept-Language
    assert "Kenya · Migration Health: a requirement without an amount" in english and "Revision 1" in english


def test_export_hxl_is_read_by_libhxl_column_by_hashtag(tmp_path):
    out = tmp_path / "entries.csv"
    r = runner.invoke(cli, ["export", str(MI2015), "--hxl", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == list(export.COLUMNS) and rows[1] == [export.HXL[c] for c in export.COLUMNS]
    data = hxl.data(str(out), hxl.InputOptions(allow_local=True))  # a local file: libhxl asks to be told
    assert [c.display_tag for c in data.columns] == ["#region+name", "#country+name", "#sector+name",
                                                      "#value+funding+required+usd", "#status+funding",
                                                      "#meta+source"]
    records = list(data)
    assert len(records) == 788
    georgia = [rec for rec in records if rec.get("#country+name") == "Georgia"]
    assert sum(float(rec.get("#value+funding+required")) for rec in georgia if rec.get("#value")) == 18_000_000
    assert {rec.get("#status") for rec in records} == {"requirement", "funded"}
    usd = sum(float(rec.get("#value+usd")) for rec in records if rec.get("#value+usd"))
    assert usd == 1_681_727_000  # the ten regions' computed totals
    plain = runner.invoke(cli, ["export", str(MI2015)]).stdout
    assert "#country+name" not in plain  # without --hxl: as before
    assert runner.invoke(cli, ["export", str(MI2015), "--hxl", "--format", "json"]).exit_code == 2
