"""The upload site in a real browser: Debian's Chromium driven by Playwright (the system executable; nothing
is downloaded), against ``recon serve`` started by the test on a free localhost port.

An office opens its link, drops a workbook with an error on the page, sees the findings, downloads the
annotated copy, uploads the fixed workbook and sees it clean, then what changed between the two; the same
form, in a browser with JavaScript off, still uploads. Screenshots of each page are written to the test's
folder (and to ``$RECON_SCREENSHOTS`` when set) to be looked at.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import fixtures as fx
import pytest
from openpyxl import load_workbook

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ERROR_ROWS = [{"area": "Migration Health", "amount": None, "status": "Requirement"},
              {"area": "Migrant Assistance", "amount": 500_000}]
FIXED_ROWS = [{"area": "Migration Health", "amount": 1_000_000}, {"area": "Migrant Assistance", "amount": 500_000}]

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recon(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "recon.cli", *args], capture_output=True, text=True, check=True,
                          timeout=120, **kw)


@pytest.fixture
def server(tmp_path):
    """``recon serve`` on a free port with one office (Kenya) → (the office's link, the log file)."""
    port, data = free_port(), tmp_path / "recon-data"
    base = f"http://127.0.0.1:{port}"
    link = recon("office", "add", "--region", "East and Horn of Africa", "--country", "Kenya", "--data", str(data),
                 "--url", base).stdout.strip().split(": ", 1)[1]
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "recon.cli", "serve", "--data", str(data), "--port",
                                 str(port)], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180  # the rules are built before the server listens
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"recon serve did not start: {log.read_text()[-2000:]}")
                time.sleep(0.5)
        yield link, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def shoot(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    if target := os.environ.get("RECON_SCREENSHOTS"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / shot.name)
    return shot


def drop_file(page, selector: str, path: Path) -> None:
    """Drop ``path`` on ``selector`` as a person dragging it from their files would (a DataTransfer holding
    the file, handled by drop.js)."""
    data = base64.b64encode(path.read_bytes()).decode()
    transfer = page.evaluate_handle("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, {type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}));
        return dt;
    }""", [path.name, data])
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_office_drops_workbook_sees_findings_downloads_copy_and_uploads_fix(server, tmp_path):
    link, log = server
    bad = fx.clean_country(tmp_path, "kenya", ERROR_ROWS)
    (tmp_path / "fixed").mkdir()
    fixed = fx.clean_country(tmp_path / "fixed", "kenya", FIXED_ROWS)
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800}, accept_downloads=True)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            page.goto(link)
            assert "/o/" not in page.url  # the secret left the address bar at once
            assert page.inner_text("h1") == "Kenya"
            shoot(page, tmp_path, "upload-page")

            with page.expect_navigation(url="**/revisions/1", timeout=120_000):
                drop_file(page, "#drop", bad)
            findings = page.inner_text("#findings")
            assert "ENTRY-AMOUNT-MISSING" in findings and "kenya.xlsx › Entries › C" in findings
            assert "has errors" in page.inner_text("h1")
            shoot(page, tmp_path, "upload-findings")

            with page.expect_download(timeout=120_000) as info:
                page.click("#annotated")
            copy = tmp_path / info.value.suggested_filename
            info.value.save_as(copy)
            assert copy.name == "kenya-checked.xlsx"
            assert "Findings" in load_workbook(copy).sheetnames

            page.click("text=Upload a new revision")
            page.set_input_files("#workbook", str(fixed))
            with page.expect_navigation(url="**/revisions/2", timeout=120_000):
                page.click("#send")
            assert "every rule passes" in page.inner_text("#verdict")
            assert "clean" in page.inner_text("h1")
            shoot(page, tmp_path, "upload-clean")

            page.click("text=Kenya")
            assert page.locator("table tbody tr").count() == 2
            shoot(page, tmp_path, "office-history")

            page.click("text=What changed between revisions")
            assert "amount of Kenya · Migration Health: — → 1,000,000" in page.inner_text("#changes")
            shoot(page, tmp_path, "office-changes")

            plain = browser.new_context(java_script_enabled=False).new_page()  # the form works without JS
            plain.goto(link)
            plain.set_input_files("#workbook", str(fixed))
            with plain.expect_navigation(url="**/revisions/3", timeout=120_000):
                plain.click("#send")
            assert "every rule passes" in plain.inner_text("#verdict")
        finally:
            browser.close()
    assert problems == []  # no script error, no Content-Security-Policy violation
    text = log.read_text()
    assert link.rsplit("/", 1)[1] not in text and "GET /o/[redacted]" in text
