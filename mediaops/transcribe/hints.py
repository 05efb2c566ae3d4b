"""Product names written as in the product list, without letting them change anything else in the transcript.

Why the names are not given to the decoder: with hot words (faster-whisper's ``hotwords``, openai-whisper's
initial prompt) in the prompt, Whisper's decoder changes more than the names. When VAD packs several stretches
of speech into one 30 s decoding window, a hinted decoder now and then writes one long segment with a single
closing timestamp; Whisper then moves on to the end of the window and the rest of it is never decoded (a
12-minute gappy corpus lost 2 of 22 sentences, and the stretch was reported as speech-free). On the demo stream
the hints also took punctuation, sentence breaks and words away and moved a sentence start by 28 s; even with
greedy decoding only (``TranscribeOptions.temperatures``) they still change the segmentation (31 segments
instead of 32 on the corpus).

So recognition runs without hints (the sentences, words, punctuation and times are those of a run without a
product list, by construction) and the names are applied to the recognised words afterwards:

* **exact**: words that read like a name once case, spaces and punctuation are set aside (``cozy blanket``,
  ``Comfy UI``) are written as the name (``Cozy Blanket``, ``ComfyUI``);
* **near miss**: words that read or sound like a name (letters three quarters alike, or half alike with the
  same consonant skeleton, :func:`sound_key`; for Chinese, as many characters with at least half of them the
  same) are checked by ear: only that segment's audio is recognised again with the near-missed names as hints,
  and the words are replaced by the name only if the hinted recognition writes exactly the name in their place
  with the words on either side unchanged. Everything else of the hinted recognition is discarded.

Only the matched words change: the name takes the first matched word's start and the last one's end, and keeps
the punctuation around it, so word times stay consistent and nothing else moves.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from mediaops.media.audio import SAMPLE_RATE_HZ
from mediaops.transcribe.chinese import to_simplified
from mediaops.transcribe.engine import Engine
from mediaops.transcribe.options import TranscribeOptions, hotword_text
from mediaops.types import Segment, Word

#: a near miss of a Latin name: letters at least this alike (difflib ratio) …
NEAR_LETTERS = 0.75
#: … or the same consonant skeleton with letters at least this alike.
NEAR_LETTERS_SAME_SOUND = 0.5
#: Latin names shorter than this many letters (and Chinese names shorter than this many characters, see below)
#: are only ever matched exactly: too many ordinary words are one letter away from them.
MIN_NEAR_LETTERS = 4
MIN_NEAR_CJK = 3
#: a re-recognised segment must read at least this much like the first recognition (token ratio) to be a witness.
MIN_WITNESS_RATIO = 0.5
#: audio kept on each side of a segment when it is recognised again with hints.
REDECODE_PAD_S = 0.4
#: a hinted recognition of a short stretch can loop on the padding after its speech ("这位置，车车车…", 448 tokens:
#: 10–20 s of CPU); it is cut at twice the segment's characters (at most this many tokens), and loops are ignored.
MAX_REDECODE_TOKENS = 200
LOOP_COMPRESSION_RATIO = 2.4

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: consonant classes of the sound key: letters that Whisper confuses in names map to one symbol.
_SOUND_DIGRAPHS = (("ph", "f"), ("ck", "k"), ("qu", "k"), ("sch", "s"), ("sh", "s"), ("ch", "k"), ("th", "t"),
                   ("gh", ""), ("x", "ks"))
_SOUND_CLASSES = str.maketrans({**dict.fromkeys("ckqgj", "k"), **dict.fromkeys("bp", "p"), **dict.fromkeys("dt", "t"),
                                **dict.fromkeys("fv", "f"), **dict.fromkeys("sz", "s"), **dict.fromkeys("mn", "n"),
                                **dict.fromkeys("aeiouyhw", "")})


@functools.lru_cache(maxsize=4096)
def sound_key(letters: str) -> str:
    """A rough consonant skeleton of Latin ``letters`` (lower case): vowels dropped, letters Whisper mixes up in
    names merged (m/n, b/p, d/t, c/k/g, s/z, f/v/ph), repeats collapsed. ``comfyui``, ``confu i`` and
    ``confu-eye`` all give ``knf``."""
    text = letters.lower()
    for digraph, sound in _SOUND_DIGRAPHS:
        text = text.replace(digraph, sound)
    text = text.translate(_SOUND_CLASSES)
    return re.sub(r"(.)\1+", r"\1", text)


def _is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


@dataclass(frozen=True, slots=True)
class _Token:
    """A run of Latin letters or digits, or one CJK character, folded (lower case, Simplified), with where its first
    and last characters are: ``(word index, character index in the word's text)``."""

    text: str
    first: tuple[int, int]
    last: tuple[int, int]


def _folded_chars(text: str) -> list[str]:
    """Each character of ``text`` folded for comparison: Simplified, NFKC, lower case (one character each)."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        simplified = "".join(to_simplified(c) or c for c in text)
    out = []
    for char in simplified:
        folded = unicodedata.normalize("NFKC", char).lower()
        out.append(folded if len(folded) == 1 else char.lower())
    return out


def tokens_of(texts: Sequence[str]) -> list[_Token]:
    """The tokens of consecutive word ``texts``: Latin letter/digit runs (never across words) and CJK characters."""
    tokens: list[_Token] = []
    for w, text in enumerate(texts):
        run: list[str] = []
        run_first = (w, 0)
        for c, char in enumerate(_folded_chars(text)):
            if _is_cjk(char) or not char.isalnum():
                if run:
                    tokens.append(_Token("".join(run), run_first, (w, c - 1)))
                    run = []
                if _is_cjk(char):
                    tokens.append(_Token(char, (w, c), (w, c)))
                continue
            if not run:
                run_first = (w, c)
            run.append(char)
        if run:
            tokens.append(_Token("".join(run), run_first, (w, len(text) - 1)))
    return tokens


@dataclass(frozen=True, slots=True)
class Hint:
    """A product name or alias as written, and its folded tokens."""

    name: str
    tokens: tuple[str, ...]
    joined: str
    chinese: bool


def make_hints(names: Iterable[str]) -> list[Hint]:
    """The hints for ``names`` (product names and aliases, in priority order), blanks and repeats dropped."""
    hints = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        tokens = tuple(t.text for t in tokens_of([name]))
        if tokens:
            hints.append(Hint(name, tokens, "".join(tokens), any(_is_cjk(t) for t in tokens)))
    return hints


@dataclass(frozen=True, slots=True)
class Match:
    """Tokens ``[start, end)`` of a segment that may be ``hint``; ``exact`` when they read the same."""

    start: int
    end: int
    hint: Hint
    exact: bool
    similarity: float


def _near_chinese(window: Sequence[str], hint: Hint) -> float | None:
    """Share of ``hint``'s characters ``window`` (as many tokens) has in the same places, if at least half."""
    same = sum(a == b for a, b in zip(window, hint.tokens, strict=True))
    return same / len(hint.tokens) if same >= math.ceil(len(hint.tokens) / 2) else None


def find_matches(tokens: Sequence[str], hints: Sequence[Hint]) -> list[Match]:
    """Every window of ``tokens`` (within two tokens of a hint's length) that reads as one of ``hints`` (exact) or
    is a near miss of it: for a Latin name, letters at least :data:`NEAR_LETTERS` alike, or
    :data:`NEAR_LETTERS_SAME_SOUND` alike with the same :func:`sound_key`; for a Chinese name, as many characters
    with at least half of them the same."""
    found: list[Match] = []
    windows: dict[int, list[tuple[int, int, str]]] = {}  # token count -> (start, end, joined)
    longest = max((len(h.tokens) for h in hints), default=0) + 2
    for length in range(1, min(longest, len(tokens)) + 1):
        windows[length] = [(i, i + length, "".join(tokens[i : i + length])) for i in range(len(tokens) - length + 1)]
    counts: dict[str, Counter[str]] = {}
    for hint in hints:
        size, name, chinese = len(hint.tokens), hint.joined, hint.chinese
        near_latin = not chinese and len(name) >= MIN_NEAR_LETTERS
        matcher = difflib.SequenceMatcher(None, "", hint.joined, autojunk=False)  # hint indexed once
        hint_key = sound_key(hint.joined) if near_latin else ""
        not_in_name = str.maketrans("", "", "".join(set(name)))
        name_counts = Counter(name)
        for length in range(max(1, size - 2), size + 3):
            for start, end, joined in windows.get(length, ()):
                if joined == name:
                    found.append(Match(start, end, hint, True, 1.0))
                elif chinese:
                    if length == size >= MIN_NEAR_CJK and (share := _near_chinese(tokens[start:end], hint)):
                        found.append(Match(start, end, hint, False, share))
                elif near_latin and 0.5 <= len(joined) / len(name) <= 2.0 and not _CJK.search(joined):
                    # the window's letters that occur in the name bound the ratio from above: most windows stop
                    # here, after one C-level pass
                    shared = min(len(name), len(joined) - len(joined.translate(not_in_name)))
                    if 2 * shared / (len(joined) + len(name)) < NEAR_LETTERS_SAME_SOUND:
                        continue
                    letters = counts.get(joined) or counts.setdefault(joined, Counter(joined))
                    shared = sum(min(n, name_counts[c]) for c, n in letters.items())
                    bound = 2 * shared / (len(joined) + len(name))
                    if bound < NEAR_LETTERS_SAME_SOUND:
                        continue
                    same_sound = len(hint_key) >= 2 and sound_key(joined) == hint_key
                    if not same_sound and bound < NEAR_LETTERS:
                        continue
                    matcher.set_seq1(joined)
                    ratio = matcher.ratio()
                    if ratio >= NEAR_LETTERS or (same_sound and ratio >= NEAR_LETTERS_SAME_SOUND):
                        found.append(Match(start, end, hint, False, ratio))
    return found


def _overlaps(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end


def _non_overlapping(matches: Iterable[Match], order: Sequence[Hint]) -> list[Match]:
    """The matches to apply: exact before near, more tokens first, then the hint listed first; none overlapping."""
    rank = {h.name: i for i, h in enumerate(order)}
    chosen: list[Match] = []
    for match in sorted(matches, key=lambda m: (not m.exact, -(m.end - m.start), rank[m.hint.name], m.start)):
        if not any(_overlaps(match, kept) for kept in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.start)


def witnessed(match: Match, tokens: Sequence[str], hinted: Sequence[str]) -> bool:
    """Whether a recognition with hints (``hinted`` tokens) writes exactly ``match.hint`` where ``tokens`` has the
    near miss, with the tokens on either side of it unchanged."""
    matcher = difflib.SequenceMatcher(None, list(tokens), list(hinted), autojunk=False)
    if matcher.ratio() < MIN_WITNESS_RATIO:
        return False
    inside: list[int] = []
    # difflib merges neighbouring changes into one block, so a change to the words on either side of the near miss
    # shows as a block reaching beyond it
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lo, hi = max(i1, match.start), min(i2, match.end)
            if lo < hi:
                inside += [j1 + lo - i1, j1 + hi - i1]
        elif tag == "insert" and match.start < i1 < match.end:
            inside += [j1, j2]
        elif i1 < match.end and match.start < i2:
            if i1 < match.start or i2 > match.end:
                return False  # the hinted text differs beyond the near miss
            inside += [j1, j2]
    if not inside:
        return False
    return "".join(hinted[min(inside):max(inside)]) == match.hint.joined


def _surface(hint: Hint, original: str) -> str:
    """How to write ``hint`` in place of ``original``: as listed, but a name listed in lower case (an alias such as
    ``blender``) keeps a capital the recognised word had at the start."""
    if hint.name != hint.name.lower():
        return hint.name
    if original[:1].isupper():
        return hint.name[:1].upper() + hint.name[1:]
    return hint.name


def _rewrite_text(text: str, replaced: list[tuple[list[str], str]], words: Sequence[Word]) -> str:
    """``text`` with each matched stretch (its folded characters) replaced by its name, in order; where a stretch
    cannot be found (the text was tidied differently), the text is rebuilt from ``words``."""
    simplified = to_simplified(text)
    searched = simplified if len(simplified) == len(text) else text
    out, cursor = [], 0
    for chars, name in replaced:
        pattern = r"[\W_]*".join(re.escape(c) for c in chars)
        found = re.compile(pattern, re.IGNORECASE).search(searched, cursor)
        if found is None:  # Whisper's words join to its text; the Chinese tidying keeps their characters
            return "".join(w.text for w in words).strip()
        out += [text[cursor:found.start()], name]
        cursor = found.end()
    out.append(text[cursor:])
    return "".join(out)


def apply_matches(segment: Segment, tokens: Sequence[_Token], matches: Sequence[Match]) -> Segment:
    """``segment`` with the words of each match (non-overlapping, in order) written as its hint: the matched words
    become one word from the first one's start to the last one's end, keeping what stood before and after the
    match in those words (a leading space, punctuation)."""
    words = list(segment.words)
    new_words: list[Word] = []
    replaced: list[tuple[list[str], str]] = []
    next_word = 0
    for match in matches:
        (w_first, c_first), (w_last, c_last) = tokens[match.start].first, tokens[match.end - 1].last
        original = "".join(w.text for w in words[w_first : w_last + 1])
        start_in_joined = c_first
        end_in_joined = sum(len(w.text) for w in words[w_first:w_last]) + c_last + 1
        surface = original[start_in_joined:end_in_joined]
        name = _surface(match.hint, surface)
        if name == surface:
            continue
        new_words += words[next_word:w_first]
        span = words[w_first : w_last + 1]
        new_words.append(Word(span[0].start_s, span[-1].end_s,
                              original[:start_in_joined] + name + original[end_in_joined:],
                              min(w.probability for w in span)))
        replaced.append(([c for c in "".join(_folded_chars(surface)) if c.isalnum()], name))
        next_word = w_last + 1
    if not replaced:
        return segment
    new_words += words[next_word:]
    return replace(segment, words=tuple(new_words), text=_rewrite_text(segment.text, replaced, new_words))


#: recognises a segment's audio again with the given names as hints
Redecode = Callable[[Segment, Sequence[str]], list[Segment]]


def _repetitive(text: str) -> bool:
    """Whether ``text`` is a decoding loop ("车车车车…"): Whisper's own test, a zlib compression ratio over 2.4."""
    data = text.encode("utf-8")
    return len(data) > 0 and len(data) / len(zlib.compress(data)) > LOOP_COMPRESSION_RATIO


def apply_hints(segments: Sequence[Segment], hints: Sequence[Hint], redecode: Redecode | None = None) -> list[Segment]:
    """``segments`` with product names written as in ``hints`` where the recognised words are the name (exact) or a
    near miss of it confirmed by ``redecode(segment, names)`` (the segment's audio recognised again with those
    names as hints; what it writes outside the segment's time, and decoding loops, are not looked at). Without
    ``redecode`` only exact matches are applied. Segments with no match are returned as they are (the same
    objects)."""
    if not hints:
        return list(segments)
    out = []
    for segment in segments:
        tokens = tokens_of([w.text for w in segment.words])
        texts = [t.text for t in tokens]
        matches = find_matches(texts, hints)
        exact = [m for m in matches if m.exact]
        near = [m for m in matches if not m.exact and not any(_overlaps(m, e) for e in exact)]
        accepted = exact
        if near and redecode is not None:
            names = list(dict.fromkeys(m.hint.name for m in near))
            hinted = [s for s in redecode(segment, names) if s.end_s > segment.start_s - REDECODE_PAD_S
                      and s.start_s < segment.end_s + REDECODE_PAD_S and not _repetitive(s.text)]
            hinted_tokens = [t.text for s in hinted for t in tokens_of([w.text for w in s.words] or [s.text])]
            accepted = exact + [m for m in near if witnessed(m, texts, hinted_tokens)]
        out.append(apply_matches(segment, tokens, _non_overlapping(accepted, hints)) if accepted else segment)
    return out


@dataclass(frozen=True)
class TrackRedecoder:
    """Recognises stretches of one track of a window again, with given names as hot words (see :data:`Redecode`)."""

    engine: Engine
    track: np.ndarray
    offset_s: float
    language: str | None
    prompt: str | None
    check_cancelled: Callable[[], None]
    options: TranscribeOptions

    def __call__(self, segment: Segment, names: Sequence[str]) -> list[Segment]:
        first = max(0, int((segment.start_s - REDECODE_PAD_S - self.offset_s) * SAMPLE_RATE_HZ))
        last = min(len(self.track), int((segment.end_s + REDECODE_PAD_S - self.offset_s) * SAMPLE_RATE_HZ))
        if last - first < SAMPLE_RATE_HZ // 10:
            return []
        hotwords = hotword_text(replace(self.options, hotwords=tuple(names)))
        self.check_cancelled()
        return self.engine.transcribe_window(
            np.ascontiguousarray(self.track[first:last]), self.offset_s + first / SAMPLE_RATE_HZ, self.language,
            self.prompt, hotwords, check_cancelled=self.check_cancelled,
            max_tokens=min(MAX_REDECODE_TOKENS, 16 + 2 * len(segment.text)),
        )
