"""What a live session has done, on disk, so that a crash or a restart resumes from it.

Three files in the output folder, each written so that a crash at any moment leaves a usable one:

- ``live-state.json`` (replaced whole, atomically): where scene detection has got to and the cuts it found, every
  engagement peak decided and how, the clips decided and the clips announced;
- ``.live/transcript.jsonl`` (appended, one recognised stretch a line): the transcript so far, rebuilt by splicing
  the stretches in order (:mod:`mediaops.live.incremental`);
- ``live.jsonl`` (appended): the events announced (:mod:`mediaops.live.events`), which decide what is never
  announced twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mediaops.errors import InputFileError
from mediaops.serialize import decode, encode, write_text_atomic
from mediaops.types import Clip, Highlight

STATE_FILE = "live-state.json"
STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class PeakDecision:
    """An engagement peak that has been decided: the clip made from it (``clip_id``), or why none was.

    A clip decided once ``max_clips`` clips were made is ``over_budget``; ``outranks`` names the clips made before
    it that the choice over all clips so far no longer keeps. ``after_end``: chosen by the whole stream's choice in
    the retrospective, not on air.
    """

    t_s: float
    clip_id: str = ""
    reason: str = ""
    over_budget: bool = False
    outranks: tuple[str, ...] = ()
    after_end: bool = False
    open: bool = False


@dataclass(frozen=True, slots=True)
class LiveState:
    """The durable part of a live session (see the module's notes).

    Attributes:
        source: the file or URL watched; a state made for another source is not resumed.
        recording: the growing recording (the source itself, or the file a URL is recorded into).
        start_time: the wall-clock time the recording starts at (for exports with absolute times) and where it
            came from.
        scenes_done_s: scene cuts are known up to here; ``cuts`` are their times.
        peaks: every peak decided, in the order decided.
        highlights: every clip decided (rendered or not yet), ids in order.
        clips: the clips rendered and announced.
        finished: the retrospective was written.
    """

    source: str
    recording: str
    start_time: datetime | None = None
    start_source: str = ""
    scenes_done_s: float = 0.0
    cuts: tuple[float, ...] = ()
    peaks: tuple[PeakDecision, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    clips: tuple[Clip, ...] = ()
    finished: bool = False
    version: int = STATE_VERSION


def load_state(out_dir: Path, source: str) -> LiveState | None:
    """The state a session watching ``source`` left in ``out_dir``, or ``None`` where there is none.

    Raises:
        InputFileError: ``out_dir`` holds the state of a session watching another source, or an unreadable one.
    """
    path = out_dir / STATE_FILE
    if not path.exists():
        return None
    try:
        state = decode(LiveState, json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise InputFileError(f"{path} cannot be read ({exc.__class__.__name__}) — remove it to start over, or use "
                             "another --out folder") from exc
    if state.version != STATE_VERSION:
        raise InputFileError(f"{path} was written by another MediaOps version — use another --out folder")
    if state.source != source:
        raise InputFileError(f"{out_dir} holds the live session of {state.source}, not {source} — use another "
                             "--out folder")
    return state


def save_state(out_dir: Path, state: LiveState) -> None:
    """Replace ``out_dir``'s state file by ``state`` atomically (floats exact, so a resumed session decides the
    same)."""
    write_text_atomic(out_dir / STATE_FILE, json.dumps(encode(state), ensure_ascii=False, indent=1) + "\n")
