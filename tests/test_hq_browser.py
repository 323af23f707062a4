"""HQ's side of the upload site in a real browser (issue 18 item 7): Debian's Chromium driven by Playwright
(the system executable; nothing is downloaded) against ``recon serve`` started by the test.

The archive holds the 2015 edition's offices with their bundled workbooks (``recon serve --demo``'s seeding),
Kenya's country office whose first upload has a blank amount, and Uganda's, which sent nothing. HQ signs in
and sees Kenya "has errors" on the board; Kenya, in its own browser, uploads the fixed workbook; HQ's board
shows Kenya clean; HQ freezes budget revision 1, downloads its report.html and opens it: the report lists
Kenya's fixed workbook by its SHA-256. Screenshots go to the test's folder (and ``$RECON_SCREENSHOTS``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import fixtures as fx
import pytest
import test_web_browser as browser_test
from test_archive_faults import serving
from test_web_browser import ARGS, CHROMIUM, ERROR_ROWS, FIXED_ROWS, shoot

from recon import intake
from recon.archive import Archive
from recon.web import demo

playwright = browser_test.playwright
pytestmark = browser_test.pytestmark
REGION = "East and Horn of Africa"


@pytest.fixture
def hq_site(tmp_path, checker):
    """The archive described above, served by ``recon serve`` → (server, HQ password, Kenya's link, Kenya's
    fixed workbook)."""
    data = tmp_path / "recon-data"
    archive = Archive.open(None, data)
    try:
        _offices, password = demo.seed(archive, checker)
        kenya, token = archive.add_office(REGION, "Kenya")
        archive.add_office(REGION, "Uganda")
        bad = fx.write(tmp_path, "kenya", ERROR_ROWS, country="Kenya")
        with intake.scratch() as d:  # receive() takes the file it is given into the store: a copy
            copy = Path(d) / bad.name
            shutil.copyfile(bad, copy)
            first = intake.receive(archive, checker, kenya, copy, uploader="Kenya's link")
        assert first.number == 1 and first.errors > 0
    finally:
        archive.close()
    (tmp_path / "fixed").mkdir()
    fixed = fx.write(tmp_path / "fixed", "kenya", FIXED_ROWS, country="Kenya")
    with serving(data, None, None, tmp_path / "serve.log") as server:
        yield server, password, f"{server.base}/o/{token}", fixed


def board_status(page, office: str) -> str:
    row = page.locator("table tbody tr", has=page.locator("td.nowrap a", has_text=office))
    assert row.count() == 1, office
    return row.locator(".badge").get_attribute("data-status")


def test_hq_sees_an_office_turn_clean_freezes_a_revision_and_reads_its_report(hq_site, tmp_path):
    server, password, kenya_link, fixed = hq_site
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            hq = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
            hq.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            hq.on("pageerror", lambda e: problems.append(str(e)))

            hq.goto(server.base + "/hq")
            assert hq.url.endswith("/login")  # the board is for HQ only
            hq.fill("input[name=name]", demo.HQ_USER)
            hq.fill("input[name=password]", password)
            with hq.expect_navigation(url="**/hq"):
                hq.click("button[type=submit]")
            assert hq.inner_text("h1") == "All offices"
            assert board_status(hq, "Kenya") == "errors"
            assert board_status(hq, "Uganda") == "missing"
            assert hq.locator("table tbody tr").count() == 12  # 10 regional offices of 2015, Kenya, Uganda
            shoot(hq, tmp_path, "hq-board-before")

            # Kenya's office, in its own browser, uploads the fixed workbook.
            office = browser.new_context().new_page()
            office.goto(kenya_link)
            office.set_input_files("#workbook", str(fixed))
            with office.expect_navigation(url="**/revisions/2", timeout=180_000):
                office.click("#send")
            assert "every rule passes" in office.inner_text("#verdict")

            hq.reload()
            assert board_status(hq, "Kenya") == "clean"
            row = hq.locator("table tbody tr", has=hq.locator("td.nowrap a", has_text="Kenya")).inner_text()
            assert "revision 2" in row
            hq.select_option("select[name=status]", "clean")
            with hq.expect_navigation(url="**/hq?*status=clean*"):
                hq.click("form.filters button[type=submit]")
            shown = hq.locator("table tbody tr td.nowrap a[href^='/offices/']:not([href*='revisions'])")
            assert "Kenya" in shown.all_inner_texts()
            hq.goto(server.base + "/hq")
            shoot(hq, tmp_path, "hq-board")

            with hq.expect_navigation(timeout=300_000):
                hq.click("text=Freeze the next budget revision")
            assert "Froze budget revision 1" in hq.inner_text(".notice")
            link = hq.locator("#budget-revisions ~ table a", has_text="report.html")
            with hq.expect_download(timeout=120_000) as info:
                link.click()
            report = tmp_path / info.value.suggested_filename
            info.value.save_as(report)
            assert report.name == "budget-revision-1-report.html"
            shoot(hq, tmp_path, "hq-frozen")

            reader = browser.new_context().new_page()  # the report as its reader opens it
            reader.goto(report.as_uri())
            assert "Validation report" in reader.inner_text("h1")
            kenya_row = reader.locator("tr", has_text="kenya.xlsx").inner_text()
            assert hashlib.sha256(fixed.read_bytes()).hexdigest() in kenya_row
            shoot(reader, tmp_path, "hq-report")
        finally:
            browser.close()
    assert problems == []  # no script error, no Content-Security-Policy violation
