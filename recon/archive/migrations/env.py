"""Alembic environment: migrate the connection recon hands over (see recon.archive.migrations.upgrade), or
the ``sqlalchemy.url`` of the config (``alembic revision --autogenerate`` while developing)."""

from alembic import context
from sqlalchemy import create_engine

from recon.archive.models import Base

config = context.config


def _run(connection) -> None:
    # render_as_batch: SQLite alters a table by copying it; PostgreSQL gets plain ALTERs.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
        _run(conn)
        conn.commit()
