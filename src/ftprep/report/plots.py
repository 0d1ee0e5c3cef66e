"""Plots for the HTML report: matplotlib figures written as inline SVG.

Why matplotlib: it draws offline with no browser code, so the report is one small file
(a plot is a few kB of SVG; plotly would add 4.6 MB of JavaScript to every report), and its
SVG is byte-identical from run to run once the ids are salted and the date is dropped. The
plots are static: the report's tables hold the numbers a reader would hover for.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

try:
    import matplotlib
    from matplotlib.figure import Figure
except ImportError as exc:  # the `report` extra
    raise ImportError(
        "the HTML report draws its plots with matplotlib: pip install 'ftprep[report]'"
    ) from exc

# Ids derived from this salt instead of random ones, text as text (not paths): same input,
# same bytes, and a smaller file that the browser's fonts render.
_RC: Any = {
    "svg.hashsalt": "ftprep",
    "svg.fonttype": "none",
    "font.size": 9,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
}
SPLIT_COLOURS = {"train": "#3b6fb6", "valid": "#e08a2c", "against": "#6a9a3a"}
LIMIT_COLOUR = "#c0392b"


def figure_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML declaration or doctype


def token_histogram(splits: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """Examples per token length, one series per split, with the model's limit drawn."""
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.5, 2.8))
        axes = figure.add_subplot()
        limit = None
        right = 1
        for split, shape in splits:
            step, counts = shape["step"], shape["counts"]
            total = sum(counts) or 1
            share = [100 * n / total for n in counts]
            axes.stairs(
                share,
                [i * step for i in range(len(counts) + 1)],
                label=f"{split} ({total:,} examples)",
                color=SPLIT_COLOURS.get(split, "#555555"),
                fill=len(splits) == 1,
                alpha=0.85,
                linewidth=1.5,
            )
            limit = shape["limit"]
            right = max(right, len(counts) * step)
        if limit is not None and limit <= right:
            axes.axvline(limit, color=LIMIT_COLOUR, linestyle="--", linewidth=1.2)
            axes.annotate(
                f"limit {limit:,}",
                (limit, 1),
                xycoords=("data", "axes fraction"),
                xytext=(-4, -4),
                textcoords="offset points",
                ha="right",
                va="top",
                color=LIMIT_COLOUR,
            )
        axes.set_xlabel("tokens per example")
        axes.set_ylabel("% of examples")
        axes.set_xlim(0, right)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(
            frameon=False, loc="upper right" if limit is None or limit > right else "center right"
        )
        return figure_svg(figure)


# (split, one count per category, the split's total the shares are of)
Series = Sequence[tuple[str, Sequence[float], float]]


def share_bars(panels: Sequence[tuple[str, Sequence[str], Series]], xlabel: str) -> str:
    """Horizontal bars of each category's share of its split, the splits side by side:
    one panel per (title, categories, series), the first category on top. Shares, not
    counts, so that a validation file a tenth of the size compares with its training."""
    rows = max(len(categories) for _, categories, _ in panels)
    splits = max(len(series) for _, _, series in panels)
    height = 0.5 + rows * (0.16 + 0.12 * splits)
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.5, max(1.6, height)))
        grid = figure.subplots(1, len(panels), squeeze=False, sharey=False)[0]
        for axes, (title, categories, series) in zip(grid, panels, strict=True):
            bar = 0.8 / max(1, len(series))
            for i, (split, counts, total) in enumerate(series):
                axes.barh(
                    [y - 0.4 + bar * (i + 0.5) for y in range(len(categories))],
                    [100 * n / (total or 1) for n in counts],
                    height=bar,
                    color=SPLIT_COLOURS.get(split, "#555555"),
                    label=f"{split} ({int(total):,})",
                )
            axes.set_yticks(range(len(categories)), [_short(c) for c in categories])
            axes.set_ylim(len(categories) - 0.5, -0.5)  # the first category on top
            axes.set_xlabel(xlabel)
            if title:
                axes.set_title(title, fontsize=9, loc="left")
            axes.spines[["top", "right"]].set_visible(False)
        if splits > 1:  # beside the last panel, where it hides no bar
            grid[-1].legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return figure_svg(figure)


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def findings_per_rule(rows: Sequence[tuple[str, int, str]]) -> str:
    """Findings per rule, most first (code, count, severity)."""
    colours = {"error": "#c0392b", "warning": "#d68910", "info": "#7f8c8d"}
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.5, 0.3 * len(rows) + 0.8))
        axes = figure.add_subplot()
        ordered = list(reversed(rows))
        axes.barh(
            [code for code, _, _ in ordered],
            [n for _, n, _ in ordered],
            color=[colours.get(severity, "#555555") for _, _, severity in ordered],
        )
        for y, (_, n, _) in enumerate(ordered):
            axes.annotate(f" {n:,}", (n, y), va="center", fontsize=8)
        axes.set_xlabel("findings")
        axes.spines[["top", "right"]].set_visible(False)
        return figure_svg(figure)


def loss_curves(
    steps: Sequence[int],
    train: Sequence[float],
    valid: Sequence[tuple[int, float]],
    title: str,
) -> Figure:
    """A job's training and validation loss by step (the figure, for SVG or PNG)."""
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.5, 3.2))
        axes = figure.add_subplot()
        axes.plot(steps, train, color=SPLIT_COLOURS["train"], linewidth=1, label="training loss")
        if valid:
            axes.plot(
                [s for s, _ in valid],
                [v for _, v in valid],
                color=SPLIT_COLOURS["valid"],
                linewidth=1.6,
                marker="o",
                markersize=2.5,
                label="validation loss",
            )
        axes.set_xlabel("step")
        axes.set_ylabel("loss")
        axes.set_title(title, fontsize=9, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(frameon=False)
        return figure


def figure_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(
            buffer, format="png", dpi=150, metadata={"Software": None}, bbox_inches="tight"
        )
    return buffer.getvalue()
