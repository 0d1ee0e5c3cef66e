from __future__ import annotations

from ftprep.core.diagnostic import Severity
from ftprep.core.rule import Rule


class DuplicateKey(Rule):
    """## What it does
    Reports a JSON object that repeats a key.

    ## Why is this bad?
    JSON parsers keep the last value and drop the others without a word, so the data a
    trainer sees is not the data a person reads in the file.

    ## Example
    ```jsonl
    {"prompt": "Translate: cat", "completion": " chat", "completion": " gato"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "Translate: cat", "completion": " chat"}
    ```

    ## Options
    None.

    ## Fix safety
    No fix: only a person knows which value was meant.

    ## References
    - pre-commit/pre-commit-hooks#554 and #558
    """

    code = "IO006"
    name = "duplicate-key"
    group = "io"
    default_severity = Severity.ERROR
    reported_by_reader = True
