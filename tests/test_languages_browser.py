"""The upload site in French in a real browser (Debian's chromium through Playwright): a browser set to French
gets French pages and French findings; the language switch gives Spanish. Screenshots in tmp_path (and in
$RECON_SCREENSHOTS when set)."""

from __future__ import annotations

from pathlib import Path

import fixtures as fx
import pytest
from test_web_browser import ARGS, CHROMIUM, drop_file, server, shoot  # noqa: F401 (server: the fixture)

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

ERRORS = [{"area": "Migration Health"}, {"area": "Migrant Assistance", "amount": -5}]


def test_a_french_browser_sees_the_office_page_and_findings_in_french_then_switches_to_spanish(request, tmp_path):
    link, _log = request.getfixturevalue("server")  # recon serve on a free port (tests/test_web_browser.py)
    bad = fx.clean_country(tmp_path, "kenya", ERRORS)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="fr-FR")
            page.goto(link)
            assert page.get_attribute("html", "lang") == "fr"
            assert page.inner_text("#send") == "Déposer et vérifier"
            with page.expect_navigation(url="**/revisions/1", timeout=120_000):
                drop_file(page, "#drop", bad)
            findings = page.inner_text("#findings")
            assert "ENTRY-AMOUNT-MISSING" in findings and "Kenya · Migration Health : un besoin sans montant" in findings
            assert "montant négatif -5" in findings and "Gravité" in findings
            assert "Révision 1" in page.inner_text("h1") and "avec erreurs" in page.inner_text("h1")
            shoot(page, tmp_path, "upload-findings-fr")

            page.click("#languages >> text=Español")
            assert page.get_attribute("html", "lang") == "es"
            assert "Kenya · Migration Health: un requerimiento sin importe" in page.inner_text("#findings")
            shoot(page, tmp_path, "upload-findings-es")
        finally:
            browser.close()
