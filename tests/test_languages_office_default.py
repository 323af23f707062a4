"""An office's pages default to the language of its latest accepted workbook (the hidden _meta sheet's
``language``) when neither the user (the switch) nor the browser (Accept-Language) chose one (issue 19)."""

from __future__ import annotations

import fixtures as fx
from openpyxl import load_workbook
from web_site import build, upload

from recon.workbook import layout as L


def in_language(path, lang: str):
    """The workbook with its _meta saying ``lang``, as `recon template --lang` writes it."""
    wb = load_workbook(path)
    wb[L.META].append([L.META_LANGUAGE, lang])
    wb.save(path)
    return path


def test_office_page_speaks_its_workbooks_language_unless_the_browser_or_user_chose(tmp_path, checker):
    site = build(tmp_path, checker)
    kenya = site.office_client(site.kenya_token)  # no Accept-Language: nothing chosen
    assert '<html lang="en">' in kenya.get(f"/offices/{site.kenya.id}").text  # nothing uploaded yet
    sent = upload(kenya, site.kenya, in_language(fx.clean_country(tmp_path, "kenya"), "fr"))
    assert sent.status_code == 303, sent.text
    office = kenya.get(f"/offices/{site.kenya.id}").text
    assert '<html lang="fr">' in office and "Déposer et vérifier" in office
    assert '<html lang="fr">' in kenya.get(sent.headers["location"]).text  # its revision page too

    browser = site.office_client(site.kenya_token)
    browser.headers["Accept-Language"] = "en-GB,en;q=0.9"  # the browser chose English: it wins
    assert '<html lang="en">' in browser.get(f"/offices/{site.kenya.id}").text
    german = site.office_client(site.kenya_token)
    german.headers["Accept-Language"] = "de-DE,de;q=0.9"  # none of ours: the workbook's language
    assert '<html lang="fr">' in german.get(f"/offices/{site.kenya.id}").text

    assert '<html lang="es">' in kenya.get(f"/offices/{site.kenya.id}?lang=es").text  # the switch wins
    assert '<html lang="es">' in kenya.get(f"/offices/{site.kenya.id}").text  # and is remembered

    uganda = site.office_client(site.uganda_token)
    english = upload(uganda, site.uganda, fx.write(tmp_path, "uganda", [{"area": "Migration Health", "amount": 5}],
                                                      country="Uganda"))
    assert english.status_code == 303
    assert '<html lang="en">' in uganda.get(f"/offices/{site.uganda.id}").text  # a workbook without language
