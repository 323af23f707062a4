"""Two ``recon serve`` processes on one PostgreSQL (issue 18 item 4): an organization-wide deployment runs
several app instances on a shared database and data folder, as behind a proxy. Both real processes serve the
same archive while offices upload through both at once — the same office through both servers together, so
the two processes number that office's revisions concurrently — and afterwards:

- every upload is recorded exactly once (each file name sent is stored once, under the number its server
  answered, accepted or refused with its reason);
- each office's revision numbers are 1..n, no gap, no duplicate;
- both servers' board and office pages show the same latest revision;
- a budget revision frozen through one server is listed and downloadable through the other, and freezing
  again there says nothing is new and creates nothing.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from pathlib import Path

import fixtures as fx
import httpx
import pytest
from test_archive_faults import Server, office_session

from recon.archive import Archive

REGION = "East and Horn of Africa"
COUNTRIES = ["Kenya", "Uganda", "Burundi"]
UPLOADS_PER_CLIENT = 2  # per office and server, one after the other
HQ_NAME, HQ_PASSWORD = "hq-two", "two servers one database"


def rows(amount: int, blank: bool = False) -> list[dict]:
    """A country office's two lines; ``blank`` leaves the first amount out (an error finding, still stored)."""
    return [{"area": "Migration Health", "amount": None if blank else amount, "status": "Requirement"},
            {"area": "Migrant Assistance", "amount": 500_000}]


@pytest.fixture
def two_servers(tmp_path):
    """A throwaway PostgreSQL, three offices and an HQ account in it, and two ``recon serve`` processes on it
    sharing one data folder → (archive, offices by country with their links, [server A, server B])."""
    from postgres import cluster

    with cluster() as url:
        data = tmp_path / "recon-data"
        archive = Archive.open(url, data)
        offices = {}
        for country in COUNTRIES:
            office, token = archive.add_office(REGION, country)
            offices[country] = (office, f"/o/{token}")
        archive.add_user(HQ_NAME, HQ_PASSWORD)
        servers: list[Server] = []
        try:
            for name in "ab":
                servers.append(Server(data, url, None, tmp_path / f"serve-{name}.log"))
            yield archive, offices, servers
        finally:
            for server in servers:
                server.stop()
            archive.close()


def hq_session(server: Server) -> httpx.Client:
    client = httpx.Client(base_url=server.base, timeout=300)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"name": HQ_NAME, "password": HQ_PASSWORD, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/hq", r.text[:500]
    return client


def board(client: httpx.Client) -> dict[str, int]:
    """The HQ board → {office id: latest revision number shown}."""
    page = client.get("/hq")
    assert page.status_code == 200
    return {int(o): int(n) for o, n in re.findall(r'href="/offices/(\d+)/revisions/(\d+)">revision', page.text)}


def office_view(client: httpx.Client, office_id: int) -> tuple[str, list[int]]:
    """An office page → (its "Latest workbook" line as text, the revision numbers its table lists)."""
    page = client.get(f"/offices/{office_id}")
    assert page.status_code == 200
    latest = re.search(r'<p class="latest">(.*?)</p>', page.text, re.S).group(1)
    latest = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", latest)).strip()
    table = page.text.split("<h2>", 1)[1]
    return latest, [int(n) for n in re.findall(rf'href="/offices/{office_id}/revisions/(\d+)"', table)]


def test_two_servers_on_one_postgresql_number_every_upload_once_and_agree(two_servers, tmp_path):
    archive, offices, servers = two_servers
    # Each office uploads through both servers at once: a client per (office, server), each sending its
    # workbooks one after the other. Every file differs (amount, name), so each upload can be traced.
    plans: list[tuple[str, Server, list[tuple[str, Path]]]] = []
    for i, country in enumerate(COUNTRIES):
        for s, server in enumerate(servers):
            sent = []
            for k in range(UPLOADS_PER_CLIENT):
                name = f"{country.lower()}-{'ab'[s]}{k + 1}"
                book = fx.write(tmp_path, name, rows(1_000_000 + 1000 * (10 * i + 2 * k + s), blank=k == 0 and s == 0),
                                country=country)
                sent.append(("accepted", book))
            plans.append((country, server, sent))
    # Kenya, through server B, also sends Uganda's workbook: refused with its reason, and recorded as well.
    plans[1][2].append(("refused", plans[2][2][0][1]))

    answers: list[tuple[str, str, str, int | str]] = []  # (country, expected, file name, number or failure)
    lock = threading.Lock()

    def office_uploads(country: str, server: Server, sent: list[tuple[str, Path]]) -> None:
        office, link = offices[country]
        client, action, token = office_session(server, link)
        try:
            for expected, book in sent:
                try:
                    r = client.post(action, data={"csrf_token": token},
                                    files={"workbook": (book.name, book.read_bytes())})
                    assert r.status_code == 303, f"HTTP {r.status_code}: {r.text[:300]}"
                    answer: int | str = int(r.headers["location"].rsplit("/", 1)[1])
                except Exception as exc:  # every failure is reported below, none is hidden
                    answer = f"{type(exc).__name__}: {exc}"
                with lock:
                    answers.append((country, expected, book.name, answer))
        finally:
            client.close()

    threads = [threading.Thread(target=office_uploads, args=plan) for plan in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=1200)
    assert not any(t.is_alive() for t in threads)
    assert [a for a in answers if isinstance(a[3], str)] == []
    assert len(answers) == sum(len(sent) for _, _, sent in plans)

    # Every upload recorded exactly once, numbered 1..n per office, under the number its server answered.
    for country in COUNTRIES:
        office, _ = offices[country]
        stored = archive.revisions(office.id)
        mine = [a for a in answers if a[0] == country]
        assert sorted(r.number for r in stored) == list(range(1, len(mine) + 1)), country
        assert Counter(r.filename for r in stored) == Counter(name for _, _, name, _ in mine), country
        by_number = {r.number: r for r in stored}
        for _, expected, name, number in mine:
            rev = by_number[number]
            assert (rev.filename, rev.status) == (name, expected), (country, number)
            assert rev.status == "accepted" or rev.reason
        assert sum(r.errors > 0 for r in stored) == 1  # the one upload with a blank amount

    # Both servers show the same latest revision on the board and on every office page.
    hq_a, hq_b = hq_session(servers[0]), hq_session(servers[1])
    try:
        latest = {office.id: max(r.number for r in archive.revisions(office.id)) for office, _ in offices.values()}
        assert board(hq_a) == board(hq_b) == latest
        for office, _ in offices.values():
            seen_a, seen_b = office_view(hq_a, office.id), office_view(hq_b, office.id)
            assert seen_a == seen_b
            assert seen_a[1] == [r.number for r in archive.revisions(office.id)]  # newest first
            accepted = max(r.number for r in archive.revisions(office.id) if r.status == "accepted")
            assert f"revision {accepted}," in seen_a[0]

        # A budget revision frozen through server A is seen, and downloadable, through server B.
        assert "No budget revision frozen yet" in hq_b.get("/hq").text
        page = hq_a.get("/hq").text
        r = hq_a.post("/hq/freeze", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                   page).group(1)})
        assert r.status_code == 303, r.text[:500]
        assert "froze budget revision 1" in hq_a.get("/hq").text.lower()
        on_b = hq_b.get("/hq").text
        assert "budget revision 1" in on_b and "budget revision 2" not in on_b
        report = hq_b.get("/hq/budget-revisions/1/report.json")
        assert report.status_code == 200
        frozen = {i["sha256"] for i in json.loads(report.text)["inputs"]}
        assert frozen == {r.sha256 for _, r in archive.latest_accepted()}

        # Freezing again through server B: nothing new, nothing created.
        r = hq_b.post("/hq/freeze", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                   on_b).group(1)})
        assert r.status_code == 303
        assert "nothing new since budget revision 1" in hq_b.get("/hq").text.lower()
        assert [b.number for b in archive.budget_revisions()] == [1]
    finally:
        hq_a.close()
        hq_b.close()
