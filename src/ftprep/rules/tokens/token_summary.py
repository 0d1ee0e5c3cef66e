from __future__ import annotations

import itertools
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any

from pydantic import Field

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.config import epoch_defaults
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Rule, RuleContext, RuleOptions, Scope


class Options(RuleOptions):
    epochs: int | None = Field(default=None, ge=1)
    """Epochs to bill; default: OpenAI's heuristic for the number of examples."""
    price: float | None = Field(default=None, ge=0)
    """US dollars per 1M training tokens; default: the model's price in `rules/models.toml`."""


_Options = Options  # the class body's `Options` names the rule's attribute


# Bars of the token-length histogram: enough to see the shape, few enough for one line.
HISTOGRAM_BARS = 40


def _nice_step(span: int, bars: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... tokens a bar that covers ``span`` in ``bars``."""
    step, i = 1, 0
    while step * bars <= span:
        i += 1
        step = (1, 2, 5)[i % 3] * 10 ** (i // 3)
    return step


def histogram(sorted_values: Any, limit: int) -> dict[str, Any]:
    """Examples per token-length bar, from 0 to the longest example (and the model's limit,
    when it is within 4x of the longest, so that the plots can draw it): ``counts[i]`` holds
    the examples of ``i * step`` to ``(i + 1) * step - 1`` tokens. Bisecting the sorted counts
    at each bar's edge costs a few dozen lookups, not a pass over every example."""
    longest = int(sorted_values[-1]) if len(sorted_values) else 0
    span = max(longest, limit) if limit <= 4 * max(longest, 1) else longest
    step = _nice_step(span, HISTOGRAM_BARS)
    edges = [bisect_left(sorted_values, i * step) for i in range(span // step + 2)]
    counts = [b - a for a, b in itertools.pairwise(edges)]
    while len(counts) > 1 and not counts[-1] and (len(counts) - 1) * step > limit:
        counts.pop()
    over = len(sorted_values) - bisect_right(sorted_values, limit)
    return {"step": step, "counts": counts, "limit": limit, "over_limit": over}


def percentile(sorted_values: Any, q: float) -> int:
    if not len(sorted_values):
        return 0
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return int(sorted_values[k])


class TokenCounts(Collector):
    """The engine-owned token count of every record (the engine counted them once) and
    the split's trained tokens."""

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.tokens = array("I")
        self.trained = 0

    def feed(self, batch: Batch) -> None:
        for record in batch.records:
            if record.tokens is not None:
                self.tokens.append(record.tokens)
                self.trained += record.trained_tokens or 0

    def merge(self, other: Collector) -> None:
        assert isinstance(other, TokenCounts)
        self.tokens.extend(other.tokens)
        self.trained += other.trained


class TokenSummary(Rule):
    """## What it does
    Summarises the file: examples, tokens per example (min, median, p95, max), trained
    tokens (assistant turns with `weight` 0 are not trained), billed tokens (each example
    capped at the model's limit) times the epochs, and the estimated training cost with the
    date the price was read.

    ## Why is this bad?
    It is not: this is information, so you know what a run costs before you pay for it.

    ## Example
    `1,000 examples; tokens per example min 12, median 240, p95 910, max 3,102; ...`

    ## Use instead
    Nothing to change.

    ## Options
    - `epochs`: epochs to bill (default: 3, adjusted so epochs × examples lies in
      100..25,000 and within 1..25, as OpenAI does).
    - `price`: dollars per 1M training tokens (default: from `rules/models.toml`).

    ## Fix safety
    No fix.

    ## References
    - OpenAI cookbook, "Chat fine-tuning data prep" (epochs heuristic, billing)
    """

    code = "TK004"
    name = "token-summary"
    group = "tokens"
    scope = Scope.DATASET
    default_severity = Severity.INFO
    needs_tokens = True
    is_summary = True
    Options = Options
    options: _Options  # the typed view of this rule's options

    def collects(self) -> Collects:
        return Collects(TokenCounts)

    @property
    def tokens(self) -> array[int]:
        counts: TokenCounts = self.collected
        return counts.tokens

    @property
    def trained(self) -> int:
        counts: TokenCounts = self.collected
        return counts.trained

    def summary(self) -> dict[str, Any]:
        model = self.ctx.model
        ordered = sorted(self.tokens)
        n = len(ordered)
        total = sum(ordered)
        limit = model.max_tokens
        billed = sum(min(t, limit) for t in ordered) if ordered and ordered[-1] > limit else total
        epochs = self.options.epochs or epoch_defaults().default_epochs(n)
        price = self.options.price if self.options.price is not None else model.price
        cost = None if price is None else round(billed * epochs * price / 1_000_000, 2)
        return {
            "examples": n,
            "tokens": total,
            "min": percentile(ordered, 0.0),
            "median": percentile(ordered, 0.5),
            "p95": percentile(ordered, 0.95),
            "max": percentile(ordered, 1.0),
            "trained_tokens": self.trained,
            "billed_tokens": billed,
            "epochs": epochs,
            "billed_tokens_total": billed * epochs,
            "model": model.name,
            "encoding": model.encoding,
            "price_per_million": price,
            "price_read": model.price_read,
            "estimated_cost_usd": cost,
            "estimate": model.estimate,
            "histogram": histogram(ordered, limit),
        }

    def finish(self) -> Iterator[Finding]:
        s = self.summary()
        if s["examples"] == 0:
            return
        cost = (
            f"; estimated cost ${s['estimated_cost_usd']:,.2f} at ${s['price_per_million']:.2f}/1M "
            f"tokens (price read {s['price_read']})"
            if s["estimated_cost_usd"] is not None
            else "; no price for this model"
        )
        counted = "estimated with" if s["estimate"] else "counted with"
        yield Finding(
            f"{s['examples']:,} examples, {s['tokens']:,} tokens ({counted} {s['encoding']} for "
            f"{s['model']}); per example min {s['min']:,}, median {s['median']:,}, p95 "
            f"{s['p95']:,}, max {s['max']:,}; {s['trained_tokens']:,} trained tokens; "
            f"{s['billed_tokens']:,} billed tokens × {s['epochs']} epochs = "
            f"{s['billed_tokens_total']:,}{cost}",
            data=s,
        )
