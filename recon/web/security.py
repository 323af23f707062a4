"""What keeps the site safe, from kept libraries: signed sessions (Starlette + itsdangerous), a per-session
CSRF token checked on every form, security headers with a Content-Security-Policy that allows no inline
script, a cap on request bodies enforced while they stream, and an access log that never shows a link's
secret.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

from starlette.datastructures import MutableHeaders

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # The upload link carries its secret in the path: no page may pass its address on to another site.
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}
CSRF_FIELD = "csrf_token"


def csrf_token(session: dict) -> str:
    """This session's form token (created on first use); every form carries it in a hidden field."""
    if not isinstance(session.get("csrf"), str):
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_ok(session: dict, sent: object) -> bool:
    expected = session.get("csrf")
    return isinstance(expected, str) and isinstance(sent, str) and secrets.compare_digest(expected, sent)


def secret_key(data: Path) -> str:
    """``RECON_SECRET_KEY``, else a random key kept in ``<data>/secret_key`` (mode 0600) so that sessions
    survive a restart; processes sharing one data folder share it."""
    if key := os.environ.get("RECON_SECRET_KEY"):
        return key
    path = Path(data) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


class SecurityHeaders:
    """ASGI middleware: :data:`HEADERS` on every response, ``no-store`` on pages."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in HEADERS.items():
                    headers.setdefault(k, v)
                if not scope["path"].startswith("/static/"):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"the upload is larger than {limit >> 20} MB")


def capped(receive, limit: int):
    """``receive`` that raises :class:`BodyTooLarge` once more than ``limit`` body bytes have arrived — the
    count is kept as the body streams in, whatever Content-Length claimed."""
    seen = 0

    async def receive_capped():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return receive_capped


class BodyLimit:
    """ASGI middleware: any request body over ``limit`` bytes is refused with 413, by Content-Length before
    reading and by counting while reading (the upload route applies its own, smaller cap first)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await _too_large(send, self.limit)
        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped(receive, self.limit), tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, self.limit)


async def _too_large(send, limit: int) -> None:
    body = f"Request too large (limit {limit >> 20} MB).".encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


SECRET_PATH = re.compile(r"(/o/)[^/?\s\"]+")


class RedactLinks(logging.Filter):
    """For uvicorn's access log: ``GET /o/Xk3…`` is logged as ``GET /o/[redacted]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(SECRET_PATH.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                                for a in record.args)
        if isinstance(record.msg, str):
            record.msg = SECRET_PATH.sub(r"\1[redacted]", record.msg)
        return True


def redact_access_log() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinks) for f in logger.filters):
            logger.addFilter(RedactLinks())
