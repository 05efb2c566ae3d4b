"""Settings of live mode; the defaults live here and nowhere else.

The analysis settings (clip bounds, speech model, scene detection, insight thresholds) are the pipeline's own
(:class:`mediaops.jobs.options.ProcessOptions`); these are only what watching a stream adds.
"""

from __future__ import annotations

from dataclasses import dataclass

from mediaops.errors import MediaOpsError


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """How a stream that is still on air is watched.

    Attributes:
        poll_s: seconds between two looks at the recording and the side files.
        idle_s: the stream is over once the recording has not grown for this long (or the recorded URL ended).
        margin_s: audio and video closer than this to the end of what is written are left for the next poll: a
            recorder flushes in bursts and the last packets may be incomplete.
        asr_chunk_s: recognise once at least this much new audio is on disk. Whisper decodes 30 s windows
            whatever it is given, so a shorter chunk costs about as much as a longer one; after a slow poll the
            chunk simply grows.
        language_chunk_s: with ``language="auto"`` the first recognition waits for this much audio, so that the
            language is detected from enough speech (it is then kept for the rest of the stream).
        scene_chunk_s: look for scene cuts once at least this much new video is on disk.
        peak_settle_s: an engagement peak is decided once the metrics reach this far past it, i.e. once the row
            that holds the surge is written: the signals are summed over 10 s centred windows, so a row can still
            move a peak closer than half that to its start.
        peak_wait_s: a peak left without a clip (too weak, or outranked) is decided again as rows arrive until the
            metrics reach this far past it (its surge may go on; an early moment's baseline fills in).
        viewers_drop_pct: alert when online viewers fall at least this many percent below the highest count of the
            last ``viewers_window_s`` seconds.
        viewers_window_s: the span a viewer drop is measured over.
        alert_cooldown_s: an alert of a kind is not repeated within this many seconds (a long silence or a
            falling audience is one alert, not one per poll).
        webhook_timeout_s: how long a webhook POST may take before it counts as failed.
        record_timeout_s: a URL that sends nothing for this long is treated as ended (ffmpeg's I/O timeout).
    """

    poll_s: float = 2.0
    idle_s: float = 30.0
    margin_s: float = 2.0
    asr_chunk_s: float = 10.0
    language_chunk_s: float = 30.0
    scene_chunk_s: float = 5.0
    peak_settle_s: float = 5.0
    peak_wait_s: float = 60.0
    viewers_drop_pct: float = 20.0
    viewers_window_s: float = 60.0
    alert_cooldown_s: float = 60.0
    webhook_timeout_s: float = 5.0
    record_timeout_s: float = 15.0

    def __post_init__(self) -> None:
        bad = [name for name in ("poll_s", "idle_s", "asr_chunk_s", "language_chunk_s", "scene_chunk_s",
                                 "peak_settle_s", "peak_wait_s", "viewers_window_s", "webhook_timeout_s",
                                 "record_timeout_s") if not getattr(self, name) > 0]
        if bad:
            raise MediaOpsError(f"live options must be positive seconds: {', '.join(bad)}")
        if not 0 < self.viewers_drop_pct < 100:
            raise MediaOpsError(f"viewer drop {self.viewers_drop_pct:g}% must be between 0 and 100 percent")
        if self.margin_s < 0 or self.alert_cooldown_s < 0:
            raise MediaOpsError("live margin_s and alert_cooldown_s must not be negative")
