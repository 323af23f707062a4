"""Starting the site: open (and migrate) the archive, build the rules once, optionally seed the demo, run
uvicorn with an access log that never shows a link's secret."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from recon.archive import Archive


def link(base: str, token: str) -> str:
    """``http://127.0.0.1:8000/o/<secret>``: what an office opens."""
    return f"{base.rstrip('/')}/o/{token}"


def base_url(host: str, port: int) -> str:
    return os.environ.get("RECON_BASE_URL") or f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"


def run(db: str | None, data: Path, host: str, port: int, demo: bool, secure_cookies: bool,
        echo: Callable[[str], None]) -> None:
    import uvicorn

    from recon import intake
    from recon.web import create_app
    from recon.web.security import redact_access_log

    # RECON_SPEED applies here as anywhere. Uploads are checked in a worker thread, from which recon never
    # forks; the checker, built here before uvicorn starts any thread, forks its partner process now
    # (recon.speed.partner).
    archive = Archive.open(db, data)
    echo(f"recon: archive {archive.engine.url.render_as_string(hide_password=True)}, files in {archive.data}")
    echo("recon: loading the rules (Great Expectations)…")
    checker = intake.Checker()
    base = base_url(host, port)
    if demo:
        from recon.web import demo as demo_data

        echo("recon: demo — the 2015 edition's offices, each with its workbook as revision 1:")
        offices, password = demo_data.seed(
            archive, checker,
            progress=lambda o: echo(f"  {o.key}: {link(base, o.token)}"
                                    + (f"  (revision {o.revision})" if o.revision else "")))
        echo(f"recon: HQ login at {base}/login — name {demo_data.HQ_USER!r}, password {password!r}")
    redact_access_log()
    echo(f"recon: serving on {base}  (Ctrl+C to stop)")
    try:
        uvicorn.run(create_app(archive, checker, secure_cookies=secure_cookies), host=host, port=port,
                    log_level="info", server_header=False)
    finally:
        checker.close()
