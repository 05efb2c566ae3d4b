"""Sign-in throttling: per account and per client address, with exponential delays, kept in the database.

Every process (gunicorn workers, ``mediaops serve``) shares the counts through the ``login_throttle`` table. An
attempt is charged *before* its password is checked, with a compare-and-set on the count, so a burst of parallel
guesses is held to the same pace as sequential ones.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.models import LoginThrottle, utcnow

#: how often one attempt re-reads a row that a concurrent attempt changed before giving up with a short wait
_RACE_RETRIES = 5


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    """How many failures each key gets for free, and how long the waits after them grow.

    After ``n`` counted attempts on a key with ``free`` free ones, the next attempt must wait
    ``min(2 ** (n - free), max_delay_s)`` seconds (none while ``n < free``).
    """

    free_per_account: int = 5
    free_per_address: int = 20
    max_delay_s: float = 900.0
    memory_s: float = 24 * 3600.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ThrottleLimits:
        return cls(free_per_account=int(config["LOGIN_FREE_FAILURES"]),
                   free_per_address=int(config["LOGIN_FREE_FAILURES_PER_ADDRESS"]),
                   max_delay_s=float(config["LOGIN_MAX_DELAY_S"]),
                   memory_s=float(config["LOGIN_FAILURE_MEMORY_S"]))


def delay_after(failures: int, free: int, max_delay_s: float) -> float:
    """Seconds the next attempt must wait after ``failures`` counted ones: 0, then 1, 2, 4 … up to the cap."""
    if failures < free:
        return 0.0
    return min(2.0 ** min(failures - free, 40), max_delay_s)


def account_key(username: str) -> str:
    """The throttle key of a user name, whether or not such a user exists (so locks reveal nothing)."""
    return "account:" + username.strip().casefold()[:64]


def address_key(address: str | None) -> str:
    """The throttle key of a client address; IPv6 clients are grouped by /64, which one subscriber usually holds."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "address:" + (address or "unknown")[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"address:{ip}"


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted_hops: int) -> str | None:
    """The client's address: ``remote_addr``, or the entry ``trusted_hops`` from the right of X-Forwarded-For.

    Only the entries our own proxies appended can be trusted; anything further left is whatever the client sent.
    """
    if trusted_hops <= 0 or not forwarded_for:
        return remote_addr
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    return hops[-trusted_hops] if len(hops) >= trusted_hops else remote_addr


def charge(session: Session, keys: Mapping[str, int], limits: ThrottleLimits,
           now: datetime | None = None) -> float:
    """Count one sign-in attempt on each key (key -> its free failures) unless one of them is locked.

    Returns 0.0 when the attempt may go ahead (and was counted), else the seconds to wait (nothing counted).
    """
    now = now or utcnow()
    _forget_old(session, now, limits)
    pending = dict(keys)  # keys not yet counted for this attempt (a lock our own count set must not stop us)
    for _try in range(_RACE_RETRIES):
        rows = {row.key: row for row in session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(pending)))}
        waits = [(row.locked_until - now).total_seconds() for row in rows.values()
                 if row.locked_until is not None and row.locked_until > now]
        if waits:
            session.rollback()
            return max(1.0, math.ceil(max(waits)))
        for key, free in list(pending.items()):
            if _count_one(session, key, rows.get(key), free, limits, now):
                del pending[key]
        if not pending:
            return 0.0
    return 1.0  # a crowd of parallel attempts on the same key: one more second, then the counts decide


def _count_one(session: Session, key: str, row: LoginThrottle | None, free: int, limits: ThrottleLimits,
               now: datetime) -> bool:
    """Add one attempt to ``key`` if its count is still what was read (compare-and-set); False on a race."""
    if row is None:
        lock = _lock_time(1, free, limits, now)
        session.add(LoginThrottle(key=key, failures=1, last_attempt_at=now, locked_until=lock))
        try:
            session.commit()
        except IntegrityError:  # a concurrent attempt created it first
            session.rollback()
            return False
        return True
    stale = (now - row.last_attempt_at).total_seconds() > limits.memory_s
    count = 1 if stale else row.failures + 1
    result = session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.failures == row.failures,
               LoginThrottle.last_attempt_at == row.last_attempt_at)
        .values(failures=count, last_attempt_at=now, locked_until=_lock_time(count, free, limits, now))
    )
    changed = cast(CursorResult[Any], result).rowcount  # an UPDATE's result is a cursor's: it has a row count
    session.commit()
    return changed == 1


def _lock_time(count: int, free: int, limits: ThrottleLimits, now: datetime) -> datetime | None:
    delay = delay_after(count, free, limits.max_delay_s)
    return now + timedelta(seconds=delay) if delay else None


def succeeded(session: Session, account: str, address: str, free_per_address: int) -> None:
    """A correct password: forget the account's count and refund the address the attempt just charged."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account))
    session.execute(
        update(LoginThrottle).where(LoginThrottle.key == address, LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1,
                locked_until=case((LoginThrottle.failures - 1 < free_per_address, None),
                                  else_=LoginThrottle.locked_until)))
    session.commit()


def forget(session: Session, account: str) -> None:
    """Drop an account's count (it has a new password); the caller commits."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account))


def _forget_old(session: Session, now: datetime, limits: ThrottleLimits) -> None:
    """Delete rows nobody has tried for ``memory_s`` (sprayed unknown names must not pile up)."""
    cutoff = now - timedelta(seconds=limits.memory_s)
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_attempt_at < cutoff,
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now)))
    session.commit()
