"""The token-length histogram of the text report: one line of bars with the limit marked.

Drawn only on a terminal (the CLI sets ``ReportData.terminal``): piped output, CI logs and
``--no-color`` keep the plain report, which tools and snapshots read line by line.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

BLOCKS = " ▁▂▃▄▅▆▇█"


def bars(counts: list[int]) -> str:
    """One block character per bar, its height relative to the tallest; a bar with any
    example is at least the lowest block, so that a lone outlier stays visible."""
    top = max(counts, default=0)
    if not top:
        return " " * len(counts)
    out = []
    for n in counts:
        level = 0 if not n else max(1, round(n / top * (len(BLOCKS) - 1)))
        out.append(BLOCKS[level])
    return "".join(out)


def histogram_text(shape: dict[str, Any]) -> Text:
    """The bars, those above the model's limit in red, and the scale beneath."""
    counts, step, limit = shape["counts"], shape["step"], shape["limit"]
    line = Text("  length          ")
    for i, block in enumerate(bars(counts)):
        over = i * step > limit
        if i * step <= limit < (i + 1) * step and i + 1 < len(counts):
            line.append(block, style="cyan")
            line.append("│", style="bold red")
            continue
        line.append(block, style="red" if over else "cyan")
    top = len(counts) * step - 1
    line.append(f"  0–{top:,} tokens, {step:,} a bar")
    if shape["over_limit"]:
        line.append(f"; {shape['over_limit']:,} over the limit of {limit:,}", style="bold red")
    elif limit < len(counts) * step:
        line.append(f"; │ the limit of {limit:,}")
    else:
        line.append(f"; all under the limit of {limit:,}")
    return line


def render_histogram(shape: dict[str, Any], stream: Any) -> None:
    console = Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True)
    console.print(histogram_text(shape))
