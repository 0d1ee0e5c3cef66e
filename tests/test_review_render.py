"""What the review draws: invisible characters made visible, and diffs that mark changes."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from rich.text import Text

from ftprep.tui.render import ADDED, REMOVED, blocks, render_diff, render_record, visible


def plain(renderable: RenderableType, width: int = 100) -> str:
    """What the renderable shows on a terminal ``width`` columns wide, without colours."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _styled(text: Text, style: str) -> str:
    return "".join(text.plain[s.start : s.end] for s in text.spans if str(s.style) == style)


def test_trailing_space_newline_tab_and_zero_width_space_are_visible() -> None:
    shown = visible("Hello  world \n\tnext\u200bword\u00a0end").plain
    assert shown == "Hello··world·↵\n→next⟨ZWSP⟩word⟨NBSP⟩end"
    # Single spaces between words stay spaces: prose stays readable.
    assert visible("a b c").plain == "a b c"
    assert visible(" lead").plain == "·lead"
    assert visible("bell\x07").plain == "bell⟨U+0007⟩"


def test_char_diff_marks_only_what_changed() -> None:
    before = {"messages": [{"role": "user", "content": "How do I\u200b descale?  "}]}
    after = {"messages": [{"role": "user", "content": "How do I descale?"}]}
    left, right = render_diff(before, after)
    left_body = left.renderables[1].renderable
    right_body = right.renderables[1].renderable
    assert _styled(left_body, REMOVED) == "⟨ZWSP⟩··"
    assert _styled(right_body, ADDED) == ""
    assert right_body.plain == "How do I descale?"
    assert "● messages[0] user" in plain(left)


def test_added_text_is_marked_in_the_after_pane() -> None:
    _, right = render_diff(
        {"prompt": "Q", "completion": "A"}, {"prompt": "Q\n\n###\n\n", "completion": " A"}
    )
    assert _styled(right.renderables[1].renderable, ADDED) == "↵↵###↵↵"
    assert _styled(right.renderables[3].renderable, ADDED) == "·"


def test_merged_messages_show_as_removed_and_added_blocks() -> None:
    before = {
        "messages": [
            {"role": "user", "content": "a"},
            {"role": "user", "content": "b"},
            {"role": "assistant", "content": "c"},
        ]
    }
    after = {
        "messages": [{"role": "user", "content": "a\n\nb"}, {"role": "assistant", "content": "c"}]
    }
    left, right = render_diff(before, after)
    assert "messages[1] user" in plain(left)
    assert "messages[1] user" not in plain(right)
    assert "a↵" in plain(right)


def test_dropped_record_says_so() -> None:
    _, right = render_diff({"prompt": "x", "completion": "y"}, None)
    assert "dropped" in plain(right) and "rejected file" in plain(right)


def test_record_view_highlights_the_block_the_finding_points_at() -> None:
    record = {
        "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a "}]
    }
    out = plain(render_record(record, "/messages/1/content"))
    assert "▶ messages[1] assistant" in out and "  messages[0] user" in out
    assert "a·" in out


def test_blocks_cover_preference_records_and_unreadable_lines() -> None:
    pref = {
        "input": {"messages": [{"role": "user", "content": "q"}]},
        "preferred_output": [{"role": "assistant", "content": "good"}],
        "non_preferred_output": [{"role": "assistant", "content": "bad"}],
    }
    labels = [b.label for b in blocks(pref)]
    assert labels == [
        "input.messages[0] user",
        "preferred_output[0] assistant",
        "non_preferred_output[0] assistant",
    ]
    assert blocks('{"broken": ')[0].label == "unreadable line"


def test_tool_call_json_shows_its_structure_without_marks() -> None:
    """Indentation and line breaks of the JSON the review lays out are not data: only
    whitespace inside the values is marked."""
    record = {
        "messages": [
            {"role": "user", "content": "Book it "},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "book", "arguments": "{}"},
                    }
                ],
            },
        ]
    }
    shown = plain(render_record(record))
    assert "Book it·" in shown  # a trailing space of a text is data: marked
    assert "tool_calls" in shown and '"name": "book"' in shown
    tool_lines = shown.split("tool_calls", 1)[1]
    assert "··" not in tool_lines and "↵" not in tool_lines
    assert [b.structure for b in blocks(record)] == [False, True]
