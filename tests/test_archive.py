"""The archive on SQLite and on a real PostgreSQL: migrations that match the models, revision numbers that
never collide when two processes record at once, links and files as promised."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from alembic import command
from postgres import cluster
from sqlalchemy import inspect

from recon.archive import Archive
from recon.archive.migrations import config

REGION = "East and Horn of Africa"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield None
    else:
        with cluster() as u:
            yield u


def test_migrations_create_the_models_tables(url, tmp_path):
    archive = Archive.open(url, tmp_path / "data")
    assert {"office", "upload_token", "hq_user", "revision", "login_failure", "alembic_version"} <= set(
        inspect(archive.engine).get_table_names())
    command.check(config(archive.engine))  # raises if the models and the migrations disagree
    Archive.open(url, tmp_path / "data")  # a second start: nothing to do


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from recon.archive import Archive
    url, data, office, n = sys.argv[1] or None, Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    archive = Archive.open(url, data, migrate=False)
    print(" ".join(str(archive.record(office, uploader="p", filename="x.xlsx", status="accepted").number)
                   for _ in range(n)))
""")


def test_revision_numbers_never_collide_across_two_processes(url, tmp_path):
    archive = Archive.open(url, tmp_path / "data")
    office, _ = archive.add_office(REGION, "Kenya")
    args = [url or "", str(tmp_path / "data"), str(office.id), "25"]
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, *args], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    got = sorted(int(n) for out in outs for n in out)
    assert got == list(range(1, 51))
    assert sorted(r.number for r in archive.revisions(office.id)) == got


def test_links_are_stored_hashed_and_die_when_rotated_or_revoked(url, tmp_path):
    archive = Archive.open(url, tmp_path / "data")
    office, first = archive.add_office(REGION, "Kenya")
    assert archive.office_for_token(first).office.key == f"{REGION} › Kenya"
    second = archive.rotate(office)
    assert archive.office_for_token(first) is None and archive.office_for_token(second) is not None
    assert archive.revoke(office) == 1 and archive.office_for_token(second) is None
    with pytest.raises(ValueError, match="exists"):
        archive.add_office(REGION, "Kenya")


def test_file_store_is_content_addressed_and_never_overwrites(tmp_path):
    archive = Archive.open(None, tmp_path / "data")
    a = tmp_path / "a.xlsx"
    a.write_bytes(b"first")
    sha, size = archive.store.put_file(a)
    path = archive.store.path(sha)
    assert (path.parent.name, path.name) == (sha[:2], sha[2:]) and size == 5
    before = path.stat().st_mtime_ns
    assert archive.store.put_file(a) == (sha, 5) and path.stat().st_mtime_ns == before
    assert not list((tmp_path / "data" / "tmp").iterdir())  # no temporary left behind
    with pytest.raises(ValueError):
        archive.store.path("../../etc/passwd")
