"""A recon site in a temporary folder for the web tests: two country offices of East and Horn of Africa
(Kenya, Uganda) and an HQ account, served in-process (Starlette's TestClient) or by a real uvicorn.

``site`` is a fixture for a test module to import (``from web_site import site``): the same site on SQLite and
on a throwaway PostgreSQL, the test run once on each."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from recon.archive import Archive
from recon.web import create_app

REGION = "East and Horn of Africa"
HQ_NAME, HQ_PASSWORD = "alice", "correct horse battery staple"
CAP = 2 << 20  # the upload cap in these tests: above any fixture, below the oversized file


@dataclass
class Site:
    archive: Archive
    app: object
    kenya: object
    kenya_token: str
    uganda: object
    uganda_token: str
    data: Path

    def client(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def office_client(self, token: str) -> TestClient:
        c = self.client()
        r = c.get(f"/o/{token}")
        assert r.status_code == 303, r.text
        return c

    def hq_client(self) -> TestClient:
        c = self.client()
        r = c.post("/login", data={"name": HQ_NAME, "password": HQ_PASSWORD, "csrf_token": csrf(c, "/login")})
        assert r.status_code == 303, r.text
        return c


def build(tmp_path: Path, checker, url: str | None = None, **options) -> Site:
    archive = Archive.open(url, data=tmp_path / "recon-data")
    kenya, kt = archive.add_office(REGION, "Kenya")
    uganda, ut = archive.add_office(REGION, "Uganda")
    archive.add_user(HQ_NAME, HQ_PASSWORD)
    app = create_app(archive, checker, max_upload_bytes=CAP, **options)
    return Site(archive, app, kenya, kt, uganda, ut, tmp_path / "recon-data")


BACKENDS = ["sqlite", "postgresql"]


@contextlib.contextmanager
def on(backend: str, tmp_path: Path, checker, **options) -> Iterator[Site]:
    """The site on ``"sqlite"`` (a file in ``tmp_path``) or ``"postgresql"`` (a throwaway cluster; skips when
    PostgreSQL is not installed), its archive closed afterwards."""
    with contextlib.ExitStack() as stack:
        url = None
        if backend == "postgresql":
            from postgres import cluster

            url = stack.enter_context(cluster())
        s = build(tmp_path, checker, url, **options)
        stack.callback(s.archive.close)  # before the cluster stops
        yield s


@pytest.fixture(params=BACKENDS)
def site(request, tmp_path, checker) -> Iterator[Site]:
    with on(request.param, tmp_path, checker) as s:
        yield s


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def upload(client: TestClient, office, path: Path, filename: str | None = None, token: str | None = None):
    """POST the workbook to the office's upload form → the response (a 303 to the revision when taken)."""
    token = token if token is not None else csrf(client, f"/offices/{office.id}")
    with open(path, "rb") as fh:
        return client.post(f"/offices/{office.id}/upload", data={"csrf_token": token},
                           files={"workbook": (filename or path.name, fh, "application/octet-stream")})
