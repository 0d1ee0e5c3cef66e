from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule

_CUT = Prefilter(
    record=lambda r: (
        r.rendering is not None
        and (
            r.rendering.dropped_over_length
            or (bool(r.rendering.cut) and bool(r.rendering.kept_trained))
        )
    )
)


class TruncationCutsTrained(Rule):
    """## What it does
    Reports conversations longer than `--max-length` once rendered with the model's chat
    template: how many trained tokens truncation cuts and from which messages, or that
    the trainer drops the whole row (Axolotl's default `excess_length_strategy: drop`).

    ## Why is this bad?
    Truncation cuts the end of a row, where the answer is: the model learns replies that
    stop mid-sentence and never sees their end-of-turn token. Trainers that drop long rows
    do it without a word: 300 rows become 70 (LLaMA-Factory #7985, #7508).

    ## Example
    A 3,000-token conversation with `--max-length 2048`: the last reply loses 952 tokens.

    ## Use instead
    Split long conversations into shorter ones, shorten the context, or raise
    `--max-length` (and the trainer's setting with it).

    ## Options
    None. `--max-length` and `--trainer` (its truncation side) decide it.

    ## Fix safety
    No fix: where to split a conversation is a decision about the data.

    ## References
    - TRL `SFTConfig.max_length`, `truncation_mode`; Axolotl `sequence_len`,
      `excess_length_strategy`; LLaMA-Factory `cutoff_len`
    """

    code = "TR002"
    name = "truncation-cuts-trained"
    group = "trainer"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.WARNING
    needs_rendering = True

    def prefilter(self) -> Prefilter:
        return _CUT

    def check_record(self, record: Record) -> list[Finding]:
        rendering, setup = record.rendering, self.ctx.trainer
        if rendering is None or setup is None:
            return []
        facts = setup.trainer
        over = f"{rendering.n_tokens:,} tokens, over --max-length {facts.max_length:,}"
        data = {"tokens": rendering.n_tokens, "max_length": facts.max_length}
        if rendering.dropped_over_length:
            return [Finding(f"{over}: {facts.title} drops this row", data=data)]
        if not rendering.cut or not rendering.kept_trained:
            return []  # nothing trained is cut, or nothing is left (TR001)
        lost = sum(n for _, n in rendering.cut)
        where = ", ".join(
            f"message {i} loses {n:,}" if i >= 0 else f"{n:,} outside any message"
            for i, n in rendering.cut
        )
        first = next((i for i, _ in rendering.cut if i >= 0), None)
        return [
            Finding(
                f"{over}: truncation ({facts.truncation}) cuts {lost:,} of "
                f"{rendering.trained:,} trained tokens ({where})",
                pointer=f"/messages/{first}" if first is not None else None,
                data={**data, "cut": lost, "trained": rendering.trained},
            )
        ]
