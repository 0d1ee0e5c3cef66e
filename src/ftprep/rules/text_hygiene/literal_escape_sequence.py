from __future__ import annotations

import re

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule
from ftprep.core.texts import record_texts

LITERAL_ESCAPE = re.compile(r"\\([nt])(?=[A-Za-z0-9 \\]|$)([A-Za-z]*)")
# LaTeX commands that start with n or t: `\theta` is a Greek letter, not a tab and "heta".
LATEX_COMMANDS = frozenset(
    [
        "neq",
        "ne",
        "nabla",
        "nu",
        "not",
        "ni",
        "nmid",
        "newline",
        "noindent",
        "nolimits",
        "normalsize",
        "nleq",
        "ngeq",
        "notin",
        "nexists",
        "natural",
        "neg",
        "nearrow",
        "nwarrow",
        "nsubseteq",
        "nsupseteq",
        "ncong",
        "nsim",
        "nparallel",
        "theta",
        "times",
        "tau",
        "tan",
        "tanh",
        "text",
        "textbf",
        "textit",
        "textrm",
        "texttt",
        "textsf",
        "textnormal",
        "tfrac",
        "top",
        "to",
        "triangle",
        "triangleq",
        "tilde",
        "therefore",
        "tiny",
        "tt",
        "tbinom",
        "textstyle",
        "tag",
    ]
)
# A single quote that code opens: a call's argument or an assignment.
_CODE_QUOTE = re.compile(r"[(=,\[]\s*'")
# Signs that a text holds math: then any `\n...` or `\t...` word is a command.
_MATH = re.compile(r"\$[^$]+\$|\\\(|\\\[|\\begin\{|\\frac|\\sqrt|\\sum|\\int")


def literal_escapes(text: str) -> int:
    """How many `\\n`/`\\t` in ``text`` were meant as a line break or tab: not LaTeX
    commands, not inside a quoted string or inline code (`print("a\\nb")` means it)."""
    if "\\" not in text or "\n" in text or "```" in text:
        return 0
    math = _MATH.search(text) is not None
    n = 0
    for match in LITERAL_ESCAPE.finditer(text):
        word = match.group(1) + match.group(2)
        if word in LATEX_COMMANDS or (math and len(word) > 2):
            continue
        before = text[: match.start()]
        # Inside a "string literal" or `inline code` the escape is meant. An apostrophe is
        # too common in prose to tell a 'string' by, unless code opens it: f('..., x = '...
        if before.count('"') % 2 or before.count("`") % 2:
            continue
        opened = _CODE_QUOTE.search(before)
        if opened is not None and before[opened.end() - 1 :].count("'") % 2:
            continue
        n += 1
    return n


_BACKSLASH = Prefilter(needles=("\\",))


class LiteralEscapeSequence(Rule):
    """## What it does
    Reports text containing `\\n` or `\\t` written as two characters (a backslash and a
    letter) where no real newline occurs: a string escaped twice on its way into the file.
    LaTeX commands (`\\theta`, `\\times`, `\\neq`, any `\\n…`/`\\t…` word in a text with
    math), escapes inside a quoted string or inline code, and texts with code blocks are
    not reported: there the two characters are meant.

    ## Why is this bad?
    The model learns to write a backslash and an `n` instead of a line break, and every
    one of them costs extra tokens.

    ## Example
    `"Step 1\\\\nStep 2"` in the JSON file (the text shows `Step 1\\nStep 2`).

    ## Use instead
    `"Step 1\\nStep 2"` (a real newline).

    ## Options
    None.

    ## Fix safety
    No fix: code samples may mean the two characters.

    ## References
    - Kiln-AI/Kiln#102 (double-encoded strings in training data)
    """

    code = "WS006"
    name = "literal-escape-sequence"
    group = "whitespace"
    default_severity = Severity.INFO

    def prefilter(self) -> Prefilter:
        """Only texts with a backslash can hold a literal escape."""
        return _BACKSLASH

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for pointer, text, _role in record_texts(record):
            found = literal_escapes(text)
            if found:
                out.append(
                    Finding(
                        f"{found} literal `\\n`/`\\t` escape(s) where a line break or tab "
                        "was probably meant",
                        pointer=pointer,
                    )
                )
        return out
