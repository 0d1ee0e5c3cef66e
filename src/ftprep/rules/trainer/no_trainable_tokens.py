from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule
from ftprep.rules.trainer._trainer import LOSS_WORDS, who

_NOTHING_TRAINED = Prefilter(
    record=lambda r: r.rendering is not None and r.rendering.kept_trained == 0
)


class NoTrainableTokens(Rule):
    """## What it does
    Renders each conversation with the model's chat template (`--tokenizer`), masks it as
    the trainer does (`--trainer`, `--loss`), truncates it to `--max-length`, and reports
    conversations left with no trained token.

    ## Why is this bad?
    Such a row adds nothing but a loss of 0: runs that finish with `loss: 0.0` (TRL #6668,
    Unsloth #2095) are made of them. TRL and Axolotl drop these rows silently, so the
    dataset is smaller than it looks; other trainers spend compute on them.

    ## Example
    A conversation whose only assistant reply has `weight: 0`, or whose prompt alone fills
    the maximum length, so that truncation keeps no part of the reply.

    ## Use instead
    Give each conversation a trained reply within the maximum length: shorten the context,
    raise `--max-length`, or drop the row.

    ## Options
    None. `--tokenizer`, `--trainer`, `--loss` and `--max-length` decide what is trained.

    ## Fix safety
    No fix: what to cut is a decision about the data.

    ## References
    - TRL `SFTTrainer`: "Dropping fully masked examples"; Axolotl "Drop Samples with Zero
      Trainable Tokens"
    """

    code = "TR001"
    name = "no-trainable-tokens"
    group = "trainer"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR
    needs_rendering = True

    def prefilter(self) -> Prefilter:
        return _NOTHING_TRAINED

    def check_record(self, record: Record) -> list[Finding]:
        rendering, setup = record.rendering, self.ctx.trainer
        if rendering is None or setup is None or rendering.kept_trained != 0:
            return []
        facts = setup.trainer
        if rendering.dropped_over_length:
            return []  # TR002 says the trainer drops it for its length
        if rendering.trained == 0:
            why = f"{who(setup)} {LOSS_WORDS[facts.loss]}, and this conversation has none"
        else:
            why = (
                f"all {rendering.trained:,} trained tokens are past --max-length "
                f"{facts.max_length:,} ({rendering.n_tokens:,} tokens, truncated {facts.truncation})"
            )
        fate = f"{facts.title} drops the row" if facts.drops_unmasked else "its loss is 0"
        return [
            Finding(
                f"no token of this conversation is trained: {why}; {fate}",
                data={
                    "tokens": rendering.n_tokens,
                    "trained": rendering.trained,
                    "max_length": facts.max_length,
                },
            )
        ]
