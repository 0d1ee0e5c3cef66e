from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Rule, Scope


class TooFewExamples(Rule):
    """## What it does
    Counts the examples in a training file: fewer than the target's minimum (OpenAI: 10) is
    an error, fewer than the advised size (100) a warning. Validation files are not counted.

    ## Why is this bad?
    OpenAI refuses to start the job (`invalid_n_examples`). Below about a hundred examples
    fine-tuning rarely beats a good prompt; OpenAI's guidance is that quality grows
    roughly linearly with every doubling of the data.

    ## Example
    A training file with 8 examples.

    ## Use instead
    At least 10 examples; 50 to 100 to see whether fine-tuning helps.

    ## Options
    None: `min-examples` and `advised-examples` are target facts in the profile.

    ## Fix safety
    No fix.

    ## References
    - OpenAI fine-tuning guide, "Example count recommendations"; openai-python `_validators.py`
    """

    code = "SC016"
    name = "too-few-examples"
    group = "structure"
    scope = Scope.DATASET
    default_severity = Severity.ERROR

    def finish(self) -> Iterator[Finding]:
        if self.ctx.split != "train":
            return  # a validation file is small by design
        n = self.ctx.n_records
        target = self.ctx.target
        if n < target.min_examples:
            yield Finding(
                f"{n} examples; the target needs at least {target.min_examples}",
                data={"examples": n, "minimum": target.min_examples},
            )
        elif n < target.advised_examples:
            yield Finding(
                f"{n} examples; at least {target.advised_examples} are advised, and quality "
                "tends to grow with every doubling",
                severity_override=Severity.WARNING,
                data={"examples": n, "advised": target.advised_examples},
            )
