"""The archive: offices, their upload links, HQ accounts and every revision uploaded, in one database, with
the workbooks themselves in a content-addressed store under the data folder.

The only package that imports SQLAlchemy. The schema is created and upgraded by the Alembic migrations
shipped here (``recon/archive/migrations/``), run on every start; SQLite by default
(``sqlite:///recon-data/recon.sqlite3``), PostgreSQL with ``postgresql+psycopg://…``.

>>> archive = Archive.open(data=Path("recon-data"))                       # doctest: +SKIP
>>> office, token = archive.add_office("East and Horn of Africa", "Kenya")  # doctest: +SKIP
>>> archive.office_for_token(token).office.key                           # doctest: +SKIP
'East and Horn of Africa › Kenya'
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from recon.archive.models import BudgetRevision, LoginFailure, Office, ReportFile, Revision, UploadToken, User
from recon.archive.store import ArchiveFull, DataFolderUnusable, FileStore, full, safe_filename
from recon.errors import UsageError
from recon.language import said

__all__ = ["Archive", "AlreadyFrozen", "FrozenMeanwhile", "ArchiveFull", "DataFolderUnusable", "BudgetRevision", "ReportFile", "Office", "Revision", "UploadToken", "User", "Throttled", "FileStore", "safe_filename",
           "default_url", "office_key", "hash_token"]

DEFAULT_DATA = Path("recon-data")
# Failed logins allowed per user name and per client address within the window, before a wait.
MAX_FAILURES, FAILURE_WINDOW = 5, timedelta(minutes=15)
NUMBER_RETRIES = 20  # another process took the number: count again (see Archive.record)


class Throttled(Exception):
    """Too many failed logins: try again later."""


def default_url(data: Path) -> str:
    return f"sqlite:///{Path(data).resolve() / 'recon.sqlite3'}"


def office_key(region: str, country: str | None) -> str:
    """``"East and Horn of Africa › Kenya"``, or the region alone for the regional office."""
    return f"{region} › {country}" if country else region


def hash_token(token: str) -> str:
    """sha256 of the link's secret: the token has 256 bits of entropy, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _password_hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


@dataclass
class TokenAccess:
    office: Office
    token_id: int


class Archive:
    def __init__(self, url: str, data: Path):
        self.url, self.data = url, Path(data)
        self.store = FileStore(self.data)  # refuses a data folder it cannot write in, sweeps killed runs' leftovers
        self.engine = create_engine(url, future=True, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None, data: Path | None = None, migrate: bool = True) -> Archive:
        """The archive at ``url`` (default: SQLite in ``data``), its schema brought up to date."""
        data = Path(data or DEFAULT_DATA)
        archive = cls(url or default_url(data), data)
        if migrate:
            archive.upgrade()
        return archive

    def upgrade(self) -> None:
        from recon.archive.migrations import upgrade

        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------------------------------- offices

    def add_office(self, region: str, country: str | None = None) -> tuple[Office, str]:
        """A new office and the secret of its first link (shown once, stored hashed)."""
        with self.sessions.begin() as s:
            office = Office(key=office_key(region, country), region=region, country=country)
            s.add(office)
            try:
                s.flush()
            except IntegrityError as exc:
                raise UsageError(f"office {office.key!r} exists; use `recon office rotate` for a new link") \
                    from exc
            token = self._new_token(s, office)
        return office, token

    def find_office(self, region: str, country: str | None = None) -> Office | None:
        with self.sessions() as s:
            return s.scalar(select(Office).where(Office.key == office_key(region, country)))

    def office(self, office_id: int) -> Office | None:
        with self.sessions() as s:
            return s.get(Office, office_id)

    def offices(self) -> list[tuple[Office, Revision | None]]:
        """Every office with its latest revision (or None), by region then office."""
        with self.sessions() as s:
            latest = (select(Revision.office_id, func.max(Revision.number).label("n"))
                      .group_by(Revision.office_id).subquery())
            rows = s.execute(select(Office, Revision)
                             .outerjoin(latest, latest.c.office_id == Office.id)
                             .outerjoin(Revision, (Revision.office_id == Office.id)
                                        & (Revision.number == latest.c.n))
                             .order_by(Office.region, Office.country.is_not(None), Office.country)).all()
            return [(o, r) for o, r in rows]

    def rotate(self, office: Office) -> str:
        """Revoke every link of ``office`` and issue a new one."""
        with self.sessions.begin() as s:
            self._revoke(s, office.id)
            return self._new_token(s, office)

    def revoke(self, office: Office) -> int:
        """Revoke every link of ``office`` (uploads stay); → how many were live."""
        with self.sessions.begin() as s:
            return self._revoke(s, office.id)

    def office_for_token(self, token: str) -> TokenAccess | None:
        """The office a live link's secret opens, or None (unknown or revoked)."""
        with self.sessions() as s:
            row = s.scalar(select(UploadToken).where(UploadToken.token_hash == hash_token(token),
                                                     UploadToken.revoked_at.is_(None)))
            return TokenAccess(s.get(Office, row.office_id), row.id) if row else None

    def token_live(self, token_id: int, office_id: int) -> bool:
        with self.sessions() as s:
            row = s.get(UploadToken, token_id)
            return row is not None and row.office_id == office_id and row.revoked_at is None

    def _new_token(self, s: Session, office: Office) -> str:
        token = secrets.token_urlsafe(32)
        s.add(UploadToken(office_id=office.id, token_hash=hash_token(token)))
        return token

    def _revoke(self, s: Session, office_id: int) -> int:
        live = s.scalars(select(UploadToken).where(UploadToken.office_id == office_id,
                                                   UploadToken.revoked_at.is_(None))).all()
        for t in live:
            t.revoked_at = datetime.now(UTC)
        return len(live)

    # --------------------------------------------------------------------------------------------- users

    def add_user(self, name: str, password: str, hq: bool = True) -> User:
        if len(password) < 10:
            raise UsageError("the password needs at least 10 characters")
        with self.sessions.begin() as s:
            user = User(name=name, password_hash=_password_hasher().hash(password), is_hq=hq)
            s.add(user)
            try:
                s.flush()
            except IntegrityError as exc:
                raise UsageError(f"user {name!r} exists") from exc
        return user

    def set_password(self, name: str, password: str) -> None:
        with self.sessions.begin() as s:
            user = s.scalar(select(User).where(User.name == name))
            if user is None:
                raise UsageError(f"no user {name!r}")
            user.password_hash = _password_hasher().hash(password)

    def user(self, user_id: int) -> User | None:
        with self.sessions() as s:
            return s.get(User, user_id)

    def login(self, name: str, password: str, client: str = "") -> User | None:
        """The user, or None for a wrong name or password; :class:`Throttled` after too many failures for
        this name or this client address (failures are counted in the database, across processes)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        keys = [f"user:{name[:200]}", f"ip:{client[:200]}"]
        since = datetime.now(UTC) - FAILURE_WINDOW
        with self.sessions.begin() as s:
            for key in keys:
                n = s.scalar(select(func.count()).select_from(LoginFailure)
                             .where(LoginFailure.key == key, LoginFailure.at >= since))
                if n >= MAX_FAILURES:
                    raise Throttled(said("too many failed logins; try again in {minutes} minutes",
                                         minutes=FAILURE_WINDOW.seconds // 60))
            user = s.scalar(select(User).where(User.name == name))
            hasher = _password_hasher()
            try:
                if user is None:
                    # Same work as a real check, so a wrong name and a wrong password take as long.
                    hasher.hash(password)
                    raise VerificationError
                hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                for key in keys:
                    s.add(LoginFailure(key=key))
                return None
            if hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hasher.hash(password)
            return user

    # ----------------------------------------------------------------------------------------- revisions

    def record(self, office_id: int, *, uploader: str, filename: str, status: str, reason: str | None = None,
               sha256: str | None = None, size: int = 0, findings: list[dict] | None = None,
               token_id: int | None = None, user_id: int | None = None, rules_version: str | None = None,
               check_ms: int | None = None, check_cpu_ms: int | None = None) -> Revision:
        """Record one upload as the office's next revision number.

        The number is one more than the office's highest; two processes counting at once collide on the
        unique (office_id, number) constraint, and the loser counts again — portable SQL, no table lock.
        """
        findings = findings or []
        counts = {k: sum(f["severity"] == k for f in findings) for k in ("error", "warning", "info")}
        for attempt in range(NUMBER_RETRIES):
            try:
                with self._room(), self.sessions.begin() as s:
                    self._count_alone(s)
                    n = s.scalar(select(func.coalesce(func.max(Revision.number), 0))
                                 .where(Revision.office_id == office_id)) + 1
                    rev = Revision(office_id=office_id, number=n, uploader=uploader, token_id=token_id,
                                   user_id=user_id, filename=safe_filename(filename), sha256=sha256, size=size,
                                   status=status, reason=reason, errors=counts["error"],
                                   warnings=counts["warning"], infos=counts["info"],
                                   findings=json.dumps(findings, ensure_ascii=False),
                                   rules_version=rules_version, check_ms=check_ms,
                                   check_cpu_ms=check_cpu_ms)
                    s.add(rev)
                return rev
            except IntegrityError:
                _back_off(attempt)
        raise RuntimeError(f"could not number a revision of office {office_id} after {NUMBER_RETRIES} tries")

    def revisions(self, office_id: int) -> list[Revision]:
        """Newest first."""
        with self.sessions() as s:
            return list(s.scalars(select(Revision).where(Revision.office_id == office_id)
                                  .order_by(Revision.number.desc())))

    def revision(self, office_id: int, number: int) -> Revision | None:
        with self.sessions() as s:
            return s.scalar(select(Revision).where(Revision.office_id == office_id, Revision.number == number))

    def set_annotated(self, revision_id: int, sha256: str) -> None:
        """Remember the annotated copy written for a revision (the same findings always give the same one)."""
        with self.sessions.begin() as s:
            rev = s.get(Revision, revision_id)
            if rev.annotated_sha256 is None:
                rev.annotated_sha256 = sha256


    def latest_accepted(self) -> list[tuple[Office, Revision]]:
        """Every office's latest *accepted* revision (offices with none are left out), by region then office:
        what a budget revision is frozen from."""
        with self.sessions() as s:
            latest = (select(Revision.office_id, func.max(Revision.number).label("n"))
                      .where(Revision.status == "accepted").group_by(Revision.office_id).subquery())
            rows = s.execute(select(Office, Revision)
                             .join(latest, latest.c.office_id == Office.id)
                             .join(Revision, (Revision.office_id == Office.id) & (Revision.number == latest.c.n))
                             .order_by(Office.region, Office.country.is_not(None), Office.country)).all()
            return [(o, r) for o, r in rows]

    # ---------------------------------------------------------------------------------- budget revisions

    def budget_revisions(self) -> list[BudgetRevision]:
        """Every frozen budget revision, newest first, with its report files."""
        with self.sessions() as s:
            return list(s.scalars(select(BudgetRevision).order_by(BudgetRevision.number.desc())))

    def budget_revision(self, number: int | None = None) -> BudgetRevision | None:
        """Budget revision ``number``, or the latest when None; None when there is no such revision."""
        with self.sessions() as s:
            q = select(BudgetRevision)
            q = q.where(BudgetRevision.number == number) if number is not None else \
                q.order_by(BudgetRevision.number.desc()).limit(1)
            return s.scalar(q)

    def record_budget_revision(self, *, frozen_by: str, rules_version: str | None, inputs: list[dict],
                               counts: dict[str, int], files: list[tuple[str, str, int]],
                               after: int | None = None) -> BudgetRevision:
        """Budget revision ``after + 1`` (1 when ``after`` is None) with its report ``files`` ([(name, sha256,
        size)], already in the store), in one transaction: it exists whole or not at all.

        ``after`` is the revision the report was written against (its "what changed"). Inside the same
        transaction as the numbering, the latest revision is read again: if it already holds these ``inputs``
        under the same rules, :class:`AlreadyFrozen` (nothing new — another freeze got there first); if it
        is no longer ``after``, :class:`FrozenMeanwhile` (the report compares against the wrong revision:
        write it again). Two freezes deciding at once both read the same latest revision and insert the same
        number; the unique number lets one commit, and the other, reading again, finds it.
        """
        for attempt in range(NUMBER_RETRIES):
            try:
                with self._room(), self.sessions.begin() as s:
                    self._count_alone(s)
                    latest = s.scalar(select(BudgetRevision).order_by(BudgetRevision.number.desc()).limit(1))
                    if latest is not None:
                        s.expunge(latest)  # kept readable after the rollback an exception below causes
                    if latest is not None and latest.rules_version == rules_version \
                            and json.loads(latest.inputs) == inputs:
                        raise AlreadyFrozen(latest)
                    if (latest.number if latest is not None else None) != after:
                        raise FrozenMeanwhile(latest)
                    rev = BudgetRevision(number=(after or 0) + 1, frozen_by=frozen_by,
                                         rules_version=rules_version,
                                         inputs=json.dumps(inputs, ensure_ascii=False),
                                         errors=counts.get("error", 0), warnings=counts.get("warning", 0),
                                         infos=counts.get("info", 0),
                                         files=[ReportFile(name=name, sha256=sha, size=size)
                                                for name, sha, size in files])
                    s.add(rev)
                return rev
            except IntegrityError:
                _back_off(attempt)  # another freeze took the number: read the latest again
        raise RuntimeError(f"could not number a budget revision after {NUMBER_RETRIES} tries")

    def _count_alone(self, s) -> None:
        """On SQLite, take the write lock before counting: Python's sqlite3 begins a transaction only at
        the INSERT, so two processes would read the same highest number, and in step they can keep colliding.
        PostgreSQL counts concurrently; its unique constraint and :func:`_back_off` settle it."""
        if self.engine.dialect.name == "sqlite":
            s.execute(text("BEGIN IMMEDIATE"))

    @contextlib.contextmanager
    def _room(self):
        """The database's "disk full" (SQLite's SQLITE_FULL, PostgreSQL's 53100) → :class:`ArchiveFull`: the
        transaction was rolled back, so nothing of it is stored."""
        try:
            yield
        except DBAPIError as exc:
            orig = exc.orig
            if getattr(orig, "sqlite_errorcode", None) == SQLITE_FULL or getattr(orig, "sqlstate", None) == "53100":
                where = self.data if self.engine.dialect.name == "sqlite" else "the database server"
                raise full(where) from exc
            raise


SQLITE_FULL = 13


class AlreadyFrozen(Exception):
    """The latest budget revision already holds exactly these inputs under these rules: nothing new."""

    def __init__(self, revision: BudgetRevision):
        super().__init__(f"budget revision {revision.number} already holds these uploads")
        self.revision = revision


class FrozenMeanwhile(Exception):
    """Another budget revision was frozen since this freeze began (``revision``, or None): the report's
    "what changed" would compare against the wrong one."""

    def __init__(self, revision: BudgetRevision | None):
        super().__init__(f"budget revision {revision.number if revision else '(none)'} was frozen meanwhile")
        self.revision = revision


def findings_of(revision: Revision) -> list[dict]:
    return json.loads(revision.findings or "[]")


def _back_off(attempt: int) -> None:
    """Wait a random moment after a numbering collision, so that two writers in step fall out of step."""
    time.sleep(random.uniform(0, 0.005 * (attempt + 1)))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL: readers do not wait for the one writer; busy_timeout: a writer waits for another instead of failing.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
