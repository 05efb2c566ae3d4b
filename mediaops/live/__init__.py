"""Live mode: clips and alerts while a stream is still on air, and its retrospective when it ends."""

from mediaops.live.alerts import ALERT_KINDS, Alert
from mediaops.live.options import LiveOptions
from mediaops.live.session import run_live

__all__ = ["ALERT_KINDS", "Alert", "LiveOptions", "run_live"]
