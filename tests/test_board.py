"""HQ's board (issue 18): one row per office with its latest upload's verdict, filtered by region and status
through plain query parameters (a GET form: no JavaScript needed); HQ only; on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import fixtures as fx
import pytest
import web_site
from web_site import upload

OTHER_REGION = "West and Central Africa"


two_offices_in_one_region = web_site.site  # the shared fixture: SQLite, then a throwaway PostgreSQL


@pytest.fixture
def site(two_offices_in_one_region):
    """The shared site (Kenya, Uganda in East and Horn of Africa) and Senegal in another region, to filter by."""
    two_offices_in_one_region.archive.add_office(OTHER_REGION, "Senegal")
    return two_offices_in_one_region


def board(client, query: str = "") -> dict[str, str]:
    """The board's rows as {office: status key}."""
    r = client.get("/hq" + query)
    assert r.status_code == 200, r.status_code
    rows = re.findall(r'<a href="/offices/\d+">([^<]+)</a>.*?data-status="(\w+)"', r.text, re.S)
    return dict(rows)


def test_office_turns_from_has_errors_to_clean_after_a_fixed_upload(site, tmp_path):
    kenya, hq = site.office_client(site.kenya_token), site.hq_client()
    assert board(hq) == {"Kenya": "missing", "Uganda": "missing", "Senegal": "missing"}
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT))
    page = hq.get("/hq").text
    assert board(hq)["Kenya"] == "errors" and ">has errors</span>" in page and "revision 1" in page
    assert "office link #" in page  # by whom
    (tmp_path / "fixed").mkdir()
    upload(kenya, site.kenya, fx.clean_country(tmp_path / "fixed", "kenya", fx.KENYA_FIXED))
    assert board(hq)["Kenya"] == "clean" and "revision 2" in hq.get("/hq").text


def test_board_filters_by_region_and_status_with_query_parameters(site, tmp_path):
    kenya, hq = site.office_client(site.kenya_token), site.hq_client()
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT))
    assert board(hq, "?status=errors") == {"Kenya": "errors"}
    assert board(hq, "?status=missing") == {"Uganda": "missing", "Senegal": "missing"}
    assert board(hq, f"?region={OTHER_REGION.replace(' ', '+')}") == {"Senegal": "missing"}
    assert board(hq, "?region=East+and+Horn+of+Africa&status=missing") == {"Uganda": "missing"}
    assert board(hq, "?status=clean") == {}
    assert "No office matches these filters." in hq.get("/hq?status=clean").text
    assert len(board(hq, "?status=bogus&region=Atlantis")) == 3  # an unknown filter shows everything
    page = hq.get("/hq?status=errors").text
    assert '<form method="get" action="/hq"' in page and '<option value="errors" selected>' in page
    assert "1 of 3 offices" in page


def test_an_office_or_a_stranger_cannot_see_the_board(site):
    for client in (site.office_client(site.kenya_token), site.client()):
        r = client.get("/hq?status=missing")
        assert r.status_code == 303 and r.headers["location"] == "/login"
