"""The region's live reconciliation on HQ's board (issue 18): every office's latest accepted upload reconciled
now — totals, published vs computed per country and area, the pie chart, the findings — the same figures
`recon reconcile` prints for those workbooks; it follows the next upload; HQ only; SQLite and PostgreSQL."""

from __future__ import annotations

import re

import fixtures as fx
import web_site
from web_site import REGION, upload

from recon import pipeline
from recon.report.headline import region_rows

PAGE = "/hq/regions/East%20and%20Horn%20of%20Africa"

site = web_site.site  # the fixture: each test runs on SQLite and on a throwaway PostgreSQL


def cells(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_region_page_reconciles_the_latest_accepted_uploads_as_recon_reconcile_does(site, tmp_path):
    kenya, hq = site.office_client(site.kenya_token), site.hq_client()
    assert "nothing to reconcile" in hq.get(PAGE).text
    region = tmp_path / "region"
    region.mkdir()
    book = fx.write(region, "ehoa", fx.entries(), fx.summary())
    site.archive.add_office(REGION)
    regional = next(o for o, _ in site.archive.offices() if o.country is None)
    upload(hq, regional, book)
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT))

    page = hq.get(PAGE)
    assert page.status_code == 200
    expected = next(r for r in region_rows(pipeline.run([book, tmp_path / "kenya.xlsx"]))
                    if r["region"] == REGION)
    totals, = cells(page.text, "totals")
    assert totals == [str(expected["entries"]), str(expected["funded"]), f"{expected['published_total']:,.0f}",
                      f"{expected['computed_total']:,.0f}", f"{expected['gap']:,.0f}", str(expected["error"]),
                      str(expected["warning"]), str(expected["info"])]
    assert totals[2:5] == ["3,500,000", "2,500,000", "1,000,000"]  # Kenya's own workbook misses 1,000,000
    assert ["Kenya", "1,500,000", "500,000", "1,000,000", "2"] in cells(page.text, "countries")
    assert ["Migration Health", "1,000,000", "0", "1,000,000", "1"] in cells(page.text, "areas")
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="pie"') == 2
    assert ["Migration Health", "28.6", "0.0"] in cells(page.text, "slices")
    assert "ENTRY-AMOUNT-MISSING" in page.text
    offices = cells(page.text, "offices")
    assert ["Uganda", "— (no accepted upload)", "missing"] in offices

    (tmp_path / "fixed").mkdir()
    upload(kenya, site.kenya, fx.clean_country(tmp_path / "fixed", "kenya", fx.KENYA_FIXED))
    fixed = hq.get(PAGE).text
    assert cells(fixed, "totals")[0][2:5] == ["3,500,000", "3,500,000", "0"]
    assert "ENTRY-AMOUNT-MISSING" not in fixed and "revision 2" in fixed


def test_the_board_links_each_region_to_its_reconciliation(site):
    hq = site.hq_client()
    assert 'href="/hq/regions/East%20and%20Horn%20of%20Africa"' in hq.get("/hq").text
    assert hq.get("/hq/regions/Atlantis").status_code == 404


def test_an_office_or_a_stranger_cannot_see_a_region(site):
    for client in (site.office_client(site.kenya_token), site.client()):
        r = client.get(PAGE)
        assert r.status_code == 303 and r.headers["location"] == "/login"
