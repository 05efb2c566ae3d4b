"""Clip reasons as data (code + numbers) and their words in Chinese and English.

Wrong implementations these tests reject:
- a reason code the Chinese (or English) wording does not know, so that a clip's reason vanishes or shows its
  code name (every code is worded, in both languages, with no Latin letters in Chinese beyond the inputs' names);
- statistics jargon in the words (σ, "baseline", z-scores) or the numbers lost from the records;
- the export's comments and the comment log's rate said twice, as if they were two reactions;
- a code from a newer version shown by its name instead of being left out;
- a timeline written before records existed read back as nothing (its English reasons must become records, and
  so Chinese words), or records that do not survive ``timeline.json`` and the live state (lists come back as
  lists, no longer equal to the tuples written);
- a live ``clip`` event whose ``reasons`` are English in a Chinese run, that lacks the records, or whose clip,
  read back after a restart, keeps the event's Chinese text in the English ``reasons`` of the timeline.
"""

from __future__ import annotations

import json
import re

import pytest

from mediaops.analysis import reasons as why
from mediaops.analysis.reasons import describe_reasons, parse_legacy_reasons, reasons_of, reasons_text
from mediaops.serialize import decode, encode, to_jsonable
from mediaops.timeline import timeline_from_dict, timeline_to_dict, validate_timeline
from mediaops.types import Clip, Highlight, MediaInfo, Reason, Timeline

#: one record of every code, with names from the inputs (a product, a sentence, a cue) that may stay Latin.
INPUT_WORDS = {"Turbo", "Blender", "SKU-1", "Here", "it", "is", "This", "blender", "crushes", "ice", "custom"}
EVERY_CODE = [
    why.engagement_surge("comments", 8.1, 6.2),
    why.engagement_surge("likes", 10.4, 10.0),
    why.engagement_surge("keyword_link", 7.0),
    why.engagement_surge("keyword_hype", 4.4),
    why.engagement_surge("keyword_bought", 3.0),
    why.engagement_surge("keyword_custom", 3.0, 2.4),
    why.engagement_surge("gifts", 3.3, 4.0),
    why.engagement_surge("shares", 3.3, 4.0),
    why.engagement_surge("new_followers", 3.3, 4.0),
    why.engagement_surge("viewers_entered", 3.3, 4.0),
    why.viewers_rising(174.0, 2.3),
    why.engagement_score(3.2),
    why.scene_cut_before(35.0, 43.0),
    why.scene_cut_before_row(95.0, 100.0, 110.0, 10.0),
    why.only_cut(),
    why.chosen_over([80.0, 88.5], ["transcript", "timing", "row_structure", "visual"]),
    why.start_cue("call_to_action", "Here it is", 95.2),
    why.start_cue("pitch_start", "Here it is", 95.2),
    why.start_cue("product", "Here it is", 95.2),
    why.start_cue("presentation", "Here it is", 95.2),
    why.no_scene_cut(20.0, 107.0, 90.0, 0.5),
    why.sentence_end(125.36, "This blender crushes ice."),
    why.no_sentence_end(60.0, 90.0, 80.0),
    why.product_pitch("SKU-1", "Turbo Blender"),
]
CODES = {"engagement_surge", "viewers_rising", "engagement_score", "scene_cut_before", "scene_cut_before_row",
         "only_cut", "chosen_over", "start_cue", "no_scene_cut", "sentence_end", "no_sentence_end", "product_pitch"}


def latin(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z0-9'-]*", text)) - INPUT_WORDS


def test_the_issue_example_in_both_languages() -> None:
    records = [why.engagement_surge("comments", 7.1, 6.2), why.engagement_surge("likes", 10.4, 10.0),
               why.scene_cut_before(35.0, 43.0)]
    assert reasons_text(records, "zh") == "评论是平时的 6 倍，点赞是 10 倍；画面在观众反应前 8 秒切换"
    assert reasons_text(records, "en") == ("comments 6× their usual level, likes 10×; the picture changed 8 s before "
                                           "viewers reacted")


def test_every_code_is_worded_in_both_languages_without_jargon() -> None:
    assert {r.code for r in EVERY_CODE} == CODES
    for record in EVERY_CODE:
        for lang in ("zh", "en"):
            (text,) = describe_reasons([record], lang)
            assert text, (record, lang)
            assert record.code not in text, (record, lang)
            for jargon in ("σ", "baseline", "z=", "z-score", "基线", "标准差"):
                assert jargon not in text, (record, lang, text)
        assert latin(describe_reasons([record], "zh")[0]) == set(), record
    # the numbers stay in the records, rounded no further than the wording needs
    assert EVERY_CODE[0].params == {"metric": "comments", "z": 8.1, "ratio": 6.2}
    assert EVERY_CODE[13].params == {"cut_s": 95.0, "onset_low_s": 100.0, "onset_high_s": 110.0, "row_s": 10.0}


def test_numbers_in_the_words() -> None:
    zh = reasons_text([why.engagement_surge("likes", 9.1, 2.44), why.viewers_rising(174.4, 2.3),
                       why.scene_cut_before(95.0, 107.0), why.chosen_over([80.0], ["transcript"]),
                       why.start_cue("call_to_action", "上链接", 95.2)], "zh")
    assert zh == ("点赞是平时的 2.4 倍，在线人数每分钟增加 174 人；画面在观众反应前 12 秒切换，没有选 0:01:20 的切换，"
                  "依据是主播说的话，主播此时说“上链接”（催单）")
    en = reasons_text([why.no_scene_cut(20.0, 107.0, 90.0, 0.5), why.no_sentence_end(90.0, 150.0, 120.0)], "en")
    assert en == ("the picture did not change in the 20 s before viewers reacted, so it starts at 0:01:30 "
                  "(score ×0.5); no sentence ends between 0:01:30 and 0:02:30, so it ends at 0:02:00")


def test_one_signal_measured_twice_is_said_once_and_unknown_codes_are_left_out() -> None:
    records = [why.engagement_surge("comments", 8.1, 7.9), why.engagement_surge("comment_rate", 5.7, 6.2),
               Reason("from_a_newer_version", {"x": 1.0}), why.product_pitch("SKU-1", "Turbo Blender")]
    assert describe_reasons(records, "zh") == ("评论是平时的 8 倍", "当时在讲解“Turbo Blender”")
    assert describe_reasons(records, "en") == ("comments 8× their usual level", "during the pitch of Turbo Blender")
    with pytest.raises(ValueError, match="unknown language"):
        describe_reasons(records, "fr")


#: what versions before the records wrote into ``reasons``, and the records each must read back as.
LEGACY = [
    ("likes ×10.0 its baseline (+10.4σ)", [why.engagement_surge("likes", 10.4, 10.0)]),
    ("keywords: link rose +7.0σ above its baseline", [why.engagement_surge("keyword_link", 7.0)]),
    ("comment rate ×6.2 its baseline (+5.7σ)", [why.engagement_surge("comment_rate", 5.7, 6.2)]),
    ("online viewers +174/min (+2.3σ)", [why.viewers_rising(174.0, 2.3)]),
    ("engagement score 3.2", [why.engagement_score(3.2)]),
    ("starts at the scene cut at 0:00:35.00, 8.0 s before the audience reacted at 0:00:43.00; the only cut in the "
     "reaction window", [why.scene_cut_before(35.0, 43.0), why.only_cut()]),
    ("starts at the scene cut at 0:01:35.00, before the audience reacted between 0:01:40.00 and 0:01:50.00 (10 s "
     "rows); chosen over 0:01:20.00, 0:01:28.50 by the transcript and the reaction timing (call to action “Here it "
     "is” at 0:01:35.20)",
     [why.scene_cut_before_row(95.0, 100.0, 110.0, 10.0), why.chosen_over([80.0, 88.5], ["transcript", "timing"]),
      why.start_cue("call_to_action", "Here it is", 95.2)]),
    ("no scene change within 20 s before the audience reacted at 0:01:47.00; starts at 0:01:30.00 (score ×0.5)",
     [why.no_scene_cut(20.0, 107.0, 90.0, 0.5)]),
    ("ends after the sentence “This blender crushes ice.” at 0:02:05.36",
     [why.sentence_end(125.36, "This blender crushes ice.")]),
    ("no sentence ends between 0:01:00.00 and 0:01:30.00; ends at 0:01:20.00", [why.no_sentence_end(60.0, 90.0, 80.0)]),
    ("during the pitch of Turbo Blender (SKU-1)", [why.product_pitch("SKU-1", "Turbo Blender")]),
]


@pytest.mark.parametrize(("text", "records"), LEGACY, ids=[t[:24] for t, _ in LEGACY])
def test_old_english_reasons_read_back_as_records(text: str, records: list[Reason]) -> None:
    assert parse_legacy_reasons(text) == records
    assert latin(reasons_text(records, "zh")) == set()


def test_an_old_timeline_reads_back_in_chinese() -> None:
    old_clip = {"id": "clip-01", "reasons": [text for text, _ in LEGACY] + ["在线人数上升"]}
    records = reasons_of(old_clip)
    assert records[-1] == why.note("在线人数上升")  # a text in no known form is shown as it is
    assert latin(reasons_text(records, "zh")) == set()
    # records win over the texts where both are there
    assert reasons_of({"reasons": ["likes ×10.0 its baseline (+10.4σ)"],
                       "reason_records": [{"code": "only_cut", "params": {}}]}) == (why.only_cut(),)


def _timeline() -> Timeline:
    records = tuple(r for _, rs in LEGACY for r in rs)
    highlight = Highlight("clip-01", 95.0, 125.36, 7.9, 107.0, reasons=describe_reasons(records),
                          reason_records=records)
    clip = Clip("clip-01", 95.0, 125.36, 7.9, "clips/clip-01.mp4", reasons=highlight.reasons, reason_records=records)
    info = MediaInfo("demo.mp4", 240.0, 1, "mp4", True, True)
    return Timeline(info, (clip,), (), (), highlights=(highlight,))


def test_records_survive_timeline_json_and_the_live_state() -> None:
    timeline = _timeline()
    doc = json.loads(json.dumps(timeline_to_dict(timeline), ensure_ascii=False))
    validate_timeline(doc)
    assert doc["clips"][0]["reason_records"][0] == {"code": "engagement_surge",
                                                     "params": {"metric": "likes", "z": 10.4, "ratio": 10.0}}
    assert all(isinstance(r, str) for r in doc["clips"][0]["reasons"])  # the contract: reasons are texts
    back = timeline_from_dict(doc)
    assert back.clips[0].reason_records == timeline.clips[0].reason_records
    assert back.highlights[0].reason_records == timeline.highlights[0].reason_records
    assert decode(Highlight, json.loads(json.dumps(encode(timeline.highlights[0])))) == timeline.highlights[0]


def test_live_clip_events_carry_words_of_the_run_language_and_the_records() -> None:
    from mediaops.live.session import _clip_event, _clip_from_event

    timeline = _timeline()
    clip, highlight = timeline.clips[0], timeline.highlights[0]
    event = json.loads(json.dumps(to_jsonable(_clip_event(clip, highlight, "zh")), ensure_ascii=False))
    assert event["reasons"] == list(describe_reasons(clip.reason_records, "zh"))
    assert latin(" ".join(event["reasons"])) == set()
    assert [r["code"] for r in event["reason_records"]] == [r.code for r in clip.reason_records]
    english = _clip_event(clip, highlight, "en")["reasons"]
    assert "the picture changed at 0:01:35 and viewers reacted between 0:01:40 and 0:01:50" in " ".join(english)
    # read back after a restart: the timeline's reasons are English again, the records intact
    restored = _clip_from_event(event)
    assert restored.reasons == clip.reasons and restored.reason_records == clip.reason_records
