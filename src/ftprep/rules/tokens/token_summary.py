from __future__ import annotations

import itertools
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pydantic import Field

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.config import epoch_defaults
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Rule, RuleContext, RuleOptions, Scope
from ftprep.core.tokens import INVALID_ROLE


class Options(RuleOptions):
    epochs: int | None = Field(default=None, ge=1)
    """Epochs to bill; default: OpenAI's heuristic for the number of examples."""
    price: float | None = Field(default=None, ge=0)
    """US dollars per 1M training tokens; default: the model's price in `rules/models.toml`."""


_Options = Options  # the class body's `Options` names the rule's attribute


# Roles past this many distinct ones (a broken export) are counted together as OTHER_ROLES.
MAX_ROLES = 20
OTHER_ROLES = "(other roles)"
# Messages that set up the conversation rather than take a turn in it.
INSTRUCTION_ROLES = frozenset({"system", "developer"})

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
    """The engine-owned token count of every record (the engine counted them once), the
    split's trained tokens, and for conversations: messages and tokens per role, and how
    many conversations have each number of turns."""

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.tokens = array("I")
        self.trained = 0
        self.role_tokens: Counter[str] = Counter()
        self.role_messages: Counter[str] = Counter()
        self.turns: Counter[int] = Counter()

    def feed(self, batch: Batch) -> None:
        role_tokens, role_messages, turns = self.role_tokens, self.role_messages, self.turns
        for record in batch.records:
            if record.tokens is None:
                continue
            self.tokens.append(record.tokens)
            self.trained += record.trained_tokens or 0
            if record.role_tokens is None:
                continue
            for role, n in record.role_tokens.items():
                if role in role_tokens or len(role_tokens) < MAX_ROLES:
                    role_tokens[role] += n
                else:
                    role_tokens[OTHER_ROLES] += n
            messages = record.data.get("messages")
            spoken = 0
            for message in messages if isinstance(messages, list) else ():
                named = message.get("role") if isinstance(message, dict) else None
                key = named if isinstance(named, str) else INVALID_ROLE
                if key not in role_tokens:
                    key = OTHER_ROLES
                role_messages[key] += 1
                spoken += key not in INSTRUCTION_ROLES
            turns[spoken] += 1

    def merge(self, other: Collector) -> None:
        assert isinstance(other, TokenCounts)
        self.tokens.extend(other.tokens)
        self.trained += other.trained
        for role, n in other.role_tokens.items():
            if role in self.role_tokens or len(self.role_tokens) < MAX_ROLES:
                self.role_tokens[role] += n
                self.role_messages[role] += other.role_messages[role]
            else:
                self.role_tokens[OTHER_ROLES] += n
                self.role_messages[OTHER_ROLES] += other.role_messages[role]
        self.turns.update(other.turns)


class TokenSummary(Rule):
    """## What it does
    Summarises the file: examples, tokens per example (min, median, p95, max), trained
    tokens (assistant turns with `weight` 0 are not trained), billed tokens (each example
    capped at the model's limit) times the epochs, and the estimated training cost with the
    date the price was read. For conversations it also gives messages and tokens per role
    and how many conversations have each number of turns (messages other than system and
    developer ones).

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
            **self.conversations(),
        }

    def conversations(self) -> dict[str, Any]:
        """Messages and tokens per role, most tokens first, and conversations per number
        of turns (messages other than system and developer ones); nothing for data that
        holds no conversations."""
        counts: TokenCounts = self.collected
        if not counts.role_tokens:
            return {}
        roles = sorted(counts.role_tokens.items(), key=lambda kv: (-kv[1], kv[0]))
        return {
            "roles": {
                role: {"messages": counts.role_messages[role], "tokens": n} for role, n in roles
            },
            "turns": [[turns, n] for turns, n in sorted(counts.turns.items())],
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
