"""report.html in a real browser: headless Chromium (Debian's, installed by .ci/run) with networking disabled.

Chromium runs with a proxy on a closed port and a host resolver that resolves nothing, and writes a NetLog.
Requests the *page* makes carry its origin as initiator (``null``/``file://`` for a file); Chromium's own
background requests (time, updates, accounts) carry "not an origin" and are not the page's doing. A control
page with an image and a stylesheet proves the check sees page requests.
"""

import json
import shutil
import socket
import struct
import subprocess

import pytest
from test_report import NOW, SCRIPT, hostile_workbook

from recon import pipeline
from recon.report import write_reports

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WINDOW = (1200, 3000)
BROWSER_OWN = "not an origin"  # NetLog initiator of requests the browser makes for itself


def closed_port() -> int:
    with socket.socket() as s:  # bound then released: nothing listens there afterwards
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browse(page, work):
    """Load ``page`` offline; return (rendered DOM, screenshot path, URLs the page requested)."""
    work.mkdir()
    shot, netlog = work / "shot.png", work / "netlog.json"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={work / 'profile'}", f"--proxy-server=127.0.0.1:{closed_port()}",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--log-net-log={netlog}", f"--screenshot={shot}",
           f"--window-size={WINDOW[0]},{WINDOW[1]}", "--dump-dom", page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and netlog.is_file(), f"chromium failed: {done.stderr[-2000:]}"
    return done.stdout, shot, page_requests(netlog)


def page_requests(netlog) -> list[str]:
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted({e["params"]["url"] for e in log["events"] if e["type"] == start and "url" in e.get("params", {})
                   and e["params"].get("initiator") != BROWSER_OWN})


def png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def report(mi2015_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-report")
    write_reports(mi2015_result, out, now=NOW)
    return out / "report.html"


def test_2015_report_renders_regions_and_pies_without_any_request(report, mi2015_result, tmp_path):
    dom, shot, requests = browse(report, tmp_path / "chromium")
    assert requests == []
    assert png_size(shot) == WINDOW
    assert shot.stat().st_size > 100_000  # a blank page of this size compresses to a few kB
    for region in mi2015_result.reconciliation.regions["region"]:
        assert f"<h2>{region}</h2>" in dom
    assert dom.count('class="pie"') == 18 and dom.count("<path") > 100
    assert dom.count('class="slice marked"') == 14


def test_the_request_check_catches_a_page_that_fetches(tmp_path):
    page = tmp_path / "fetches.html"
    page.write_text('<html><head><link rel="stylesheet" href="https://css.example.invalid/a.css"></head>'
                    '<body><img src="http://img.example.invalid/x.png"></body></html>', encoding="utf-8")
    _dom, _shot, requests = browse(page, tmp_path / "chromium")
    assert {"http://img.example.invalid/x.png", "https://css.example.invalid/a.css"} <= set(requests)


def test_workbook_markup_does_not_run_in_the_browser(tmp_path):
    result = pipeline.run([hostile_workbook(tmp_path)])
    write_reports(result, tmp_path / "out", now=NOW)
    dom, _shot, requests = browse(tmp_path / "out" / "report.html", tmp_path / "chromium")
    assert requests == []
    assert "data-pwned" not in dom.split("<body")[1].split(">")[0]  # the script did not run
    assert "&lt;script&gt;" in dom and SCRIPT not in dom
