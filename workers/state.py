"""Job state in SQL (SQLAlchemy Core): one row per job, one per stage of a job.

SQLite by default (a file under the storage root), PostgreSQL in a cluster. Status moves only forward:
``queued → running → succeeded | failed | cancelled``; a late report from a stage of a job that already ended
(a redelivered task, a cancelled one) never changes it back.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import make_url

from mediaops.jobs.stages import STAGE_NAMES

metadata = MetaData()

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("recording", Text, nullable=False),
    Column("metrics", Text, nullable=False),
    Column("comments", Text),
    Column("products", Text),
    Column("options", JSON, nullable=False),
    Column("owner", String(200)),
    Column("job_dir", Text, nullable=False),
    Column("out_dir", Text, nullable=False),
    Column("duration_s", Float),
    Column("error", Text),
    Column("created_at", String(32), nullable=False, index=True),
    Column("started_at", String(32)),
    Column("finished_at", String(32)),
)

stages = Table(
    "job_stages",
    metadata,
    Column("job_id", String(40), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("progress", Float, nullable=False, default=0.0),
    Column("message", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("started_at", String(32)),
    Column("finished_at", String(32)),
    Column("seconds", Float),
    Column("error", Text),
    Column("artifacts", JSON),
)

ACTIVE = ("queued", "running")
FINAL = ("succeeded", "failed", "cancelled")

#: share of each stage in a job's overall progress (roughly its share of the time on a typical recording).
STAGE_WEIGHTS = {"probe": 1, "metrics": 1, "transcribe": 50, "scenes": 15, "highlights": 1, "render": 27,
                 "publish": 5}

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # WAL lets the web process read while workers write; busy_timeout waits for a writer instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def engine_for(url: str) -> Engine:
    """The (cached, per process) engine of ``url``, with the job tables created."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                database = make_url(url).database
                if database and database != ":memory:":
                    Path(database).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, connect_args={"timeout": 30})
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_pre_ping=True)
            metadata.create_all(engine)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every cached engine (after a fork: a child must not share its parent's connections)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose(close=False)
        _engines.clear()


def insert_job(engine: Engine, row: dict[str, Any], order: Sequence[str] = STAGE_NAMES) -> None:
    """Record a new queued job and its stages, in the ``order`` they run."""
    with engine.begin() as conn:
        conn.execute(jobs.insert().values(status="queued", created_at=now_iso(), **row))
        conn.execute(stages.insert(), [
            {"job_id": row["id"], "name": name, "position": i, "status": "pending", "progress": 0.0, "attempts": 0}
            for i, name in enumerate(order)
        ])


def job_status(engine: Engine, job_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(jobs.c.status).where(jobs.c.id == job_id)).scalar()


def job_row(engine: Engine, job_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return dict(row) if row else None


def job_duration_s(engine: Engine, job_id: str) -> float | None:
    """The recording's duration stored with job ``job_id``; None if unknown (or the job is gone)."""
    row = job_row(engine, job_id)
    return row["duration_s"] if row else None


def stage_started(engine: Engine, job_id: str, stage: str, message: str = "") -> None:
    now = now_iso()
    with engine.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == "queued")
                     .values(status="running", started_at=now))
        conn.execute(update(stages).where(stages.c.job_id == job_id, stages.c.name == stage)
                     .values(status="running", message=message, error=None, attempts=stages.c.attempts + 1,
                             started_at=func.coalesce(stages.c.started_at, now)))


def stage_progress(engine: Engine, job_id: str, stage: str, fraction: float, message: str = "") -> None:
    with engine.begin() as conn:
        conn.execute(update(stages).where(stages.c.job_id == job_id, stages.c.name == stage,
                                          stages.c.status.in_(("pending", "running")))
                     .values(status="running", progress=round(100.0 * min(max(fraction, 0.0), 1.0), 1),
                             message=message[:500]))


def stage_finished(engine: Engine, job_id: str, stage: str, message: str = "",
                   artifacts: dict[str, Any] | None = None) -> None:
    now = now_iso()
    with engine.begin() as conn:
        started = conn.execute(select(stages.c.started_at).where(stages.c.job_id == job_id,
                                                                  stages.c.name == stage)).scalar()
        seconds = (datetime.fromisoformat(now) - datetime.fromisoformat(started)).total_seconds() if started else None
        conn.execute(update(stages).where(stages.c.job_id == job_id, stages.c.name == stage,
                                          stages.c.status.in_(("pending", "running")))
                     .values(status="succeeded", progress=100.0, message=message[:500], finished_at=now,
                             seconds=seconds, error=None, artifacts=artifacts))


def fail_job(engine: Engine, job_id: str, stage: str | None, error: str, status: str = "failed") -> bool:
    """End an active job as ``failed`` (or ``cancelled``) with ``error``; False if it had already ended."""
    now = now_iso()
    with engine.begin() as conn:
        ended = conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status.in_(ACTIVE))
                             .values(status=status, error=error, finished_at=now)).rowcount
        if stage:
            conn.execute(update(stages).where(stages.c.job_id == job_id, stages.c.name == stage)
                         .values(status=status, error=error, finished_at=now))
        conn.execute(update(stages).where(stages.c.job_id == job_id, stages.c.status == "pending")
                     .values(status="skipped"))
    return bool(ended)


def finish_job(engine: Engine, job_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status.in_(ACTIVE))
                     .values(status="succeeded", finished_at=now_iso(), error=None))


def set_duration(engine: Engine, job_id: str, duration_s: float) -> None:
    with engine.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(duration_s=duration_s))


def _stage_dicts(conn: Any, job_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {job_id: [] for job_id in job_ids}
    rows = conn.execute(select(stages).where(stages.c.job_id.in_(job_ids))
                        .order_by(stages.c.job_id, stages.c.position)).mappings()
    for row in rows:
        found[row["job_id"]].append({
            "name": row["name"], "status": row["status"], "progress": row["progress"], "message": row["message"],
            "started_at": row["started_at"], "finished_at": row["finished_at"], "seconds": row["seconds"],
            "error": row["error"], "attempts": row["attempts"], "artifacts": row["artifacts"],
        })
    return found


def overall_progress(status: str, stage_list: list[dict[str, Any]]) -> float:
    """A job's progress in percent: the stages' progress weighted by :data:`STAGE_WEIGHTS`."""
    if status == "succeeded":
        return 100.0
    total = sum(STAGE_WEIGHTS.get(s["name"], 1) for s in stage_list) or 1
    done = sum(STAGE_WEIGHTS.get(s["name"], 1) * (100.0 if s["status"] == "succeeded" else s["progress"] or 0.0)
               for s in stage_list)
    return round(min(done / total, 99.9), 1)


def _job_dict(row: Any, stage_list: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row["id"], "name": row["name"], "status": row["status"],
        "progress": overall_progress(row["status"], stage_list), "stages": stage_list, "error": row["error"],
        "out_dir": row["out_dir"], "job_dir": row["job_dir"], "recording": row["recording"],
        "metrics": row["metrics"], "comments": row["comments"], "products": row["products"],
        "created_at": row["created_at"], "started_at": row["started_at"], "finished_at": row["finished_at"],
        "options": row["options"] or {}, "owner": row["owner"], "duration_s": row["duration_s"],
    }


def get_job(engine: Engine, job_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        if row is None:
            return None
        return _job_dict(row, _stage_dicts(conn, [job_id])[job_id])


def list_jobs(engine: Engine, limit: int = 100, statuses: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    query = select(jobs).order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(limit)
    if statuses:
        query = query.where(jobs.c.status.in_(statuses))
    with engine.connect() as conn:
        rows = list(conn.execute(query).mappings())
        stage_map = _stage_dicts(conn, [r["id"] for r in rows]) if rows else {}
        return [_job_dict(r, stage_map[r["id"]]) for r in rows]


def jobs_for_recording(engine: Engine, recording: str) -> list[str]:
    """Ids of every job of ``recording`` (an absolute path), so a watcher submits each recording once."""
    with engine.connect() as conn:
        return list(conn.execute(select(jobs.c.id).where(jobs.c.recording == recording)).scalars())
