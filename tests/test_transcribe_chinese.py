"""Mandarin text tidying: Simplified characters, full-width punctuation, Latin product names untouched."""

import pytest

from mediaops.transcribe.chinese import tidy_chinese, tidy_segment
from mediaops.types import Segment, Word


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("我認為跑步最重要的就是,給我帶來了身體健康.", "我认为跑步最重要的就是，给我带来了身体健康。"),
        ("1-2線城市 雖然也處於調整中?", "1-2线城市虽然也处于调整中？"),
        ("我們用 ComfyUI 和 iPhone 15 Pro ,價格 3.5 元!", "我们用 ComfyUI 和 iPhone 15 Pro，价格 3.5 元！"),
        ("雅詩蘭黛 Estée Lauder 小棕瓶", "雅诗兰黛 Estée Lauder 小棕瓶"),
        ("Hello, world.", "Hello, world."),
    ],
    ids=["traditional-and-commas", "spaces-between-characters", "latin-names-kept", "brand-names", "english"],
)
def test_tidy_chinese(raw: str, tidy: str) -> None:
    assert tidy_chinese(raw) == tidy


def test_tidy_segment_converts_words_too() -> None:
    segment = Segment(0.0, 1.0, "廣州 ,", words=(Word(0.0, 0.5, "廣州"), Word(0.5, 0.6, ",")))
    tidied = tidy_segment(segment)
    assert tidied.text == "广州，"
    assert [w.text for w in tidied.words] == ["广州", "，"]
