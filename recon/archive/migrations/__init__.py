"""Alembic migrations of the archive, run in code on every start (no alembic.ini to find).

On PostgreSQL, two app processes starting together take an advisory lock first, so only one migrates.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCK_ID = 0x7265636F6E  # "recon": the advisory lock serialising migrations on PostgreSQL


def config(engine=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine, revision: str = "head") -> None:
    from alembic import command
    from sqlalchemy import text

    cfg = config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
