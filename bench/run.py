"""End-to-end benchmark at real scale: the whole pipeline on a generated 720p30 stream (minutes to hours).

Prints, per stage: wall time, CPU time, real-time factor and peak RSS; the time until the first 5 clips are
written; the whole job's CPU use (CPU seconds / (wall seconds x cores)); and in the same run the reference
points: a bare ffmpeg decode of the video, a bare faster-whisper transcription of the audio with our settings
(Whisper int8, beam 1, VAD with our settings, word timestamps, greedy decoding, every core; the ratio of our whole
job to it is printed), and the naive pipeline (PySceneDetect ``detect()`` with defaults, moviepy
``subclipped().write_videofile()`` per clip, openai-whisper where its weights are available). Appends the
results to ``bench/RESULTS.md`` with date, machine, load and commit.

Usage::

    python bench/run.py --hours 1 --model /path/to/whisper-base-ct2 [--openai-model openai-base.pt]
    python bench/run.py --minutes 12 --speech sparse     # one short pitch per scene, music and pauses between
    python bench/run.py --hours 3 --skip-references      # memory flatness: compare its peak with the 1-hour run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from longstream import SPEECH, LongStream, build_long_stream

REPO = Path(__file__).resolve().parents[1]


def _cores() -> int:
    from mediaops.transcribe.options import available_cores

    return available_cores()


def cpu_use(cpu_s: float, wall_s: float) -> float:
    """CPU seconds over what the machine's cores could give in ``wall_s``: 1.0 is every core busy throughout."""
    return cpu_s / (wall_s * _cores()) if wall_s > 0 else 0.0


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class StageStats:
    name: str
    started_wall: float
    started_cpu: float
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mib: float = 0.0


@dataclass
class Recorder:
    """A progress callback that splits the run into stages and samples memory in the background."""

    t0: float = field(default_factory=time.monotonic)
    cpu0: float = field(default_factory=_cpu_s)
    stages: list[StageStats] = field(default_factory=list)
    first_clips_s: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    #: every progress report: (seconds since t0, CPU seconds since cpu0, stage)
    events: list[tuple[float, float, str]] = field(default_factory=list)
    #: (seconds since t0, RSS MiB) every 0.2 s
    rss: list[tuple[float, float]] = field(default_factory=list)

    clips_wanted: int = 5

    def __call__(self, stage: str, fraction: float, message: str) -> None:
        self.events.append((time.monotonic() - self.t0, _cpu_s() - self.cpu0, stage))
        if stage == "render" and self.first_clips_s is None and message.endswith(" clips"):
            done, _, total = message.split()[0].partition("/")
            if int(done) >= min(self.clips_wanted, int(total)):  # rendered clips are complete files on disk
                self.first_clips_s = time.monotonic() - self.t0
        if not self.stages or self.stages[-1].name != stage:
            self._close_current()
            self.stages.append(StageStats(stage, time.monotonic(), _cpu_s()))

    def _close_current(self) -> None:
        if self.stages:
            current = self.stages[-1]
            current.wall_s = time.monotonic() - current.started_wall
            current.cpu_s = _cpu_s() - current.started_cpu

    def sample(self) -> None:
        while not self._stop.wait(0.2):
            rss = _rss_mib()
            self.rss.append((time.monotonic() - self.t0, rss))
            if self.stages:
                self.stages[-1].peak_rss_mib = max(self.stages[-1].peak_rss_mib, rss)

    def phases(self, wall_s: float, cpu_s: float) -> list[dict]:
        """The run in its three phases (stages run side by side inside the second, so their rows above interleave):
        the first clips (until the last clip is rendered), the full analysis, publishing."""
        renders = [e for e in self.events if e[2] == "render"]
        publish = next((e for e in self.events if e[2] == "publish"), None)
        starts = [("first clips: probe, scenes near the peaks, clip-span transcript, clips", 0.0, 0.0)]
        if renders:
            starts.append(("full analysis: transcript ‖ scene pass ‖ reel", renders[-1][0], renders[-1][1]))
        if publish:
            starts.append(("publish: replay, insights, timeline, reports", publish[0], publish[1]))
        rows = []
        for index, (name, start_s, start_cpu) in enumerate(starts):
            end_s, end_cpu = starts[index + 1][1:] if index + 1 < len(starts) else (wall_s, cpu_s)
            rows.append({"name": name, "wall_s": end_s - start_s, "cpu_s": end_cpu - start_cpu,
                         "peak_rss_mib": max((r for t, r in self.rss if start_s <= t < end_s), default=0.0)})
        return rows

    def stop(self) -> None:
        self._stop.set()
        self._close_current()


def run_ours(stream: LongStream, out_dir: Path, model: str, clips: int) -> dict:
    from mediaops.jobs.pipeline import ProcessOptions, StreamInputs, run_pipeline

    options = ProcessOptions()
    options = replace(
        options,
        transcribe=replace(options.transcribe, model=model, cache_dir=None)
        if hasattr(options.transcribe, "cache_dir") else replace(options.transcribe, model=model),
        highlights=replace(options.highlights, max_clips=clips),
        first_clips=True,  # as `mediaops process` does by default
    )
    inputs = StreamInputs(stream.metrics, stream.comments, stream.products)
    recorder = Recorder(clips_wanted=min(5, clips))
    sampler = threading.Thread(target=recorder.sample, daemon=True)
    sampler.start()
    cpu0, t0 = recorder.cpu0, recorder.t0
    timeline = run_pipeline(stream.recording, inputs, out_dir, options, recorder)
    wall, cpu = time.monotonic() - t0, _cpu_s() - cpu0
    recorder.stop()
    sampler.join()
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "rtf": wall / stream.duration_s,
        "peak_rss_mib": max((s.peak_rss_mib for s in recorder.stages), default=0.0),
        "peak_child_rss_mib": peak_children,
        "first_clips_s": recorder.first_clips_s,
        "clips": len(timeline.clips),
        "stages": [s.__dict__ for s in recorder.stages],
        "phases": recorder.phases(wall, cpu),
    }


def _timed_subprocess(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Run ``cmd``; its wall and CPU seconds and peak RSS (of that process: ``os.wait4``), and its output's tail."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed: {stderr[-800:]}")
    cpu = usage.ru_utime + usage.ru_stime
    # no peak RSS: a child's ru_maxrss starts from its parent's (this process, ~1 GB) at the fork
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mib": None, "stdout": stdout[-2000:]}


def ref_ffmpeg_decode(stream: LongStream) -> dict:
    from mediaops.media.ffmpeg_tools import ffmpeg_exe

    return _timed_subprocess([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i",
                              str(stream.recording), "-map", "0:v", "-f", "null", "-"])


#: faster-whisper alone with our settings (TranscribeOptions' defaults) on every core; the model load is not timed.
_WHISPER_DIRECT = """
import json, os, sys, time
from faster_whisper import WhisperModel
from mediaops.media.audio import read_audio
from mediaops.transcribe.options import TranscribeOptions, available_cores
from pathlib import Path
options = TranscribeOptions()
model = WhisperModel(sys.argv[2], device="cpu", compute_type=options.resolved_compute_type(),
                     cpu_threads=available_cores())
cpu0, t0 = time.process_time(), time.monotonic()
audio = read_audio(Path(sys.argv[1]))
segments, info = model.transcribe(audio, beam_size=options.beam_size, vad_filter=True,
                                  vad_parameters=options.vad_parameters(), word_timestamps=True,
                                  condition_on_previous_text=False, temperature=list(options.temperatures))
count = sum(1 for _ in segments)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"segments": count, "language": info.language, "wall_s": time.monotonic() - t0,
                  "cpu_s": time.process_time() - cpu0, "speech_s": info.duration_after_vad,
                  "peak_rss_mib": peak / 1024}))
"""

_NAIVE_SCENES = """
import sys
from scenedetect import detect, ContentDetector
print(len(detect(sys.argv[1], ContentDetector())))
"""

_NAIVE_CLIPS = """
import sys, json
from moviepy import VideoFileClip
spans = json.loads(sys.argv[3])
for index, (start, end) in enumerate(spans):
    with VideoFileClip(sys.argv[1]) as video:
        video.subclipped(start, end).write_videofile(f"{sys.argv[2]}/naive-{index}.mp4", logger=None)
print(len(spans))
"""

_NAIVE_WHISPER = """
import sys, whisper
model = whisper.load_model(sys.argv[2], device="cpu")
audio = whisper.load_audio(sys.argv[1])[: int(float(sys.argv[3]) * 16000)]
result = model.transcribe(audio, fp16=False)
print(len(result["segments"]))
"""


def ref_whisper(stream: LongStream, model: str) -> dict:
    """Bare faster-whisper on the recording's audio: wall and CPU seconds of decoding and recognition (the model
    load is left out, as it is from ours, which loads it once for the clips first), peak RSS of the process."""
    measured = _timed_subprocess([sys.executable, "-c", _WHISPER_DIRECT, str(stream.recording), model])
    inner = json.loads(measured["stdout"].strip().splitlines()[-1])
    return {**measured, "wall_s": inner["wall_s"], "cpu_s": inner["cpu_s"], "speech_s": inner["speech_s"],
            "peak_rss_mib": inner["peak_rss_mib"]}


def naive_pipeline(stream: LongStream, spans: list[tuple[float, float]], openai_model: str | None,
                   work: Path, openai_minutes: float | None = None) -> dict:
    parts = {
        "scenes (detect() defaults)": _timed_subprocess([sys.executable, "-c", _NAIVE_SCENES, str(stream.recording)]),
        "clips (moviepy)": _timed_subprocess(
            [sys.executable, "-c", _NAIVE_CLIPS, str(stream.recording), str(work), json.dumps(spans)]
        ),
    }
    if openai_model:
        from mediaops.media.ffmpeg_tools import ffmpeg_exe

        # openai-whisper runs `ffmpeg` from PATH: give it the same binary
        tools = work / "naive-bin"
        tools.mkdir(exist_ok=True)
        (tools / "ffmpeg").unlink(missing_ok=True)
        (tools / "ffmpeg").symlink_to(ffmpeg_exe())
        env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
        seconds = min(stream.duration_s, 60 * openai_minutes) if openai_minutes else stream.duration_s
        measured = _timed_subprocess(
            [sys.executable, "-c", _NAIVE_WHISPER, str(stream.recording), openai_model, str(seconds)], env
        )
        scale = stream.duration_s / seconds
        name = "transcribe (openai-whisper)" + (
            f", measured on the first {seconds / 60:.0f} min and scaled ×{scale:.1f}" if scale > 1 else ""
        )
        parts[name] = {**measured, "wall_s": measured["wall_s"] * scale, "cpu_s": measured["cpu_s"] * scale}
    return parts


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {model}"


def commit() -> str:
    proc = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=False)
    changed = subprocess.run(["git", "-C", str(REPO), "diff-index", "--quiet", "HEAD", "--"], capture_output=True,
                             check=False).returncode == 1
    return (proc.stdout.strip() or "unknown") + (" with uncommitted changes" if changed else "")


def render_markdown(label: str, stream: LongStream, ours: dict, refs: dict, naive: dict | None) -> str:
    load = os.getloadavg()
    lines = [
        f"## bench/run.py {label} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
        "",
        f"Machine: {machine()}; load average {load[0]:.1f} at the end ({load[1]:.1f} over 5 min, {load[2]:.1f} "
        f"over 15 min). Recording: {stream.duration_s:.0f} s 1280x720 30 fps (bench/longstream.py), "
        f"{stream.speech} speech ({stream.speech_s:.0f} s of sentences, "
        f"{100 * stream.speech_s / stream.duration_s:.0f}%), Whisper base int8 on CPU.",
        "",
        "| stage | wall s | CPU s | RTF (wall / duration) | peak RSS MiB |",
        "|---|---|---|---|---|",
    ]
    for stage in ours["stages"]:
        lines.append(f"| {stage['name']} | {stage['wall_s']:.1f} | {stage['cpu_s']:.1f} | "
                     f"{stage['wall_s'] / stream.duration_s:.4f} | {stage['peak_rss_mib']:.0f} |")
    first = ours["first_clips_s"]
    lines += [
        f"| **whole pipeline** | **{ours['wall_s']:.1f}** | **{ours['cpu_s']:.1f}** | **{ours['rtf']:.3f}** | "
        f"**{ours['peak_rss_mib']:.0f}** (largest child process: {ours['peak_child_rss_mib']:.0f}) |",
        "",
        f"- Whole job: CPU use {100 * cpu_use(ours['cpu_s'], ours['wall_s']):.0f}% of {_cores()} cores "
        "(CPU seconds / (wall seconds x cores))",
        "",
        "| phase | wall s | CPU s | CPU use | peak RSS MiB |",
        "|---|---|---|---|---|",
        *(f"| {p['name']} | {p['wall_s']:.1f} | {p['cpu_s']:.1f} | {100 * cpu_use(p['cpu_s'], p['wall_s']):.0f}% | "
          f"{p['peak_rss_mib']:.0f} |" for p in ours.get("phases", ())),
        "",
        (f"- First 5 clips rendered (complete files in the job's store) after: **{first:.1f} s**; all outputs "
         f"published into the output folder after {ours['wall_s']:.1f} s" if first is not None
         else "- First 5 clips: not reached"),
        f"- Clips: {ours['clips']}",
    ]
    if refs:
        lines += ["", "| reference | wall s | CPU s | CPU use | peak RSS MiB | ratio to our whole pipeline (wall) |",
                  "|---|---|---|---|---|---|"]
        for name, ref in refs.items():
            ratio = ref["wall_s"] / ours["wall_s"]
            peak = f"{ref['peak_rss_mib']:.0f}" if ref.get("peak_rss_mib") else "—"
            lines.append(f"| {name} | {ref['wall_s']:.1f} | {ref['cpu_s']:.1f} | "
                         f"{100 * cpu_use(ref['cpu_s'], ref['wall_s']):.0f}% | {peak} | {ratio:.2f} |")
        asr = refs.get("bare faster-whisper on the audio")
        if asr:
            analysis = next((p for p in ours.get("phases", ()) if p["name"].startswith("full analysis")), None)
            lines += ["", f"- **Whole job / bare faster-whisper: {ours['wall_s'] / asr['wall_s']:.2f}×** (wall; "
                          f"{ours['wall_s']:.1f} s / {asr['wall_s']:.1f} s)"
                      + (f"; the full analysis phase alone: {analysis['wall_s'] / asr['wall_s']:.2f}×" if analysis
                         else "")
                      + f". Bare faster-whisper kept {asr.get('speech_s', 0):.0f} s of audio after its VAD."]
    if naive:
        total = sum(p["wall_s"] for p in naive.values())
        lines += ["", "| naive pipeline part | wall s | CPU s |", "|---|---|---|"]
        lines += [f"| {name} | {p['wall_s']:.1f} | {p['cpu_s']:.1f} |" for name, p in naive.items()]
        lines += [f"| **naive total** | **{total:.1f}** | |", "",
                  f"- Speed-up of ours over the naive pipeline: **{total / ours['wall_s']:.2f}×**"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--hours", type=float)
    length.add_argument("--minutes", type=float)
    parser.add_argument("--speech", choices=SPEECH, default="dense",
                        help="dense: the demo's talk; sparse: one short pitch per scene, music and pauses between")
    parser.add_argument("--model", default=os.environ.get("MEDIAOPS_MODEL", "base"))
    parser.add_argument("--openai-model", help="openai-whisper checkpoint for the naive pipeline")
    parser.add_argument("--workdir", type=Path, help="keep the generated stream here (default: a temp folder)")
    parser.add_argument("--clips", type=int, default=5)
    parser.add_argument("--skip-references", action="store_true")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--openai-minutes", type=float,
                        help="run the naive openai-whisper on only the first N minutes and scale linearly")
    parser.add_argument("--reuse-ours", type=Path, help="JSON of an earlier run of ours (skip the pipeline)")
    parser.add_argument("--reuse-references", type=Path,
                        help="references_<recording>.json of an earlier run on the same machine and recording "
                             "(skip the reference points)")
    parser.add_argument("--no-write", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()
    hours = args.minutes / 60 if args.minutes else args.hours or 1.0
    label = (f"--minutes {args.minutes:g}" if args.minutes else f"--hours {hours:g}") + (
        f" --speech {args.speech}" if args.speech != "dense" else "")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="mediaops-bench-"))
    stream = build_long_stream(hours, work, args.speech)
    tag = stream.recording.stem  # one work folder can hold several recordings (lengths, speech)
    out = work / f"out_{tag}"
    if args.reuse_ours:
        ours = json.loads(args.reuse_ours.read_text())
    else:
        ours = run_ours(stream, out, args.model, args.clips)
        (work / f"ours_{tag}.json").write_text(json.dumps(ours, indent=2))
    print(json.dumps(ours, indent=2), flush=True)
    refs: dict = {}
    naive = None
    if args.reuse_references:  # reference points measured earlier on the same machine and recording
        saved = json.loads(args.reuse_references.read_text())
        refs, naive = saved["refs"], saved["naive"]
    elif not args.skip_references:
        refs["bare ffmpeg decode of the video"] = ref_ffmpeg_decode(stream)
        print(refs, flush=True)
        refs["bare faster-whisper on the audio"] = ref_whisper(stream, args.model)
        print(refs, flush=True)
        if not args.skip_naive:
            doc = json.loads((out / "timeline.json").read_text())
            spans = [(c["start_s"], c["end_s"]) for c in doc["clips"]]
            naive = naive_pipeline(stream, spans, args.openai_model, work, args.openai_minutes)
        (work / f"references_{tag}.json").write_text(json.dumps({"refs": refs, "naive": naive}, indent=2))
    text = render_markdown(label, stream, ours, refs, naive)
    if args.reuse_references:
        text += f"- Reference points reused from {args.reuse_references.name} (measured earlier on this machine).\n"
    print(text)
    if not args.no_write:
        with (REPO / "bench" / "RESULTS.md").open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
