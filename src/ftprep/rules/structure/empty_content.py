from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, DropRecord, Fix, FixAvailability
from ftprep.core.model import Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule
from ftprep.core.texts import record_texts

_TRAINED = {"completion", "assistant"}


_EMPTY = Prefilter(text=lambda text: not text or text.isspace())


class EmptyContent(Rule):
    """## What it does
    Reports text that is empty or only whitespace. An empty completion or assistant message
    is an error; an empty prompt, user or system message is a warning.

    ## Why is this bad?
    An empty answer teaches the model to answer with nothing (OpenAI's legacy tool dropped
    these rows as a "necessary" step). An empty question makes the answer unconditioned.

    ## Example
    ```jsonl
    {"prompt": "Capital of France?", "completion": ""}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "Capital of France?", "completion": " Paris"}
    ```

    ## Options
    None.

    ## Fix safety
    Unsafe: the fix drops the record (to the rejected file); it cannot invent the text.

    ## References
    - openai/openai-python `_validators.py` (`empty_completion`), axolotl-ai-cloud/axolotl#603
    """

    code = "SC006"
    name = "empty-content"
    group = "structure"
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS

    def prefilter(self) -> Prefilter:
        """One pass over the batch's texts; the few empty ones are reported per record."""
        return _EMPTY

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for pointer, text, role in record_texts(record):
            if text and not text.isspace():
                continue
            trained = role in _TRAINED
            what = "completion" if role == "completion" else f"{role or 'message'} text"
            out.append(
                Finding(
                    f"{what} is {'empty' if not text else 'only whitespace'}",
                    pointer=pointer,
                    severity_override=None if trained else Severity.WARNING,
                    fix=Fix(
                        title="Drop this record",
                        edits=(DropRecord(record=record.index),),
                        applicability=Applicability.UNSAFE,
                    ),
                )
            )
        return out
