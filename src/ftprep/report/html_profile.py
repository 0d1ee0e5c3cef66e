"""The HTML report's profile of the data: conversations (tokens per role, turns), classes
and languages, each split beside the others.

Drawn from the summaries the rules already report (the token summary's roles and turns,
the class distribution, the language summary), so the report shows what ``--output-format json`` holds.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from ftprep.report import plots
from ftprep.report.data import ReportData

# Categories drawn per plot; the rest are drawn together as one bar.
MAX_BARS = 25
# Classes listed in the table (the JSON report has them all).
MAX_TABLE_ROWS = 200
# Turns per conversation from this many on are one bar.
MAX_TURNS = 12


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def split_of(report: ReportData, file: str) -> str:
    for f in report.files:
        if f["file"] == file:
            return str(f.get("split") or "train")
    return "train"


def summaries(report: ReportData, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(split, file, data) of each file's summary of one kind, in the files' order."""
    return [(split_of(report, d.file), d.file, d.data or {}) for d in report.summaries_of(kind)]


def _top(counts: Sequence[dict[str, float]], cap: int, rest: str) -> list[str]:
    """The categories to draw: the most frequent over all splits (first split first), and
    ``rest`` for the others when there are more than ``cap``."""
    order: dict[str, tuple[int, float]] = {}
    for i, split_counts in enumerate(counts):
        for name, n in split_counts.items():
            rank = order.get(name)
            if rank is None or (i, -n) < rank:
                order[name] = (i, -n)
    names = sorted(order, key=lambda k: (order[k], k))
    return names if len(names) <= cap else [*names[: cap - 1], rest]


def _series(
    names: list[str], counts: Sequence[tuple[str, dict[str, float]]], rest: str
) -> plots.Series:
    """Each split's count of each name (``rest``: of every name not drawn), of its total."""
    shown = set(names)
    return [
        (
            split,
            [
                sum(n for k, n in c.items() if k not in shown or k == rest)
                if name == rest
                else c.get(name, 0)
                for name in names
            ],
            sum(c.values()),
        )
        for split, c in counts
    ]


def _pct(n: float, total: float) -> str:
    return f"{100 * n / total:.1f}%" if total else "–"


def conversations(report: ReportData) -> str:
    found = [(split, file, s) for split, file, s in summaries(report, "tokens") if s.get("roles")]
    if not found:
        return ""
    roles = [(split, {r: v["tokens"] for r, v in s["roles"].items()}) for split, _, s in found]
    role_names = _top([c for _, c in roles], MAX_BARS, "(other)")
    turns: list[tuple[str, dict[str, float]]] = []
    for split, _, s in found:
        by_turns: dict[str, float] = {}
        for n, conversations in s["turns"]:
            key = str(n) if n < MAX_TURNS else f"{MAX_TURNS}+"
            by_turns[key] = by_turns.get(key, 0) + conversations
        turns.append((split, by_turns))
    turn_names = sorted({k for _, c in turns for k in c}, key=lambda k: int(k.rstrip("+")))
    svg = plots.share_bars(
        [
            ("tokens per role", role_names, _series(role_names, roles, "(other)")),
            ("turns per conversation", turn_names, _series(turn_names, turns, "")),
        ],
        "% of the split",
    )
    rows = []
    for _, file, s in found:
        total = sum(v["tokens"] for v in s["roles"].values())
        for role, v in s["roles"].items():
            per = v["tokens"] / v["messages"] if v["messages"] else 0
            rows.append(
                f"<tr><td>{_e(file)}</td><td>{_e(role)}</td><td class=num>{v['messages']:,}</td>"
                f"<td class=num>{v['tokens']:,}</td><td class=num>{_pct(v['tokens'], total)}</td>"
                f"<td class=num>{per:,.0f}</td></tr>"
            )
    return (
        "<h2 id=conversations>Conversations</h2>\n<section>"
        "<p class=muted>Tokens per role and turns per conversation (messages other than "
        "system and developer ones), as a share of each split.</p>"
        f'<div class="plot" id="plot-conversations">{svg}</div>'
        "<div class=scroll><table><tr><th>file</th><th>role</th><th class=num>messages</th>"
        "<th class=num>tokens</th><th class=num>share</th><th class=num>tokens per message</th>"
        "</tr>" + "".join(rows) + "</table></div></section>\n"
    )


def classes(report: ReportData) -> str:
    found = summaries(report, "classes")
    if not found:
        return ""
    counts = [(split, dict(s["classes"])) for split, _, s in found]
    names = _top([c for _, c in counts], len(set().union(*(c for _, c in counts))), "")
    drawn = names[:MAX_BARS]
    svg = plots.share_bars([("", drawn, _series(drawn, counts, ""))], "% of the split's examples")
    head = "".join(f"<th class=num>{_e(split)}</th>" for split, _, _ in found)
    rows = []
    for name in names[:MAX_TABLE_ROWS]:
        cells = []
        for (_, c), (_, _, s) in zip(counts, found, strict=True):
            n = c.get(name, 0)
            cells.append(
                f'<td class="num{"" if n else " fail"}">{n:,} ({_pct(n, s["examples"])})</td>'
            )
        rows.append(f"<tr><td>{_e(name)}</td>{''.join(cells)}</tr>")
    listed = ", ".join(f"{s['class_count']:,} in {_e(split)}" for split, _, s in found)
    drawn_note = (
        f" The plot draws the {len(drawn)} largest of {len(names):,}."
        if len(drawn) < len(names)
        else ""
    )
    rows_note = (
        f" The table lists the first {MAX_TABLE_ROWS} of {len(names):,}."
        if len(names) > MAX_TABLE_ROWS
        else ""
    )
    return (
        "<h2 id=classes>Classes</h2>\n<section>"
        f"<p class=muted>Classes ({listed}) as a share of each split's examples; a class "
        f"missing from a split is marked.{drawn_note}{rows_note}</p>"
        f'<div class="plot" id="plot-classes">{svg}</div>'
        f"<div class=scroll><table><tr><th>class</th>{head}</tr>"
        + "".join(rows)
        + "</table></div></section>\n"
    )


def languages(report: ReportData) -> str:
    found = summaries(report, "languages")
    if not found:
        return (
            "<h2 id=languages>Languages</h2>\n<section><p class=muted>Languages were not "
            "detected: add <code>--extend-select LG</code> (langdetect takes milliseconds "
            "a text; its results are cached).</p></section>\n"
        )
    rest, und = "(other)", "undetermined"
    panels = []
    for side in ("question", "answer"):
        counts = [
            (split, {**s[side]["languages"], und: s[side]["undetermined"]}) for split, _, s in found
        ]
        names = [n for n in _top([c for _, c in counts], MAX_BARS - 1, rest) if n != und]
        for (_, c), (_, _, s) in zip(counts, found, strict=True):
            if s[side]["unlisted"]:
                c[rest] = c.get(rest, 0) + s[side]["unlisted"]
                if rest not in names:
                    names.append(rest)
        names.append(und)
        panels.append((f"{side} side", names, _series(names, counts, rest)))
    svg = plots.share_bars(panels, "% of records")
    notes = "".join(
        f"<li>{_e(file)}: {s['records']:,} records; question side "
        f"{s['question']['undetermined']:,} undetermined, answer side "
        f"{s['answer']['undetermined']:,} undetermined</li>"
        for _, file, s in found
    )
    return (
        "<h2 id=languages>Languages</h2>\n<section>"
        "<p class=muted>The language of each record's question side (user turns, or the "
        "prompt) and answer side (assistant turns, or the completion), confident detections "
        "only, as a share of each split.</p>"
        f'<div class="plot" id="plot-languages">{svg}</div><ul>{notes}</ul></section>\n'
    )
