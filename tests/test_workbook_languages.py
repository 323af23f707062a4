"""Workbooks in English, French and Spanish: one catalogue of workbook words (recon/workbook/words.py), the
template in each language, columns found by HXL hashtag or by header text in any language, and names in any
of the three languages mapped to the same canonical entity (issue 16 item 2, issue 19 items 1, 2, 4, 6)."""

import copy

import fixtures as fx

from recon import pipeline
from recon.workbook import annotate


def flat(findings) -> list[tuple]:
    return sorted((f.rule, f.severity, str(f.location or "")) for f in findings)


def test_financé_and_financiado_in_the_status_column_mean_funded_as_in_the_amount_column(tmp_path):
    """Regression: "Financé"/"financiado" were funded words in the Amount column (amounts.py) but gave
    ENTRY-STATUS-UNKNOWN in the Status column (read.py): the two lists of words disagreed."""
    rows = copy.deepcopy(fx.KENYA_ENTRIES)
    rows[2]["status"] = "Financé"
    french = fx.clean_country(tmp_path, "kenya-financé", rows=rows)
    rows[2]["status"] = "financiado"
    spanish = fx.clean_country(tmp_path, "kenya-financiado", rows=rows)
    english = fx.clean_country(tmp_path, "kenya-funded")
    for path in (french, spanish):
        result = pipeline.run([path])
        assert flat(result.findings) == [], path.name
        assert result.reconciliation.entries["status"].astype(str).tolist() == \
            pipeline.run([english]).reconciliation.entries["status"].astype(str).tolist()


# --- the 2015 workbooks rewritten in French and Spanish ------------------------------------------------------

import math  # noqa: E402
import shutil  # noqa: E402

import pytest  # noqa: E402
from conftest import MI2015  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from recon.appeal.published import PublishedRow, PublishedSummary  # noqa: E402
from recon.appeal.vocabulary import load, name_key  # noqa: E402
from recon.workbook import layout as L  # noqa: E402
from recon.workbook import template  # noqa: E402
from recon.workbook import words as W  # noqa: E402

WCA, SAM = "west-and-central-africa.xlsx", "south-america.xlsx"


def translate_name(printed, names, lang: str):
    """A name as an office writing ``lang`` would have printed it: a canonical name in that language; a
    variant stays a variant — printed in capitals where the variant *is* the name in ``lang`` ("Cameroun" in
    an English workbook is "CAMEROUN" in a French one)."""
    if not isinstance(printed, str) or not printed:
        return printed
    match = names.resolve(printed)
    if match.name is None:
        return printed
    if printed == match.name:  # canonical in English
        return names.show(match.name)
    return names.show(match.name).upper() if name_key(printed) == name_key(names.show(match.name)) else printed


def rewrite(src, dest_dir, lang: str):
    """The bundled workbook with its headers, statuses, yes words, Summary labels and country and area names
    in ``lang``, and ``_meta`` saying so: the same shape, so every finding sits in the same cell."""
    en, w = W.words("en"), W.words(lang)
    vocab = load(lang)
    wb = load_workbook(src)
    region = next(r[1].value for r in wb[L.META].iter_rows() if r[0].value == "region")
    countries, areas = vocab.regions[region].countries, vocab.areas
    ws = wb[L.ENTRIES]
    fields = {en.header(f): f for f in L.ENTRY_COLUMNS}
    columns = {fields[c.value]: c.column for c in ws[1] if c.value in fields}
    for c in ws[1]:
        if c.value in fields:
            c.value = w.header(fields[c.value])
    statuses = {en.status_requirement: w.status_requirement, en.status_funded: w.status_funded, en.yes: w.yes}
    for row in ws.iter_rows(min_row=2):
        cell = {f: row[i - 1] for f, i in columns.items()}
        cell["country"].value = translate_name(cell["country"].value, countries, lang)
        cell["area"].value = translate_name(cell["area"].value, areas, lang)
        for f in ("status", "duplicate_ok"):
            cell[f].value = statuses.get(cell[f].value, cell[f].value)
    s = wb[L.SUMMARY]
    labels = {en.summary_title: w.summary_title, en.total: w.total, en.country_table_sum: w.country_table_sum,
              en.area_table_sum: w.area_table_sum}
    names = countries
    for r in range(1, s.max_row + 1):
        a = s.cell(r, 1)
        if a.value == en.country_table[0] and s.cell(r, 2).value == en.country_table[1]:
            for i, text in enumerate(w.country_table, start=1):
                s.cell(r, i).value = text or None
            names = countries
        elif a.value == en.area_table[0] and s.cell(r, 2).value == en.area_table[1]:
            for i, text in enumerate(w.area_table, start=1):
                s.cell(r, i).value = text or None
            names = areas
        elif a.value in labels:
            a.value = labels[a.value]
        elif r > 3:
            a.value = translate_name(a.value, names, lang)
            b = s.cell(r, 2)
            if isinstance(b.value, str) and b.value.casefold() == "funded":
                b.value = w.status_funded.lower()
    meta = wb[L.META]
    meta.append([L.META_LANGUAGE, lang])
    dest = dest_dir / src.name
    wb.save(dest)
    return dest


def same_findings(findings) -> list[tuple]:
    """What must not depend on the language: code, severity, place, entity and figures."""
    from recon.appeal.finding import number

    def figure(text):  # a figure's value; a name's text differs by language and is left out
        return number(text) if number(text) is not None else None

    return sorted((f.rule, f.severity, str(f.location or ""), f.region or "", f.country or "", f.area or "",
                   figure(f.expected), figure(f.actual), f.usd_at_stake) for f in findings)


def figures(result) -> dict:
    e = result.reconciliation.entries
    req = e[e["status"].astype(str) == L.STATUS_REQUIREMENT]
    return {k: v for k, v in req.groupby(["country", "area"], observed=True)["amount"].sum().items()
            if not math.isnan(v)}


@pytest.mark.parametrize(("name", "lang"), [(WCA, "fr"), (SAM, "es")])
def test_2015_workbook_rewritten_in_another_language_gives_the_same_findings(tmp_path, name, lang):
    english = pipeline.run([MI2015 / name])
    assert english.findings, "the 2015 workbooks have findings: the comparison must not be vacuous"
    translated = rewrite(MI2015 / name, tmp_path, lang)
    other = pipeline.run([translated])
    assert same_findings(other.findings) == same_findings(english.findings)
    assert figures(other) == figures(english)
    assert other.reconciliation.entries["status"].astype(str).value_counts().to_dict() == \
        english.reconciliation.entries["status"].astype(str).value_counts().to_dict()
    # ... with the messages in the workbook's language: its annotated copy's Findings sheet
    copy_ = annotate.write_copy(translated, other.findings, tmp_path / f"checked-{lang}.xlsx").path
    rows = list(load_workbook(copy_)["Findings"].iter_rows(min_row=2, values_only=True))
    said = sorted(f.said_in(lang)[0] for f in other.findings)
    assert sorted(row[3] for row in rows if row[1]) == said
    assert set(said) - {f.said_in("en")[0] for f in english.findings}, f"no message in {lang}"


def entries_and_summary(path) -> tuple[str, list[dict], PublishedSummary]:
    """What a bundled workbook holds, to pre-fill a template with (cells as typed)."""
    wb = load_workbook(path)
    region = next(r[1].value for r in wb[L.META].iter_rows() if r[0].value == "region")
    ws = wb[L.ENTRIES]
    fields = list(L.ENTRY_COLUMNS)
    rows = [dict(zip(fields, row, strict=False)) for row in ws.iter_rows(min_row=2, max_col=len(fields),
                                                                           values_only=True) if any(row)]
    sub = pipeline.run([path]).submissions[0]

    def published(frame, with_percent):
        return [PublishedRow(r["name_printed"], "funded" if r["published_funded"] else
                             (None if math.isnan(r["published_usd"]) else r["published_usd"]),
                             r["percent_text"] if with_percent else None) for r in frame.to_dict("records")]

    return region, rows, PublishedSummary(sub.title, published(sub.countries, False), published(sub.areas, True),
                                          sub.total)


@pytest.mark.parametrize(("name", "lang"), [(WCA, "fr"), (SAM, "es")])
def test_template_built_in_another_language_with_the_same_entries_gives_the_same_findings(tmp_path, name, lang):
    """The current template (HXL row) in English and in ``lang``, pre-filled with a 2015 workbook's entries
    and tables: same findings, cell for cell."""
    region, rows, summary = entries_and_summary(MI2015 / name)
    found = {}
    for code in ("en", lang):
        (tmp_path / code).mkdir()
        if code != "en":  # names as an office writing that language prints them (variants stay variants)
            vocab = load(code)
            countries, areas = vocab.regions[region].countries, vocab.areas
            rows = [{**r, "country": translate_name(r["country"], countries, code),
                     "area": translate_name(r["area"], areas, code)} for r in rows]
            summary = PublishedSummary(
                summary.title, [PublishedRow(translate_name(r.name, countries, code), r.value) for r in summary.countries],
                [PublishedRow(translate_name(r.name, areas, code), r.value, r.percent) for r in summary.areas],
                summary.total)
        wb = template.build(region, entries=rows, summary=summary, lang=code, hashtags=True)
        found[code] = pipeline.run([template.write(wb, tmp_path / code / name)])
    assert found["en"].findings
    assert same_findings(found[lang].findings) == same_findings(found["en"].findings)
    assert figures(found[lang]) == figures(found["en"])


def shift(location: str, entries_by: int, summary_by) -> str:
    """``x.xlsx › Entries › C5`` one row lower (the HXL row)."""
    file, sheet, cell = (location.split(" › ") + ["", ""])[:3]
    if not cell:
        return location
    col = cell.rstrip("0123456789")
    row = int(cell[len(col):])
    row += entries_by if sheet == L.ENTRIES else summary_by(row) if sheet == L.SUMMARY else 0
    return f"{file} › {sheet} › {col}{row}"


def test_the_current_template_reads_the_2015_workbook_the_same_one_row_lower(tmp_path):
    """Both shapes, same findings: the HXL row moves Entries one row down and each Summary table one more."""
    region, rows, summary = entries_and_summary(MI2015 / WCA)
    wb = template.build(region, entries=rows, summary=summary, hashtags=True)
    rebuilt = pipeline.run([template.write(wb, tmp_path / WCA)])
    bundled = pipeline.run([MI2015 / WCA])
    area_header = 25  # the bundled Summary's area-table header row
    expected = [(r, s, shift(loc, 1, lambda row: 1 if row < area_header else 2), *rest)
                for r, s, loc, *rest in same_findings(bundled.findings)]
    assert same_findings(rebuilt.findings) == sorted(expected)


@pytest.mark.parametrize("lang", W.LANGUAGES)
def test_clean_template_in_each_language_reads_back_without_findings(tmp_path, lang):
    region_wb = template.build(fx.REGION, entries=fx.entries(), summary=fx.summary(), lang=lang, hashtags=True)
    country_wb = template.build(fx.REGION, "Kenya", entries=copy.deepcopy(fx.KENYA_ENTRIES), lang=lang,
                                hashtags=True)
    for wb, name in ((region_wb, "region"), (country_wb, "kenya")):
        path = template.write(wb, tmp_path / f"{name}-{lang}.xlsx")
        assert flat(pipeline.run([path]).findings) == [], name
        meta = {r[0].value: r[1].value for r in load_workbook(path)[L.META].iter_rows()}
        assert meta["lang"] == lang


def test_french_template_writes_its_words_and_its_hashtag_row(tmp_path):
    wb = template.build("West and Central Africa", lang="fr")
    entries, summary = wb[L.ENTRIES], wb[L.SUMMARY]
    assert [c.value for c in entries[1]][:4] == ["Pays", "Domaine programmatique", "Besoin de financement (USD)",
                                                  "Statut"]
    assert [c.value for c in entries[2]][:4] == ["#country+name", "#sector+name", "#value+funding+required+usd",
                                                  "#status+funding"]
    assert wb.sheetnames[0] == "Instructions"
    lists = wb[L.LISTS]
    assert "Cameroun" in [c.value for c in lists["A"]] and "Sénégal" in [c.value for c in lists["A"]]
    assert [c.value for c in lists["C"]][1:3] == ["Besoin", "Financé"]
    assert summary["A4"].value == "Pays" and summary["A5"].value == "#country+name"
    assert summary._charts[0].title.tx.rich.p[0].r[0].t.startswith("Besoin de financement par domaine")
    es = template.build("South America", lang="es")
    assert es.sheetnames[0] == "Instrucciones" and es[L.ENTRIES]["D1"].value == "Estado"


def test_french_workbook_with_english_names_reconciles_to_the_same_entities(tmp_path):
    """Mixed languages: a French workbook whose country and area cells are in English (or Spanish) still
    reconciles, each name the same canonical entity. The canonical (English) names are the organization's
    own and need no change; a Spanish name is reported as a variant to write in French."""
    french = template.build(fx.REGION, entries=fx.entries(), summary=fx.summary(), lang="fr")
    ws = french[L.ENTRIES]
    ws["A4"], ws["B4"] = "Kenya", "Migrant Assistance"  # English names where the template wrote French ones
    ws["A6"] = "Programas regionales"  # and a Spanish one
    path = template.write(french, tmp_path / "mixed.xlsx")
    mixed = pipeline.run([path])
    clean = pipeline.run([fx.clean_region(tmp_path)])
    assert figures(mixed) == figures(clean)
    assert sorted((f.rule, str(f.location).rsplit(" › ", 1)[-1], f.country, f.area) for f in mixed.findings) == [
        ("ENTRY-COUNTRY-VARIANT", "A6", "Regional Programmes", "Migration Policy and Research")]  # HXL row 2


def test_reconcile_merges_workbooks_of_three_languages(tmp_path):
    """One reconciliation of the 2015 edition with West and Central Africa in French and South America in
    Spanish: the same findings and figures as all in English."""
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for p in MI2015.glob("*.xlsx"):
        if p.name == WCA:
            rewrite(p, mixed, "fr")
        elif p.name == SAM:
            rewrite(p, mixed, "es")
        else:
            shutil.copy(p, mixed / p.name)
    english = pipeline.run([MI2015])
    merged = pipeline.run([mixed])
    assert same_findings(merged.findings) == same_findings(english.findings)
    assert figures(merged) == figures(english)


def test_country_names_in_french_and_spanish_are_cldrs_unless_the_organization_writes_its_own():
    """The data names its source: CLDR through Babel by ISO code, or "recon translation"."""
    import json
    from importlib import resources

    import babel

    data = json.loads(resources.files("recon.data").joinpath("regions.json").read_text(encoding="utf-8"))
    own = []
    for region in data["regions"]:
        for country in region["countries"]:
            if country.get("names_source") == "recon translation":
                own.append(country["name"])
                continue
            for lang in ("fr", "es"):
                assert country[lang] == babel.Locale(lang).territories[country["iso"]], (country["name"], lang)
    assert "CLDR" in data["_comment"] and "Babel" in data["_comment"]
    assert {"Hong Kong, China", "Global Programmes", "IOM Funds"} <= set(own)
    assert data["regional_programmes"]["names_source"] == "recon translation"
