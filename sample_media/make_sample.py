"""Regenerate the bundled demo livestream and its side files.

Usage: ``python sample_media/make_sample.py [--out DIR]`` (default: this folder).

Writes ``demo_stream.mp4`` (240 s, 640x360, 25 fps, H.264 + AAC mono), ``products.csv``, ``metrics.csv``,
``comments.jsonl`` and ``truth.json``. Everything is derived from the constants below and a fixed seed, so two
runs with the same ffmpeg and espeak-ng builds give identical files. Needs ``espeak-ng`` on PATH and ffmpeg
(taken from ``imageio-ffmpeg`` when that is installed, else from PATH); neither is needed at run time.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from dataclasses import dataclass, replace
from pathlib import Path

DURATION_S = 240
FPS = 25
WIDTH, HEIGHT = 640, 360
INTERVAL_S = 10
SEED = 20240611
SPEECH_VOICE = "en-us"
SPEECH_WPM = 145
SPEECH_RATE_HZ = 22050
AUDIO_RATE_HZ = 44100
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    aliases: tuple[str, ...]
    price: float
    color: str  # scene background, 0xRRGGBB


@dataclass(frozen=True)
class Scene:
    """One shot of the stream: [start_s, end_s) with its own background, captions and host lines."""

    key: str
    start_s: int
    end_s: int
    background: str  # lavfi source arguments without size, rate and duration
    title: str
    subtitle: str
    lines: tuple[str, ...]
    sku: str | None = None


@dataclass(frozen=True)
class Utterance:
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class MetricRow:
    t_s: int
    online_viewers: int
    comments: int
    likes: int
    orders: int
    gmv: float


PRODUCTS = (
    Product("SKU-BLENDER-01", "Turbo Blender", ("blender", "turbo blender"), 39.0, "0xE8590C"),
    Product("SKU-BLANKET-02", "Cozy Blanket", ("blanket", "cozy blankets"), 25.0, "0x1C7ED6"),
    Product("SKU-SERUM-03", "Glow Serum", ("serum", "glow serums"), 19.0, "0xC2255C"),
)
BY_SKU = {p.sku: p for p in PRODUCTS}


def price_tag(product: Product) -> str:
    """The on-screen price caption, e.g. ``ONLY $39``."""
    return f"ONLY ${product.price:g}"


SCENES = (
    Scene(
        key="intro",
        start_s=0,
        end_s=35,
        background="gradients=c0=0x2B1B63:c1=0x5F3DC4:x0=0:y0=0:x1=640:y1=360:seed=7:speed=0.005",
        title="LIVE SHOPPING",
        subtitle="Three deals today - stay tuned!",
        lines=(
            "Hello everyone, and welcome to the live stream!",
            "My name is Sam, and I will be your host tonight.",
            "Thank you so much for joining us today.",
            "We have three amazing products for you, with special prices only during this live show.",
            "Say hi in the comments, and tell us where you are watching from.",
            "Okay, let's get started with our first product.",
        ),
    ),
    Scene(
        key="turbo_blender",
        start_s=35,
        end_s=95,
        background=f"color=c={PRODUCTS[0].color}",
        title=PRODUCTS[0].name,
        subtitle=price_tag(PRODUCTS[0]),
        sku=PRODUCTS[0].sku,
        lines=(
            "Here it is, the Turbo Blender!",
            "This is the Turbo Blender, only 39 dollars today.",
            "It crushes ice in five seconds, and makes smoothies in no time.",
            "The Turbo Blender has six speeds, and the jar is easy to clean.",
            "Look at this. The motor is really powerful, but not too loud.",
            "The normal price is 79 dollars, so you save more than half.",
            "Click the link below to buy the Turbo Blender now.",
            "We only have two hundred in stock, so be quick.",
            "I see lots of orders coming in. Thank you!",
            "Yes, shipping is free, and there is a one year warranty.",
        ),
    ),
    Scene(
        key="cozy_blanket",
        start_s=95,
        end_s=175,
        background=f"color=c={PRODUCTS[1].color}",
        title=PRODUCTS[1].name,
        subtitle=price_tag(PRODUCTS[1]),
        sku=PRODUCTS[1].sku,
        lines=(
            "Next up, the Cozy Blanket!",
            "This is the Cozy Blanket, only 25 dollars.",
            "It is soft like a cloud, and it keeps you warm all night.",
            "It is machine washable, and it comes in two sizes.",
            "Click the link below to buy the Cozy Blanket.",
            "Someone asked if it is too heavy. No, it is light and soft.",
            "Oh look, my cat just walked in to say hello!",
            "She loves the Cozy Blanket too.",
            "Okay, back to the blanket. Thank you for all the likes.",
            "Let me answer a few more questions from the chat.",
            "The big size fits a queen bed.",
            "Delivery takes about three days.",
            "I use it every night on my sofa, and it is so warm.",
            "Remember, the price is 25 dollars only during the live stream.",
            "Stay with us, the last product is my favorite.",
        ),
    ),
    Scene(
        key="glow_serum",
        start_s=175,
        end_s=220,
        background=f"color=c={PRODUCTS[2].color}",
        title=PRODUCTS[2].name,
        subtitle=price_tag(PRODUCTS[2]),
        sku=PRODUCTS[2].sku,
        lines=(
            "And now, the Glow Serum!",
            "This is the Glow Serum, only 19 dollars.",
            "It makes your skin bright and smooth in one week.",
            "Put on two drops every morning and every night.",
            "I have used the Glow Serum for a month, and I love it.",
            "It is gentle, so it works for sensitive skin too.",
            "Click the link below to buy the Glow Serum now.",
            "Buy two, and get one free today.",
        ),
    ),
    Scene(
        key="outro",
        start_s=220,
        end_s=DURATION_S,
        background="gradients=c0=0x0B7285:c1=0x2B8A3E:x0=0:y0=360:x1=640:y1=0:seed=11:speed=0.005",
        title="THANKS FOR WATCHING",
        subtitle="See you next time!",
        lines=(
            "That is all for today's live stream.",
            "Thank you for watching, and thank you for your orders.",
            "The links stay open for one more hour.",
            "See you next time. Bye bye!",
        ),
    ),
)

DECOY_T_S = 130  # the metrics row whose likes spike while nothing happens on screen
LOWLIGHT_CENTER_S = 160.0  # centre of the dip in online viewers
ENGAGEMENT_PEAK_DELAY_S = 20.0  # comments/likes peak this long after a reveal
ORDER_PEAK_DELAY_S = 50.0  # orders peak this long after a reveal, within [30, 90] s
ORDER_WINDOW_S = (30.0, 90.0)


def find_ffmpeg() -> str:
    """Return an ffmpeg executable: imageio-ffmpeg's bundled one if importable, else the one on PATH."""
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except ImportError:
        found = shutil.which("ffmpeg")
        if found is None:
            sys.exit("ffmpeg not found: pip install imageio-ffmpeg or put ffmpeg on PATH")
        return found


def find_font() -> Path:
    """Return a bold sans TTF from a known location, or whatever fontconfig matches for ``sans:bold``."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    if shutil.which("fc-match"):
        out = subprocess.run(["fc-match", "-f", "%{file}", "sans:bold"], capture_output=True, text=True, check=True)
        if out.stdout and Path(out.stdout).is_file():
            return Path(out.stdout)
    sys.exit("no TTF font found: apt-get install -y fonts-dejavu-core")


def bump(t: float, center: float, sigma: float) -> float:
    """Gaussian bump, 1.0 at ``center``."""
    return math.exp(-((t - center) ** 2) / (2 * sigma**2))


def poisson(rng: random.Random, mean: float) -> int:
    """Draw from Poisson(mean) with Knuth's method (the means here are small) or a normal approximation."""
    if mean <= 0:
        return 0
    if mean > 60:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def hms(t_s: int) -> str:
    """Format whole seconds as ``HH:MM:SS``."""
    return f"{t_s // 3600:02d}:{t_s // 60 % 60:02d}:{t_s % 60:02d}"


def reveals() -> list[tuple[int, Product]]:
    """(reveal time, product) for every product scene, in stream order."""
    return [(s.start_s, BY_SKU[s.sku]) for s in SCENES if s.sku]


def synthesize_speech(work: Path, rng: random.Random) -> tuple[Path, list[tuple[str, list[Utterance]]]]:
    """Speak every scene's lines with espeak-ng and lay them on one DURATION_S mono track.

    Returns the WAV path and, per scene key, the utterances with their exact placement (see :func:`place_lines`).
    """
    track = array("h", bytes(2 * DURATION_S * SPEECH_RATE_HZ))
    placed: list[tuple[str, list[Utterance]]] = []
    for scene in SCENES:
        clips = [speak(text, work / f"{scene.key}_{i:02d}.wav") for i, text in enumerate(scene.lines)]
        utterances = place_lines(scene, [len(c) / SPEECH_RATE_HZ for c in clips], rng)
        for clip, utterance in zip(clips, utterances, strict=True):
            offset = round(utterance.start_s * SPEECH_RATE_HZ)
            track[offset : offset + len(clip)] = clip
        placed.append((scene.key, utterances))
    out = work / "speech.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SPEECH_RATE_HZ)
        if sys.byteorder == "big":
            track.byteswap()  # WAV data is little-endian
        w.writeframes(track.tobytes())
    return out, placed


def speak(text: str, wav: Path) -> array:
    """Synthesize ``text`` into ``wav`` and return its samples with leading/trailing silence trimmed."""
    subprocess.run(["espeak-ng", "-v", SPEECH_VOICE, "-s", str(SPEECH_WPM), "-w", str(wav), text], check=True)
    return trim_silence(read_wav(wav))


def place_lines(scene: Scene, durations: list[float], rng: random.Random) -> list[Utterance]:
    """Spread a scene's lines over the scene: the first starts just after the cut, the rest follow after
    seeded pauses of 0.6-3 s that share the free time, and the last ends at least 1 s before the next cut.
    Raises ValueError when the lines cannot fit.
    """
    lead = 1.5 if scene.start_s == 0 else 0.5
    free = scene.end_s - scene.start_s - lead - 1.0 - sum(durations)
    weights = [rng.uniform(0.7, 1.3) for _ in durations[1:]]
    gaps = [min(3.0, free * w / sum(weights)) for w in weights] if weights else []
    if any(g < 0.6 for g in gaps) or free < 0:
        raise ValueError(f"scene {scene.key!r}: {sum(durations):.1f}s of speech does not fit; shorten its lines")
    utterances: list[Utterance] = []
    cursor = scene.start_s + lead
    for i, (text, duration) in enumerate(zip(scene.lines, durations, strict=True)):
        start = round(cursor, 2)
        utterances.append(Utterance(start, round(start + duration, 2), text))
        cursor = start + duration + (gaps[i] if i < len(gaps) else 0.0)
    return utterances


def read_wav(path: Path) -> array:
    """Read a 16-bit mono WAV at SPEECH_RATE_HZ into native-endian samples."""
    with wave.open(str(path), "rb") as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, SPEECH_RATE_HZ):
            raise ValueError(f"{path}: expected 16-bit mono {SPEECH_RATE_HZ} Hz, got {w.getparams()}")
        samples = array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def trim_silence(samples: array, threshold: int = 200) -> array:
    """Drop leading and trailing samples quieter than ``threshold`` so placement times match the voice."""
    loud = [i for i, v in enumerate(samples) if abs(v) > threshold]
    return samples[loud[0] : loud[-1] + 1] if loud else samples


def build_filtergraph(work: Path) -> str:
    """Write the caption files into ``work`` and return the ``-filter_complex`` graph.

    Inputs 0..n-1 are the scene backgrounds, input n the moving square. Captions are read from files named
    relative to ``work`` (ffmpeg runs there), so no caption text needs filtergraph escaping.
    """
    font = "fontfile=font.ttf"
    chains: list[str] = []
    for i, scene in enumerate(SCENES):
        (work / f"title{i}.txt").write_text(scene.title, encoding="utf-8")
        (work / f"sub{i}.txt").write_text(scene.subtitle, encoding="utf-8")
        if scene.sku:
            (work / f"cta{i}.txt").write_text("Click the link below to buy", encoding="utf-8")
            initials = "".join(word[0] for word in scene.title.split())
            (work / f"icon{i}.txt").write_text(initials, encoding="utf-8")
            chains.append(
                f"[{i}:v]drawbox=x=40:y=70:w=230:h=230:color=white@0.9:t=fill,"
                f"drawbox=x=75:y=105:w=160:h=160:color=0x212529:t=fill,"
                f"drawtext={font}:textfile=icon{i}.txt:expansion=none:fontsize=72:fontcolor=white"
                f":x=155-text_w/2:y=185-text_h/2,"
                f"drawtext={font}:textfile=title{i}.txt:expansion=none:fontsize=34:fontcolor=white:x=300:y=100,"
                f"drawtext={font}:textfile=sub{i}.txt:expansion=none:fontsize=48:fontcolor=yellow:x=300:y=160,"
                f"drawtext={font}:textfile=cta{i}.txt:expansion=none:fontsize=20:fontcolor=white:x=300:y=245"
                f"[s{i}]"
            )
        else:
            chains.append(
                f"[{i}:v]drawtext={font}:textfile=title{i}.txt:expansion=none:fontsize=44:fontcolor=white"
                f":x=(w-text_w)/2:y=120,"
                f"drawtext={font}:textfile=sub{i}.txt:expansion=none:fontsize=26:fontcolor=white"
                f":x=(w-text_w)/2:y=195[s{i}]"
            )
    (work / "live.txt").write_text("LIVE", encoding="utf-8")
    (work / "clock.txt").write_text("%{pts:hms}", encoding="utf-8")
    n = len(SCENES)
    joined = "".join(f"[s{i}]" for i in range(n))
    chains.append(f"{joined}concat=n={n}:v=1:a=0[bg]")
    chains.append(
        f"[bg][{n}:v]overlay=x='20+(W-w-40)*(0.5+0.5*sin(t*0.7))':y=H-h-14:eof_action=pass,"
        "drawbox=x=0:y=0:w=iw:h=40:color=black@0.45:t=fill,"
        "drawbox=x=12:y=8:w=62:h=24:color=0xE03131:t=fill,"
        f"drawtext={font}:textfile=live.txt:expansion=none:fontsize=18:fontcolor=white:x=22:y=11,"
        f"drawtext={font}:textfile=clock.txt:fontsize=18:fontcolor=white:x=w-text_w-14:y=11,"
        "format=yuv420p[v]"
    )
    return ";".join(chains)


def render_video(ffmpeg: str, work: Path, font: Path, speech: Path, out: Path) -> None:
    """Encode the scenes, captions, moving square and speech into ``out`` (H.264 + AAC, faststart)."""
    shutil.copyfile(font, work / "font.ttf")
    size = f"{WIDTH}x{HEIGHT}"
    args = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y"]
    for scene in SCENES:
        args += ["-f", "lavfi", "-i", f"{scene.background}:s={size}:r={FPS}:d={scene.end_s - scene.start_s}"]
    args += ["-f", "lavfi", "-i", f"color=c=0xFFD43B:s=28x28:r={FPS}:d={DURATION_S}"]
    args += ["-i", str(speech.resolve())]
    args += ["-filter_complex", build_filtergraph(work), "-map", "[v]", "-map", f"{len(SCENES) + 1}:a"]
    args += ["-c:v", "libx264", "-preset", "medium", "-crf", "28", "-profile:v", "high", "-pix_fmt", "yuv420p"]
    args += ["-g", str(2 * FPS), "-r", str(FPS)]
    args += ["-c:a", "aac", "-b:a", "64k", "-ar", str(AUDIO_RATE_HZ), "-ac", "1"]
    args += ["-t", str(DURATION_S), "-map_metadata", "-1", "-fflags", "+bitexact", "-movflags", "+faststart"]
    args += [str(out.resolve())]
    subprocess.run(args, check=True, cwd=work)


def build_metrics(rng: random.Random) -> tuple[list[MetricRow], dict[int, dict[str, int]]]:
    """Per-interval metrics rows for [0, DURATION_S) and, per row time, the orders of each SKU.

    Row ``t`` covers [t, t + INTERVAL_S). Counts are drawn around a baseline; after each reveal comments and
    likes peak ENGAGEMENT_PEAK_DELAY_S later and orders peak ORDER_PEAK_DELAY_S later (only inside
    ORDER_WINDOW_S). The DECOY_T_S row gets a likes spike 25% above any other row with nothing else changing.
    online_viewers is a level sampled at ``t``: it climbs after each reveal and dips around LOWLIGHT_CENTER_S.
    """
    rows: list[MetricRow] = []
    orders_by_t: dict[int, dict[str, int]] = {}
    for t in range(0, DURATION_S, INTERVAL_S):
        mid = t + INTERVAL_S / 2
        surge = sum(bump(mid, r + ENGAGEMENT_PEAK_DELAY_S, 7.0) for r, _ in reveals())
        viewers = 140 + 0.15 * t + sum(45 / (1 + math.exp(-(t - r - 10) / 6)) for r, _ in reveals())
        viewers -= 70 * bump(t, LOWLIGHT_CENTER_S, 9.0)
        on_stage = next((BY_SKU[s.sku] for s in SCENES if s.sku and s.start_s <= t < s.end_s), None)
        per_sku: dict[str, int] = {}
        for r, product in reveals():
            lo, hi = r + ORDER_WINDOW_S[0], r + ORDER_WINDOW_S[1]
            mean = 14 * bump(mid, r + ORDER_PEAK_DELAY_S, 14.0) if lo <= mid <= hi else 0.0
            if product is on_stage:
                mean += 0.6
            per_sku[product.sku] = poisson(rng, mean)
        orders_by_t[t] = per_sku
        rows.append(
            MetricRow(
                t_s=t,
                online_viewers=max(0, round(viewers + rng.gauss(0, 3))),
                comments=poisson(rng, 6 + 48 * surge),
                likes=poisson(rng, 30 + 260 * surge),
                orders=sum(per_sku.values()),
                gmv=round(sum(n * BY_SKU[sku].price for sku, n in per_sku.items()), 2),
            )
        )
    top_other = max(r.likes for r in rows if r.t_s != DECOY_T_S)
    rows = [replace(r, likes=round(top_other * 1.25)) if r.t_s == DECOY_T_S else r for r in rows]
    return rows, orders_by_t


CHATTER = ("hi", "hello!", "哈哈", "666", "hello from Ohio", "first time here", "哈哈哈", "good evening", "❤️")
REACTIONS = ("how much?", "link please", "666", "wow", "is it on sale?", "want it!", "price?", "哈哈", "nice")
BUYING = ("bought!", "已拍", "just ordered", "paid!", "got two", "已下单", "ordered, thanks")


def comment_text(rng: random.Random, t_s: float, per_sku: dict[str, int]) -> str:
    """Pick a comment that fits the moment: reactions after a reveal, purchase notes while orders flow."""
    for r, product in reveals():
        if r <= t_s < r + 30:
            pool = (*REACTIONS, f"the {product.aliases[0]} looks great", f"{product.name}!")
            return rng.choice(pool)
    if sum(per_sku.values()) >= 3 and rng.random() < 0.6:
        return rng.choice(BUYING)
    return rng.choice(CHATTER + REACTIONS[:3])


def build_comments(rng: random.Random, rows: list[MetricRow], orders_by_t: dict[int, dict[str, int]]) -> list[dict]:
    """Exactly ``row.comments`` comments inside each row's interval, sorted by time, from a fixed user pool."""
    users = [
        f"{a}{b}_{rng.randint(10, 99)}" for a in ("mia", "leo", "ava", "kai", "zoe") for b in ("cat", "sun", "fox")
    ]
    comments: list[dict] = []
    for row in rows:
        times = sorted(round(rng.uniform(row.t_s, row.t_s + INTERVAL_S - 0.01), 2) for _ in range(row.comments))
        for t in times:
            text = comment_text(rng, t, orders_by_t[row.t_s])
            comments.append({"t_s": t, "user": rng.choice(users), "text": text})
    return comments


def write_products(path: Path) -> None:
    """Write ``sku,name,aliases,price,currency`` with aliases joined by ``|`` (the host says dollars)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["sku", "name", "aliases", "price", "currency"])
        for p in PRODUCTS:
            writer.writerow([p.sku, p.name, "|".join(p.aliases), f"{p.price:.2f}", "USD"])


def write_metrics(path: Path, rows: list[MetricRow]) -> None:
    """Write the metrics export with ``HH:MM:SS`` offsets."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["time", "online_viewers", "comments", "likes", "orders", "gmv"])
        for r in rows:
            writer.writerow([hms(r.t_s), r.online_viewers, r.comments, r.likes, r.orders, f"{r.gmv:.2f}"])


def build_truth(rows: list[MetricRow], speech: list[tuple[str, list[Utterance]]]) -> dict:
    """The facts tests can rely on: cuts, reveals, planted peaks and the spoken script with timings."""

    def peak_row(metric: str, lo: float, hi: float) -> int:
        """Time of the row with the most ``metric`` among rows whose midpoint lies in [lo, hi]."""
        window = [r for r in rows if lo <= r.t_s + INTERVAL_S / 2 <= hi]
        return max(window, key=lambda r: getattr(r, metric)).t_s

    spoken = dict(speech)
    return {
        "duration_s": DURATION_S,
        "fps": FPS,
        "width": WIDTH,
        "height": HEIGHT,
        "metrics_interval_s": INTERVAL_S,
        "metrics_row_covers": "[time, time + interval)",
        "scene_cuts_s": [float(s.start_s) for s in SCENES[1:]],
        "scenes": [
            {
                "key": s.key,
                "start_s": float(s.start_s),
                "end_s": float(s.end_s),
                "sku": s.sku,
                "lines": [{"start_s": u.start_s, "end_s": u.end_s, "text": u.text} for u in spoken[s.key]],
            }
            for s in SCENES
        ],
        "reveals": [
            {
                "t_s": float(r),
                "sku": p.sku,
                "name": p.name,
                "price": p.price,
                "comments_peak_row_s": peak_row("comments", r, r + ENGAGEMENT_PEAK_DELAY_S + 15),
                "likes_peak_row_s": peak_row("likes", r, r + ENGAGEMENT_PEAK_DELAY_S + 15),
                "orders_peak_row_s": peak_row("orders", r + ORDER_WINDOW_S[0], r + ORDER_WINDOW_S[1]),
            }
            for r, p in reveals()
        ],
        "decoy": {"t_s": float(DECOY_T_S), "metric": "likes", "scene_change": False},
        "lowlight": {"center_s": LOWLIGHT_CENTER_S, "metric": "online_viewers"},
    }


def main(argv: list[str] | None = None) -> None:
    """Regenerate every sample file into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output folder")
    out: Path = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng not found: apt-get install -y espeak-ng")
    ffmpeg, font = find_ffmpeg(), find_font()

    with tempfile.TemporaryDirectory(prefix="mediaops_sample_") as tmp:
        work = Path(tmp)
        speech_wav, speech = synthesize_speech(work, random.Random(SEED))
        render_video(ffmpeg, work, font, speech_wav, out / "demo_stream.mp4")

    rows, orders_by_t = build_metrics(random.Random(SEED + 1))
    write_products(out / "products.csv")
    write_metrics(out / "metrics.csv", rows)
    comments = build_comments(random.Random(SEED + 2), rows, orders_by_t)
    with (out / "comments.jsonl").open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in comments)
    truth = build_truth(rows, speech)
    (out / "truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote demo_stream.mp4, products.csv, metrics.csv, comments.jsonl, truth.json to {out}")


if __name__ == "__main__":
    main()
