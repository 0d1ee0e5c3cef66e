from __future__ import annotations

import re
from functools import cache

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, SetValue
from ftprep.core.model import Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule
from ftprep.core.texts import record_texts
from ftprep.rules.texts import show

# UTF-8 bytes read as cp1252/latin-1: "é" -> "Ã©", "’" -> "â€™", "°" -> "Â°".
MOJIBAKE = re.compile(
    "Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|â€[\u0080-\u00bf\u2122\u0153\u201d\u02dc\u0161\u00a6\u201c\u2019\u2018\u2013\u2014\u2026]"
    "|Â[\u00a0-\u00bf]"
    "|ï»¿"
)


C1_CONTROLS = re.compile("[\u0080-\u009f]")


def repair(text: str) -> tuple[str, bool] | None:
    """ftfy's repair of a garbled text and whether it is certain, or None when the text
    reads as written.

    Certain: one wrong decoding undone (encode as Latin-1 or Windows-1252, decode as UTF-8
    or Windows-1252), leaving text ftfy no longer finds garbled. Repairs that guess at lost
    bytes, or leave garbage behind, are offered as unsafe.
    """
    import ftfy
    from ftfy.badness import is_bad

    maybe = _maybe_bad()
    bad = (maybe is None or maybe.search(text) is not None) and is_bad(text)
    if not (bad or C1_CONTROLS.search(text) or MOJIBAKE.search(text)):
        return None
    fixed, steps = ftfy.fix_encoding_and_explain(text)
    if fixed == text:
        return text, False
    kinds = [kind for kind, _ in steps or []]
    certain = kinds == ["encode", "decode"] and not is_bad(fixed)
    return fixed, certain


@cache
def _maybe_bad() -> re.Pattern[str] | None:
    """The characters without which ftfy's badness expression cannot match, as one class.

    Every alternative of ``ftfy.badness.BADNESS_RE`` needs at least one character of a
    class of non-ASCII characters (its mojibake categories); a text with none of them is
    not bad, and one C-speed class search says so where the 37-alternative expression costs
    far more (most non-ASCII text, Chinese or Hindi, holds none). None when the expression
    is not of that shape (a later ftfy): then it is always asked.
    """
    try:
        from re import _parser as sre  # type: ignore[attr-defined]  # CPython's parser, 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as sre
    from ftfy.badness import BADNESS_RE

    if BADNESS_RE.flags & re.IGNORECASE:
        return None
    (op, (_, branches)), *rest = list(sre.parse(BADNESS_RE.pattern, BADNESS_RE.flags))
    if rest or str(op) != "BRANCH":
        return None
    ranges: list[tuple[int, int]] = []
    for branch in branches:
        needed = None
        for item_op, arg in branch:
            if str(item_op) == "LITERAL" and arg > 127:
                needed = [(arg, arg)]
            elif str(item_op) == "IN" and all(str(o) in ("LITERAL", "RANGE") for o, _ in arg):
                spans = [(a, a) if str(o) == "LITERAL" else a for o, a in arg]
                if all(lo > 127 for lo, _ in spans):
                    needed = spans
            if needed is not None:
                break
        if needed is None:
            return None
        ranges += needed
    members = "".join(
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in sorted(set(ranges))
    )
    return re.compile(f"[{members}]")


_NON_ASCII = Prefilter(non_ascii=True)


class Mojibake(Rule):
    """## What it does
    Reports text that was decoded with the wrong codec somewhere upstream: UTF-8 bytes read
    as Windows-1252 turn `é` into `Ã©` and `’` into `â€™`, Windows-1252 read as Latin-1
    leaves C1 control characters (`that\\x92s`). Detection and repair are ftfy's, the
    library made for exactly this; texts it reads as written (`Grüße`, `Motörhead`) are
    not reported.

    ## Why is this bad?
    The model learns the garbled characters and reproduces them in its answers.

    ## Example
    `"The cafÃ© isnâ€™t open"`

    ## Use instead
    `"The café isn’t open"`

    ## Options
    None.

    ## Fix safety
    The fix is ftfy's repair. Safe when ftfy is certain: it undoes one wrong decoding and
    leaves no garbled text behind. Unsafe when the repair guesses (lost bytes, several
    layers of damage). Re-exporting the source with the right encoding is better still.

    ## References
    - chardet/chardet#185, jawah/charset_normalizer#624
    """

    code = "WS004"
    name = "mojibake"
    group = "whitespace"
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def prefilter(self) -> Prefilter:
        """Mojibake needs a character beyond ASCII: only those texts are looked at."""
        return _NON_ASCII

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for pointer, text, _role in record_texts(record):
            if text.isascii():
                continue
            repaired = repair(text)
            if repaired is None:
                continue
            fixed, certain = repaired
            where = C1_CONTROLS.search(text) or MOJIBAKE.search(text) or _badness_at(text)
            start = max(0, where.start() - 10) if where else 0
            shown = show(text[start : (where.end() if where else 30) + 10])
            fix = None
            if fixed != text:
                fix = Fix(
                    title=f"Repair the text as ftfy does: {show(_changed(text, fixed))}",
                    edits=(
                        SetValue(record=record.index, pointer=pointer, expected=text, value=fixed),
                    ),
                    applicability=Applicability.SAFE if certain else Applicability.UNSAFE,
                )
            out.append(
                Finding(
                    f"text looks decoded with the wrong codec: {shown}", pointer=pointer, fix=fix
                )
            )
        return out


def _badness_at(text: str) -> re.Match[str] | None:
    """Where ftfy sees garbled text (its badness pattern), to show that part."""
    from ftfy.badness import BADNESS_RE

    return BADNESS_RE.search(text)


def _changed(before: str, after: str) -> str:
    """The stretch of ``after`` that differs from ``before``, with a little context."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return after[max(0, start - 8) : len(after) - max(0, end - 8)]
