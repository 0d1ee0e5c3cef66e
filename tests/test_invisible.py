"""Invisible characters: debris goes, the joiners and marks a script needs stay (WS003).

The property: whatever debris surrounds them, the safe fix leaves every emoji ZWJ sequence
Unicode defines, and every word of the scripts that write with ZWNJ/ZWJ/ZWSP, byte for
byte as it was.
"""

from __future__ import annotations

import emoji
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep import api
from ftprep.core.fix import TextEdit
from ftprep.core.invisible import debris, has_debris, remove_debris

EMOJI_ZWJ_SEQUENCES = sorted(e for e in emoji.EMOJI_DATA if "\u200d" in e)
# Words that need their joiner: Persian, Urdu, Kurdish (ZWNJ); Hindi, Marathi, Bengali,
# Sinhala, Malayalam (ZWJ/ZWNJ choosing conjunct forms); Thai and Khmer (ZWSP between words).
SCRIPT_WORDS = [
    "می‌خوام",
    "نمی‌دانم",
    "کتاب‌ها",
    "خانه‌ای",
    "بی‌نظیر",
    "می‌رود",
    "ہم‌آہنگ",
    "دەمە‌وێت",
    "क्‍ष",
    "क्‌ष",
    "र्‍य",
    "র‍্যাব",
    "ශ්‍රී",
    "ന്‍",
    "ภาษา​ไทย",
    "ខ្មែរ​ភាសា",
    "ᠮᠣᠩᠭᠣᠯ\u202fᠤᠨ",
]
ORDINARY_WORDS = ["hello", "world", "Grüße", "naïve", "42", "x=1", "Привет", "你好"]
DEBRIS = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u00a0", "\x01", "\x7f", "\u200e", "\u202e"]
KEPT = EMOJI_ZWJ_SEQUENCES + SCRIPT_WORDS + ["❤️", "1️⃣", "#️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"]


def test_every_emoji_zwj_sequence_is_text() -> None:
    assert len(EMOJI_ZWJ_SEQUENCES) > 1000
    assert [e for e in EMOJI_ZWJ_SEQUENCES if debris(e)] == []
    assert [e for e in EMOJI_ZWJ_SEQUENCES if remove_debris(f" {e} ") != f" {e} "] == []


@pytest.mark.parametrize("word", [*SCRIPT_WORDS, "❤️", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"])
def test_script_joiners_are_text(word: str) -> None:
    assert debris(word) == []
    assert debris(f"سلام {word} ok") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("foo\u200bbar", "foobar"),  # ZWSP between Latin letters
        ("positive\u200b", "positive"),
        ("a\u200cb", "ab"),  # ZWNJ in a Latin word
        ("کتاب\u200c ", "کتاب "),  # ZWNJ before a space ends no Persian word
        ("👍\u200d", "👍"),  # a joiner with nothing to join
        ("hi\u00a0there", "hi there"),
        ("abc\u200f", "abc"),  # a direction mark in text with no right-to-left letter
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("tab\x01", "tab"),
    ],
)
def test_debris_is_removed(text: str, expected: str) -> None:
    assert has_debris(text)
    assert remove_debris(text) == expected


def test_direction_marks_in_right_to_left_text_are_text() -> None:
    assert debris("שלום \u200fabc") == []
    assert debris("مرحبا \u202bx\u202c") == []


segments = st.lists(
    st.one_of(
        st.sampled_from(KEPT),
        st.sampled_from(ORDINARY_WORDS),
        st.sampled_from(DEBRIS),
    ),
    min_size=1,
    max_size=12,
)
separators = st.lists(st.sampled_from([" ", "\n", "", *DEBRIS]), min_size=12, max_size=12)


@settings(max_examples=400, deadline=None)
@given(segments, separators)
def test_the_safe_fix_keeps_every_sequence_byte_for_byte(parts: list[str], seps: list[str]) -> None:
    # A separator between two kept segments is a space: a joiner placed there would
    # (rightly) join them into a new sequence.
    text = "".join(
        part + (" " if part in KEPT or (i + 1 < len(parts) and parts[i + 1] in KEPT) else sep)
        for i, (part, sep) in enumerate(zip(parts, seps, strict=False))
    )
    data = {"messages": [{"role": "user", "content": text}]}
    TextEdit(action="remove-invisible", record=0, pointer="/messages/0/content").apply(data)
    fixed = data["messages"][0]["content"]
    for part in set(parts) & set(KEPT):
        assert fixed.count(part) >= text.count(part), (text, fixed, part)
    assert debris(fixed) == []
    assert remove_debris(fixed) == fixed


def test_ws003_reports_debris_beside_emoji_but_not_the_emoji(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "chat.jsonl"
    lines = [
        '{"messages": [{"role": "user", "content": "Run 🏃\u200d\u2640\ufe0f today"},'
        ' {"role": "assistant", "content": "می\u200cخوام 👨\u200d👩\u200d👧"}]}',
        '{"messages": [{"role": "user", "content": "hi\u200b"},'
        ' {"role": "assistant", "content": "ok 👍"}]}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = api.lint(str(path), select=["WS003"])
    assert [(d.line, d.pointer) for d in report.diagnostics] == [(2, "/messages/0/content")]
    assert "U+200B ZERO WIDTH SPACE" in report.diagnostics[0].message
