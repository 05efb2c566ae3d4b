"""Deployment settings of the workers, from environment variables (the library itself reads none).

One laptop needs none of them: everything defaults to files under the storage root (an SQLite broker, result
store and job database). A cluster sets the broker and database URLs and a storage root shared by all machines.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

#: environment variable of each setting.
ENV = {
    "storage_root": "MEDIAOPS_STORAGE",
    "broker_url": "MEDIAOPS_BROKER_URL",
    "result_backend": "MEDIAOPS_RESULT_BACKEND",
    "database_url": "MEDIAOPS_DATABASE_URL",
    "model": "MEDIAOPS_MODEL",
    "visibility_timeout_s": "MEDIAOPS_VISIBILITY_TIMEOUT",
    "allowed_models": "MEDIAOPS_ALLOWED_MODELS",
    "allow_model_download": "MEDIAOPS_ALLOW_MODEL_DOWNLOAD",
    "timezone": "MEDIAOPS_TIMEZONE",
    "live_url_hosts": "MEDIAOPS_LIVE_URL_HOSTS",
}

_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Where jobs live and how workers talk to each other.

    Attributes:
        storage_root: every job's files live under it (``jobs/<id>/``); shared by all workers of a cluster.
        broker_url: Celery broker; default an SQLite file under the storage root (no server to run).
        result_backend: Celery result store (used by the job canvas's chords); default the Redis broker when
            the broker is Redis, else the job database.
        database_url: SQLAlchemy URL of the job database; default an SQLite file under the storage root.
        model: default Whisper model name or local folder.
        allowed_models: the models a job's ``model`` option may choose (names or local folders, comma-separated
            in the environment; a folder is chosen by its folder name). The default model is always allowed;
            with none given it is the only one. Anything else is refused with one message, whatever it names.
        allow_model_download: let workers download a named model they do not have (faster-whisper from the
            Hugging Face Hub). Off by default: a job never makes a worker reach the internet; models are put
            on the machines by an administrator.
        visibility_timeout_s: with a Redis broker, how long a task taken by a worker that died stays invisible
            before another worker gets it. Must exceed the longest stage (a long recording's transcription);
            a stage that outlives it runs twice, harmlessly (stages are idempotent) but wastefully.
        timezone: the zone the reports show wall-clock times in (``+08:00``, ``Asia/Shanghai``); empty: the
            metrics export's zone, else UTC+08:00 (see :mod:`mediaops.report.header`).
        live_url_hosts: stream hosts inside the private network that live jobs may record (names or addresses,
            comma-separated in the environment), e.g. the team's own RTMP server. Other stream URLs must point at
            public addresses: a URL naming this machine, the private network or a cloud metadata address is
            refused, so that a user cannot make a worker fetch from inside.
    """

    storage_root: Path = Path("storage")
    broker_url: str = ""
    result_backend: str = ""
    database_url: str = ""
    model: str = "base"
    visibility_timeout_s: float = 4 * 3600.0
    allowed_models: tuple[str, ...] = ()
    allow_model_download: bool = False
    timezone: str = ""
    live_url_hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.timezone:
            from mediaops.inputs.placement import parse_timezone

            parse_timezone(self.timezone)  # ValueError at start-up, naming the forms a zone takes
        root = Path(self.storage_root).absolute()
        object.__setattr__(self, "storage_root", root)
        allowed = self.allowed_models
        if isinstance(allowed, str):
            allowed = tuple(allowed.split(","))
        allowed = tuple(dict.fromkeys(m.strip() for m in (self.model, *allowed) if m and m.strip()))
        object.__setattr__(self, "allowed_models", allowed)
        hosts = self.live_url_hosts
        if isinstance(hosts, str):
            hosts = tuple(hosts.split(","))
        object.__setattr__(self, "live_url_hosts", tuple(dict.fromkeys(h.strip().lower() for h in hosts if h.strip())))
        if not self.broker_url:
            object.__setattr__(self, "broker_url", f"sqla+sqlite:///{root / 'broker.sqlite'}")
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{root / 'mediaops.sqlite'}")
        if not self.result_backend:
            # With Redis, results (and the canvas's chord counters) live in Redis itself: chords then join
            # when their last task ends instead of by polling, which a broker restart would stall.
            redis = self.broker_url.startswith(("redis://", "rediss://"))
            object.__setattr__(self, "result_backend", self.broker_url if redis else f"db+{self.database_url}")

    @property
    def embedded(self) -> bool:
        """True when the broker is the SQLite file under the storage root (one machine, no server)."""
        return self.broker_url.startswith("sqla+sqlite:")

    @property
    def jobs_dir(self) -> Path:
        return self.storage_root / "jobs"

    @property
    def artifacts_dir(self) -> Path:
        """Stage artifacts shared by all jobs (content-keyed, so a re-run reuses its transcript)."""
        return self.storage_root / "artifacts"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``environ`` (default ``os.environ``); ``overrides`` win over both."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            text = environ.get(ENV[f.name], "").strip()
            if not text:
                continue
            if f.name == "visibility_timeout_s":
                values[f.name] = float(text)
            elif f.name == "allow_model_download":
                values[f.name] = text.lower() in _TRUE
            else:
                values[f.name] = text
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "storage_root" in values:
            values["storage_root"] = Path(values["storage_root"])
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment variables that give these settings to another process (a worker)."""
        env = {ENV[f.name]: str(getattr(self, f.name)) for f in fields(self)}
        env[ENV["allowed_models"]] = ",".join(self.allowed_models)
        env[ENV["live_url_hosts"]] = ",".join(self.live_url_hosts)
        env[ENV["allow_model_download"]] = "1" if self.allow_model_download else "0"
        return env
