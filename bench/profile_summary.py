"""Summarise a py-spy profile of a benchmark run: where the samples go, by our function and by library.

Record one with (``--idle`` keeps the threads that wait in native code, e.g. inside CTranslate2)::

    py-spy record --idle -r 20 -f raw -o profile.txt -- python bench/run.py --hours 1 --skip-references
    python bench/profile_summary.py profile.txt

Each sample is one thread's stack. Stacks whose innermost frame waits (a lock, a queue, a pipe read, a
future) are counted apart as "waiting", so the rest is where threads actually work (in Python or in the
native code below the frame).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^:()]+)(?::(?P<line>\d+))?\)$")
_WAITING = ("wait", "acquire", "result", "_wait_for_tstate_lock", "select", "poll", "sleep", "join", "get",
            "_recv", "readinto", "read", "communicate", "__exit__", "_worker")


def _parse(line: str) -> tuple[list[tuple[str, str]], int]:
    stack, _, count = line.rstrip("\n").rpartition(" ")
    frames = []
    for raw in stack.split(";"):
        match = _FRAME.match(raw)
        frames.append((match["func"], match["file"]) if match else (raw, ""))
    return frames, int(count)


def _library(file: str) -> str:
    if file.startswith("mediaops/"):
        return "mediaops (ours)"
    parts = Path(file).parts
    return parts[0] if parts else "?"


def summarise(path: Path, top: int = 25) -> str:
    ours: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    working = waiting = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        frames, count = _parse(line)
        leaf_func, leaf_file = frames[-1]
        if leaf_func.split(".")[-1] in _WAITING and not leaf_file.startswith(("faster_whisper", "ctranslate2")):
            waiting += count
            continue
        working += count
        deepest = next((f"{func} ({file})" for func, file in reversed(frames) if file.startswith("mediaops/")),
                       "outside mediaops")
        ours[deepest] += count
        leaves[f"{_library(leaf_file)}: {leaf_func}"] += count
    lines = [f"samples: {working} working, {waiting} waiting", "", "| our innermost function | share of work |",
             "|---|---|"]
    lines += [f"| {name} | {count / working:.1%} |" for name, count in ours.most_common(top)]
    lines += ["", "| innermost frame (library: function) | share of work |", "|---|---|"]
    lines += [f"| {name} | {count / working:.1%} |" for name, count in leaves.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path, help="py-spy record -f raw output")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(summarise(args.profile, args.top))


if __name__ == "__main__":
    main()
