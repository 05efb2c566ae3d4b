"""Long, gappy selling-stream audio built from the real recordings in ``../shared/testdata/speech``.

A live stream is not dense read speech: the host says a sentence, then there are 5–60 s of silence, room tone
or background music while the camera shows the product. This builds such a track (10+ minutes) from the real
sentences, with the known start, end and text of each, so that transcription can be scored on what real
streams look like: every sentence found, with and without product-name hints, and no stretch with speech in it
reported as speech-free.

The gaps are drawn so that all three kinds (silence, room tone, music) and both short (5–10 s) and long
(40–60 s) gaps occur in every corpus, including music right before and after a sentence.
"""

from __future__ import annotations

import json
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16_000
#: the English and Mandarin sentences (file → reference text) the corpora are made of
ENGLISH = ("jfk.flac", "librispeech-1995-1837-0001.wav", "hotwords.mp3")
MANDARIN = ("aishell-BAC009S0724W0121.wav", "aishell-BAC009S0764W0121.wav", "aishell-BAC009S0764W0122.wav",
            "paddlespeech-zh.wav")
#: the product-like name spoken in hotwords.mp3; given as a product hint in the tests
PRODUCT_NAME = "ComfyUI"


@dataclass(frozen=True)
class Sentence:
    start_s: float
    end_s: float
    text: str
    source: str


def _decode(path: Path) -> np.ndarray:
    import imageio_ffmpeg

    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-ac", "1", "-ar",
                          str(RATE), "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).copy()


def _gap(kind: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    n = int(seconds * RATE)
    if kind == "silence":
        return np.zeros(n, dtype=np.float32)
    if kind == "room":  # air conditioning and a distant street: low broadband noise, slowly varying
        noise = rng.normal(0.0, 1.0, n).astype(np.float32)
        smooth = np.convolve(noise, np.ones(8) / 8, mode="same")
        return (0.006 * smooth * (1 + 0.3 * np.sin(np.arange(n) / RATE * 0.7))).astype(np.float32)
    # background music: a chord every 2 s with a beat, well below the voice
    t = np.arange(n) / RATE
    chords = np.array([(220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6), (196.0, 246.9, 329.6)])
    which = (t // 2).astype(int) % len(chords)
    tone = sum(np.sin(2 * np.pi * np.cumsum(chords[which, voice]) / RATE) for voice in range(3))
    beat = 0.6 + 0.4 * (np.sin(2 * np.pi * 2.0 * t) > 0.7)
    return (0.03 * tone * beat).astype(np.float32)


def build_corpus(speech_dir: Path, out_wav: Path, language: str = "en", sentences: int = 22,
                 seed: int = 7) -> list[Sentence]:
    """Write a mono 16 kHz WAV of ``sentences`` real sentences separated by 5–60 s gaps; returns the truth.

    The truth (start, end, reference text of each sentence) is also written next to it as ``.json``.
    """
    from scipy.io import wavfile

    truth_doc = json.loads((speech_dir.parent / "truth.json").read_text("utf-8"))["speech"]
    names = ENGLISH if language == "en" else MANDARIN
    texts = {n: truth_doc[f"speech/{n}"].get("text") or PRODUCT_NAME for n in names}
    clips = {n: _decode(speech_dir / n) for n in names}
    rng = np.random.default_rng(seed)
    order = random.Random(seed)
    kinds = ["silence", "room", "music"]
    lengths = [5.0, 8.0, 12.0, 20.0, 30.0, 45.0, 60.0]
    parts: list[np.ndarray] = [_gap("room", 3.0, rng)]
    truth: list[Sentence] = []
    at = 3.0
    for index in range(sentences):
        name = names[index % len(names)] if index < len(names) else order.choice(names)
        clip = clips[name]
        truth.append(Sentence(round(at, 3), round(at + len(clip) / RATE, 3), texts[name], name))
        parts.append(clip)
        at += len(clip) / RATE
        gap = _gap(kinds[index % 3], lengths[index % len(lengths)] if index < 2 * len(lengths)
                   else order.uniform(5.0, 60.0), rng)
        parts.append(gap)
        at += len(gap) / RATE
    audio = np.concatenate(parts)
    out_wav.parent.mkdir(parents=True, exist_ok=True)
    wavfile.write(out_wav, RATE, (np.clip(audio, -1, 1) * 32767).astype(np.int16))
    out_wav.with_suffix(".json").write_text(json.dumps([s.__dict__ for s in truth], ensure_ascii=False), "utf-8")
    return truth


def write_wav(path: Path, audio: np.ndarray) -> Path:
    """``audio`` (float, 16 kHz mono) as a 16-bit WAV at ``path``."""
    from scipy.io import wavfile

    path.parent.mkdir(parents=True, exist_ok=True)
    wavfile.write(path, RATE, (np.clip(audio, -1, 1) * 32767).astype(np.int16))
    return path


def gap(kind: str, seconds: float, seed: int = 7) -> np.ndarray:
    """``seconds`` of ``"silence"``, ``"room"`` tone or background ``"music"`` (as between the corpus's sentences)."""
    return _gap(kind, seconds, np.random.default_rng(seed))


def speech(name: str, speech_dir: Path) -> np.ndarray:
    """The recording ``name`` of the speech folder as 16 kHz mono float samples."""
    return _decode(speech_dir / name)


def mux_recording(out: Path, tracks: list[Path], size: str = "160x90", fps: int = 5) -> Path:
    """A video (a grey picture, ``fps`` frames a second) as long as the longest of ``tracks`` (audio files), with
    each of them as an AAC audio track in the order given: a recording as OBS writes several tracks."""
    import imageio_ffmpeg

    inputs = [a for track in tracks for a in ("-i", str(track))]
    maps = [a for i in range(len(tracks)) for a in ("-map", f"{i + 1}:a:0")]
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"color=c=gray:s={size}:r={fps}", *inputs, "-map", "0:v:0", *maps, "-shortest", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", str(out)],
                   check=True, capture_output=True)
    return out


def sentences_in(audio_json: Path) -> list[Sentence]:
    """The truth :func:`build_corpus` wrote beside its WAV."""
    return [Sentence(**s) for s in json.loads(audio_json.read_text("utf-8"))]


# --- scoring --------------------------------------------------------------------------------------------------------

#: a recognised word belongs to a sentence when its middle lies within this many seconds of it (Whisper's word
#: times drift by up to a second after long pauses).
WORD_SLACK_S = 1.5


@dataclass(frozen=True)
class CorpusScore:
    """How a transcript of a corpus did.

    ``error_rate`` is the WER (English) or CER (Mandarin) over the sentences with a reference text, every word
    recognised outside all sentences counted as an insertion. ``longest_gap_s`` is the longest stretch without a
    recognised word (the edges included) and ``longest_silence_s`` the longest real one. ``unheard`` lists the
    starts of sentences that lie mostly in a stretch without recognised words: speech reported as speech-free.
    """

    sentences: int
    found: int
    missing: tuple[float, ...]
    error_rate: float
    longest_gap_s: float
    longest_silence_s: float
    unheard: tuple[float, ...]
    named: int  # sentences of hotwords.mp3 in which the product name is written as given
    name_sentences: int

    @property
    def recall(self) -> float:
        return self.found / self.sentences


def _words(transcript) -> list[tuple[float, float, str]]:
    out = []
    for segment in transcript.segments:
        pieces = [(w.start_s, w.end_s, w.text) for w in segment.words] or [(segment.start_s, segment.end_s,
                                                                             segment.text)]
        out += [p for p in pieces if p[2].strip()]
    return sorted(out)


def score_transcript(transcript, truth: list[Sentence], duration_s: float, language: str) -> CorpusScore:
    """Score ``transcript`` against the corpus ``truth`` (see :class:`CorpusScore`)."""
    from tests.test_transcribe_accuracy import chinese_characters, edit_distance, english_words

    tokens = chinese_characters if language == "zh" else english_words
    joiner = "" if language == "zh" else " "
    words = _words(transcript)
    owner = [next((i for i, s in enumerate(truth) if s.start_s - WORD_SLACK_S <= (a + b) / 2 <= s.end_s + WORD_SLACK_S),
                  None) for a, b, _t in words]
    edits = reference = found = named = 0
    missing = []
    for i, sentence in enumerate(truth):
        said = joiner.join(t for (_a, _b, t), o in zip(words, owner, strict=True) if o == i)
        if sentence.source == "hotwords.mp3":  # no reference text: found when it has words; named when spelled
            ok = len(english_words(said)) >= 4
            named += PRODUCT_NAME in said
        else:
            ref = tokens(sentence.text)
            distance = edit_distance(tokens(said), ref)
            edits += distance
            reference += len(ref)
            ok = distance <= 0.5 * len(ref)
        found += ok
        if not ok:
            missing.append(sentence.start_s)
    edits += sum(len(tokens(t)) for (_a, _b, t), o in zip(words, owner, strict=True) if o is None)
    longest_gap, cursor = 0.0, 0.0
    for a, b, _t in [*words, (duration_s, duration_s, "")]:
        longest_gap = max(longest_gap, a - cursor)
        cursor = max(cursor, b)
    real = [0.0] + [x for s in truth for x in (s.start_s, s.end_s)] + [duration_s]
    longest_silence = max(real[k + 1] - real[k] for k in range(0, len(real) - 1, 2))
    unheard = []
    for sentence in truth:
        heard = sum(max(0.0, min(b + 0.5, sentence.end_s) - max(a - 0.5, sentence.start_s)) for a, b, _t in words)
        if heard < 0.5 * (sentence.end_s - sentence.start_s):
            unheard.append(sentence.start_s)
    return CorpusScore(len(truth), found, tuple(missing), edits / max(1, reference), round(longest_gap, 2),
                       round(longest_silence, 2), tuple(unheard), named,
                       sum(s.source == "hotwords.mp3" for s in truth))
