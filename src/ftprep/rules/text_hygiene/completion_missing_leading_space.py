from __future__ import annotations

from pydantic import BaseModel

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, TextEdit
from ftprep.core.model import Kind, Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule, RuleContext


def _no_leading_space(record: Record) -> bool:
    completion = record.data.get("completion")
    return type(completion) is not str or completion[:1] != " "


_NO_LEADING_SPACE = Prefilter(record=_no_leading_space)


class CompletionMissingLeadingSpace(Rule):
    """## What it does
    Reports a completion that does not start with a whitespace character (legacy
    prompt/completion data only), where the target model's tokenizer would fold a leading
    space into the first token. A completion that starts with a digit is not reported:
    `cl100k_base` and `o200k_base` never join a space to a digit (` 5` is two tokens, `5`
    one), so the space would only add a token.

    ## Why is this bad?
    BPE tokenizers fold the space into the next word (` positive` is one token,
    `positive` another). OpenAI's legacy guidance was to start every completion with a
    space so the first token matches how the word appears in running text.

    ## Example
    ```jsonl
    {"prompt": "great film ->", "completion": "positive"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "great film ->", "completion": " positive"}
    ```

    ## Options
    None.

    ## Fix safety
    Safe: the fix prepends one space.

    ## References
    - OpenAI legacy fine-tuning guide; openai-python `_validators.py` (`completions_space_start`)
    """

    code = "WS001"
    name = "completion-missing-leading-space"
    group = "whitespace"
    targets = frozenset({Kind.COMPLETION})
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS

    def prefilter(self) -> Prefilter:
        """Only completions that do not start with a space are checked one by one."""
        return _NO_LEADING_SPACE

    def __init__(self, options: BaseModel, ctx: RuleContext) -> None:
        super().__init__(options, ctx)
        self._joins: dict[str, bool] = {}

    def joins_space(self, first: str) -> bool:
        """Whether the encoding folds a space into a token starting with ``first``."""
        found = self._joins.get(first)
        if found is None:
            count = self.ctx.tokens.count
            found = self._joins[first] = count(" " + first) == count(first)
        return found

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        completion = record.data.get("completion")
        if (
            isinstance(completion, str)
            and completion
            and not completion[0].isspace()
            and self.joins_space(completion[0])
        ):
            out.append(
                Finding(
                    "completion does not start with a space",
                    pointer="/completion",
                    fix=Fix(
                        title="Prepend a space to the completion",
                        edits=(
                            TextEdit(
                                action="prepend",
                                record=record.index,
                                pointer="/completion",
                                text=" ",
                            ),
                        ),
                        applicability=Applicability.SAFE,
                    ),
                )
            )
        return out
