"""Splitting Chinese and English text into words: jieba for Chinese, a regular expression for the rest."""

from __future__ import annotations

import functools
import logging
import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SPEECH_UNIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+(?:'[A-Za-z]+)?")

_ENGLISH_STOPWORDS = (
    "a an the it its it's is are was were be been am i i'm you your me my we our us he she they them this that "
    "these those so do does did to of and or in on at for with from by as if but not no yes oh ok okay just "
    "can will would could should there here what which who how very too also all please much"
)
STOPWORDS = frozenset(
    _ENGLISH_STOPWORDS.split()
    + list("的了吗呢啊吧呀哦嗯么是我你他她它这那就都也还和在有个把被给让")
    + ["这个", "那个", "我们", "你们", "他们", "一个", "什么", "怎么", "可以", "就是", "还是", "没有", "有没有"]
)


@functools.cache
def _tokenizer():
    import jieba

    # jieba prints its dictionary loading to stderr at DEBUG level; the report has no use for it
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` without punctuation, spaces or stop words (Chinese split by jieba)."""
    return list(_words(text))


@functools.lru_cache(maxsize=65_536)
def _words(text: str) -> tuple[str, ...]:
    # live chat repeats itself ("666", "多少钱"): each distinct text is segmented once
    lowered = text.lower()
    if not has_cjk(lowered):
        found = _LATIN_WORD.findall(lowered)
    else:
        found = [t for t in _tokenizer().lcut(lowered) if has_cjk(t) or _LATIN_WORD.fullmatch(t)]
    return tuple(w for w in found if w not in STOPWORDS)


def speech_units(text: str) -> int:
    """How many words a sentence has, counting each Chinese character as one (the usual 字/分钟 measure)."""
    return len(_SPEECH_UNIT.findall(text))
