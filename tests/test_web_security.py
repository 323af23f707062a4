"""The upload site's security: who may see and send what, forms only from the site, hostile files refused
early, workbook text inert in every page, file names that never reach the filesystem, secrets kept out of
addresses and logs."""

from __future__ import annotations

import logging
import re
import tempfile
import tracemalloc

import fixtures as fx
import pytest
from sqlalchemy import select
from test_hostile import entity_bomb, zip_bomb
from web_site import CAP, HQ_NAME, HQ_PASSWORD, build, csrf, upload

from recon.archive import UploadToken, safe_filename
from recon.web.security import RedactLinks


@pytest.fixture
def site(tmp_path, checker):
    return build(tmp_path, checker)


def kenya_workbook(d, rows=None, name="kenya"):
    return fx.clean_country(d, name, rows)


def test_another_offices_token_can_neither_read_nor_upload(site, tmp_path):
    uganda = site.office_client(site.uganda_token)
    assert upload(uganda, site.uganda, fx.write(tmp_path, "uganda", [{"area": "Migration Health",
                                                                      "amount": 5}], country="Uganda")
                  ).status_code == 303
    kenya = site.office_client(site.kenya_token)
    u = site.uganda.id
    for path in (f"/offices/{u}", f"/offices/{u}/revisions/1", f"/offices/{u}/revisions/1/workbook",
                 f"/offices/{u}/revisions/1/annotated", f"/offices/{u}/changes"):
        assert kenya.get(path).status_code == 404, path
    token = csrf(kenya, f"/offices/{site.kenya.id}")  # Kenya's own valid form token, aimed at Uganda
    r = upload(kenya, site.uganda, kenya_workbook(tmp_path), token=token)
    assert r.status_code == 404
    assert [r.number for r in site.archive.revisions(u)] == [1]
    assert kenya.get("/hq").status_code == 303  # not HQ: sent to the login page


def test_no_access_without_token_or_login(site):
    anon = site.client()
    k = site.kenya.id
    site.archive.record(k, uploader="test", filename="k.xlsx", status="refused", reason="test")
    for path in (f"/offices/{k}", f"/offices/{k}/revisions/1", f"/offices/{k}/revisions/1/workbook",
                 f"/offices/{k}/changes", "/offices/x", f"/offices/{k}/revisions/x"):
        assert anon.get(path).status_code == 404, path
    assert anon.get("/hq").headers["location"] == "/login"
    assert anon.post(f"/offices/{k}/upload", files={"workbook": ("k.xlsx", b"x")}).status_code == 404
    assert anon.get("/o/not-a-real-token").status_code == 404


def test_revoked_link_closes_its_open_session(site):
    kenya = site.office_client(site.kenya_token)
    assert kenya.get(f"/offices/{site.kenya.id}").status_code == 200
    site.archive.revoke(site.kenya)
    assert kenya.get(f"/offices/{site.kenya.id}").status_code == 404
    assert site.client().get(f"/o/{site.kenya_token}").status_code == 404
    new = site.archive.rotate(site.kenya)
    assert site.office_client(new).get(f"/offices/{site.kenya.id}").status_code == 200


def test_form_post_without_csrf_token_refused(site, tmp_path):
    kenya = site.office_client(site.kenya_token)
    book = kenya_workbook(tmp_path)
    for token in ("", "forged"):
        assert upload(kenya, site.kenya, book, token=token).status_code == 403
    with open(book, "rb") as fh:  # no field at all
        assert kenya.post(f"/offices/{site.kenya.id}/upload", files={"workbook": ("k.xlsx", fh)}).status_code == 403
    assert site.archive.revisions(site.kenya.id) == []
    anon = site.client()
    assert anon.post("/login", data={"name": HQ_NAME, "password": HQ_PASSWORD}).status_code == 403
    hq = site.hq_client()
    assert hq.post("/logout", data={}).status_code == 403
    assert hq.get("/hq").status_code == 200  # still signed in


def test_oversized_file_refused_by_content_length_before_reading(site):
    kenya = site.office_client(site.kenya_token)
    token = csrf(kenya, f"/offices/{site.kenya.id}")
    r = kenya.post(f"/offices/{site.kenya.id}/upload", data={"csrf_token": token},
                   files={"workbook": ("big.xlsx", b"\0" * (CAP + (256 << 10)))})
    assert r.status_code == 413
    rev, = site.archive.revisions(site.kenya.id)
    assert (rev.status, rev.sha256) == ("refused", None) and "larger than 2 MB" in rev.reason
    assert not any((site.data / "files").rglob("*")) or all(p.is_dir() for p in (site.data / "files").rglob("*"))


def test_oversized_stream_without_length_refused_while_streaming(site):
    """A body sent in chunks with no Content-Length: the count as it streams stops it."""
    kenya = site.office_client(site.kenya_token)
    token = csrf(kenya, f"/offices/{site.kenya.id}")
    boundary = "recon-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"workbook\"; filename=\"big.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    sent = 0

    def body():
        nonlocal sent
        yield head
        for _ in range(64):  # 4 MB in 64 KB chunks, twice the cap
            sent += 1
            yield b"\0" * (64 << 10)
        yield f"\r\n--{boundary}--\r\n".encode()

    r = kenya.post(f"/offices/{site.kenya.id}/upload", content=body(),
                   headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413
    assert site.archive.revisions(site.kenya.id)[0].status == "refused"


@pytest.mark.parametrize(("builder", "words"), [(zip_bomb, "zip bomb"), (entity_bomb, "entities")])
def test_hostile_workbook_refused_early_with_memory_bounded(site, tmp_path, builder, words):
    bomb = builder(tmp_path)
    kenya = site.office_client(site.kenya_token)
    token = csrf(kenya, f"/offices/{site.kenya.id}")
    tracemalloc.start()
    try:
        r = upload(kenya, site.kenya, bomb, token=token)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 303
    assert peak < 32 << 20, f"{peak >> 20} MB while refusing a {bomb.stat().st_size >> 10} KB bomb"
    rev, = site.archive.revisions(site.kenya.id)
    assert rev.status == "refused" and words in rev.reason and rev.sha256  # kept, as sent, for HQ to see
    page = kenya.get(r.headers["location"]).text
    assert "Not accepted" in page and words in page


def test_workbook_text_inert_in_every_page(site, tmp_path):
    script = "<script>alert(1)</script>"
    formula = '=HYPERLINK("http://evil.example/x","click")'
    rows = [{"area": script, "amount": 1_000}, {"area": formula, "amount": 2_000},
            {"area": "Migration Health", "amount": 5, "notes": script}]
    kenya = site.office_client(site.kenya_token)
    first = upload(kenya, site.kenya, kenya_workbook(tmp_path, rows, "k1"), filename="<img src=x onerror=alert(1)>.xlsx")
    second = upload(kenya, site.kenya, kenya_workbook(tmp_path, rows[1:], "k2"))
    hq = site.hq_client()
    k = site.kenya.id
    pages = {"revision": kenya.get(first.headers["location"]), "revision 2": kenya.get(second.headers["location"]),
             "office": kenya.get(f"/offices/{k}"), "changes": kenya.get(f"/offices/{k}/changes?old=1&new=2"),
             "hq": hq.get("/hq"), "hq revision": hq.get(first.headers["location"])}
    for name, r in pages.items():
        assert r.status_code == 200, name
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, name
        assert re.findall(r"<script[^>]*>", r.text) == ['<script src="/static/drop.js" defer>'], name
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["revision"].text  # shown, as text
    assert "=HYPERLINK(&#34;http://evil.example/x&#34;" in pages["revision"].text
    assert 'href="http://evil' not in pages["revision"].text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["changes"].text


@pytest.mark.parametrize("name", ["../../x.xlsx", "..\\..\\x.xlsx", "a/../../../x.xlsx"])
def test_path_like_file_name_never_reaches_filesystem(site, tmp_path, monkeypatch, name):
    # Temporary folders deep inside tmp_path: a name that climbed out of one would land where we look.
    scratch = tmp_path / "up" / "one" / "two"
    scratch.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    kenya = site.office_client(site.kenya_token)
    (tmp_path / "in").mkdir()
    r = upload(kenya, site.kenya, kenya_workbook(tmp_path / "in"), filename=name)
    assert r.status_code == 303
    rev, = site.archive.revisions(site.kenya.id)
    assert (rev.filename, rev.status) == ("x.xlsx", "accepted")
    stored = [p for p in (site.data / "files").rglob("*") if p.is_file()]
    assert stored and all(re.fullmatch(r"[0-9a-f]{62}", p.name) for p in stored)
    assert list(tmp_path.rglob("x.xlsx")) == []
    download = kenya.get(f"{r.headers['location']}/workbook")
    assert download.headers["content-disposition"].endswith('filename="x.xlsx"')


@pytest.mark.parametrize(("sent", "kept"), [("../../x.xlsx", "x.xlsx"), ("/etc/passwd", "passwd"),
                                            ("C:\\Windows\\x.xlsx", "x.xlsx"), ("..", "workbook.xlsx"),
                                            ("<img src=x>.xlsx", "_img src_x_.xlsx"), ("Sénégal.xlsx", "Sénégal.xlsx")])
def test_safe_filename_keeps_only_a_plain_name(sent, kept):
    assert safe_filename(sent) == kept


def test_link_secret_out_of_address_log_and_database(site):
    c = site.client()
    r = c.get(f"/o/{site.kenya_token}")
    assert r.headers["location"] == f"/offices/{site.kenya.id}" and r.headers["referrer-policy"] == "no-referrer"
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", f"/o/{site.kenya_token}", "1.1", 303), None)
    RedactLinks().filter(record)
    assert site.kenya_token not in record.getMessage() and "/o/[redacted]" in record.getMessage()
    with site.archive.sessions() as s:
        hashes = s.scalars(select(UploadToken.token_hash)).all()
    assert site.kenya_token not in hashes and len(hashes) == 2


def test_hq_login_throttled_after_failed_attempts(site):
    c = site.client()
    for _ in range(5):
        r = c.post("/login", data={"name": HQ_NAME, "password": "wrong", "csrf_token": csrf(c, "/login")})
        assert r.status_code == 401
    r = c.post("/login", data={"name": HQ_NAME, "password": HQ_PASSWORD, "csrf_token": csrf(c, "/login")})
    assert r.status_code == 429 and "too many failed logins" in r.text.lower()
    assert c.get("/hq").status_code == 303


def test_session_cookie_httponly_samesite_and_secure_behind_https(tmp_path, checker):
    plain = build(tmp_path / "a", checker)
    cookie = plain.client().get(f"/o/{plain.kenya_token}").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    https = build(tmp_path / "b", checker, secure_cookies=True)
    cookie = https.client().get(f"/o/{https.kenya_token}").headers["set-cookie"].lower()
    assert "httponly" in cookie and "; secure" in cookie
