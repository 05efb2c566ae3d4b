"""The web's own tables (users, sign-in sessions, login throttling, API tokens, uploads), in the job database
(``settings.database_url``).

The workers own the jobs tables in the same database; these tables only refer to job ids as strings.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

ROLES = ("admin", "operator", "viewer")
#: a role may do what every role after it may do.
ROLE_RANK = {"viewer": 0, "operator": 1, "admin": 2}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default="viewer")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    def may(self, role: str) -> bool:
        """Whether this user holds ``role`` or a stronger one."""
        return self.active and ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]


class WebSession(Base):
    """One signed-in browser: the session cookie carries a secret whose sha256 is ``id``.

    Deleting the row signs that browser out, whatever copy of its cookie exists (sign-out, password change, role
    change or deactivation delete them); rows past the idle or absolute limit are refused and removed.
    """

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class LoginThrottle(Base):
    """Sign-in attempts counted for one key (``account:<name>`` or ``address:<client>``), shared by all processes.

    Every attempt is charged before the password is checked (so parallel guesses cannot slip past the count); a
    successful sign-in deletes its account row and refunds its address row. ``locked_until`` is when the next
    attempt may come; rows idle for longer than the failure memory are deleted.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    #: sha256 of the secret; the secret itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Upload(Base):
    """One resumable upload (tus): where its bytes go, how many have arrived, and what it became."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    length: Mapped[int] = mapped_column(BigInteger, nullable=False)
    offset: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    #: optional whole-file digest declared at creation ("sha256 <hex>"), checked when the last byte arrives
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    metadata_json: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    #: receiving → (verifying, when sha256 was declared →) complete → attached (inputs of job_id); refused ones are
    #: deleted; "failed": the whole-file sha256 did not match (bytes deleted, the reason kept until expiry)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="receiving")
    job_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


def make_session_factory(database_url: str) -> tuple[Engine, sessionmaker]:
    """An engine and session factory for ``database_url``, with the web tables created if missing."""
    kwargs = {"connect_args": {"check_same_thread": False, "timeout": 30}} if database_url.startswith("sqlite") else {}
    engine = create_engine(database_url, pool_pre_ping=True, **kwargs)
    Base.metadata.create_all(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)
