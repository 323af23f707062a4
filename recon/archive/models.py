"""The archive's tables (SQLAlchemy 2, portable SQL: SQLite by default, PostgreSQL through psycopg 3).

An :class:`Office` (a region, or a country within one) holds :class:`UploadToken`\\s — the secret in its
personal link, stored as a SHA-256 hash — and :class:`Revision`\\s, one per upload, numbered 1, 2, 3… per
office. A refused upload is a revision too (status ``refused`` with its reason), so the numbers an office
sees have no gaps and nothing it sent is unaccounted for. :class:`User` is an HQ account (argon2 hash).
:class:`LoginFailure` rows throttle password guessing, shared by every app process on one database.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Office(Base):
    """``Office(region="East and Horn of Africa", country="Kenya")``; ``country=None`` is the regional office.

    ``key`` ("East and Horn of Africa › Kenya", or just the region) is unique: a NULL country would not be
    unique in SQL, so the pair is spelled out in one column.
    """

    __tablename__ = "office"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    region: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    revisions: Mapped[list[Revision]] = relationship(back_populates="office", order_by="Revision.number")

    @property
    def name(self) -> str:
        return self.country or self.region


class UploadToken(Base):
    """One secret link. ``token_hash`` is sha256(token) in hex: the token itself is never stored."""

    __tablename__ = "upload_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    office: Mapped[Office] = relationship()


class User(Base):
    __tablename__ = "hq_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    is_hq: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Revision(Base):
    """One upload: who sent what when, and recon's verdict on it.

    ``findings`` is the JSON list ``recon check --format json`` prints; ``sha256`` names the file in the
    content-addressed store (None when the upload was refused before it was read whole, e.g. too large).
    """

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("office_id", "number", name="uq_revision_office_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    uploader: Mapped[str] = mapped_column(String(200))  # "office link #3" or an HQ user's name
    token_id: Mapped[int | None] = mapped_column(ForeignKey("upload_token.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("hq_user.id"))
    filename: Mapped[str] = mapped_column(String(200))  # made safe: display and download name only
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))  # "accepted" | "refused"
    reason: Mapped[str | None] = mapped_column(Text)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    infos: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[str] = mapped_column(Text, default="[]")
    rules_version: Mapped[str | None] = mapped_column(String(40))
    check_ms: Mapped[int | None] = mapped_column(Integer)  # server-side verdict time, wall clock
    check_cpu_ms: Mapped[int | None] = mapped_column(Integer)  # … and CPU time of the thread that checked
    annotated_sha256: Mapped[str | None] = mapped_column(String(64))  # the annotated copy, once written
    office: Mapped[Office] = relationship(back_populates="revisions")


class LoginFailure(Base):
    """A failed HQ login, by ``key`` ("user:alice" or "ip:127.0.0.1"); old rows only matter for counting."""

    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)


class BudgetRevision(Base):
    """A frozen budget revision: HQ's reconciliation of every office's latest accepted upload, numbered 1, 2,
    3… across the organization, with the report set written then (:class:`ReportFile`), never changed after.

    ``inputs`` is the JSON list ``[{"office": "East and Horn of Africa › Kenya", "revision": 2,
    "filename": "kenya.xlsx", "sha256": "9f86…"}, …]``: the same list again means nothing new to freeze.
    """

    __tablename__ = "budget_revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    frozen_by: Mapped[str] = mapped_column(String(200))
    rules_version: Mapped[str | None] = mapped_column(String(40))
    inputs: Mapped[str] = mapped_column(Text)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    infos: Mapped[int] = mapped_column(Integer, default=0)
    files: Mapped[list[ReportFile]] = relationship(order_by="ReportFile.name", lazy="selectin")


class ReportFile(Base):
    """One file of a frozen revision's report set (``report.html``…), by the SHA-256 naming it in the store."""

    __tablename__ = "report_file"
    __table_args__ = (UniqueConstraint("budget_revision_id", "name", name="uq_report_file_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_revision_id: Mapped[int] = mapped_column(ForeignKey("budget_revision.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
