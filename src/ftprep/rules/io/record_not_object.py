from __future__ import annotations

from ftprep.core.diagnostic import Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import Rule


class RecordNotObject(Rule):
    """## What it does
    Reports a JSONL line that is valid JSON but not an object (an array, a string, a number).

    ## Why is this bad?
    Every trainer expects one JSON object per line; OpenAI answers "Line 1 is not a
    dictionary" after the upload.

    ## Example
    ```jsonl
    ["What is 2+2?", "4"]
    ```

    ## Use instead
    ```jsonl
    {"prompt": "What is 2+2?", "completion": " 4"}
    ```

    ## Options
    None.

    ## Fix safety
    Unsafe: the fix moves the line to the rejected file. Convert list rows with
    `ftprep convert --map prompt=0 --map completion=1` instead.

    ## References
    - openai/openai-python#426
    """

    code = "IO003"
    name = "record-not-object"
    group = "io"
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS
    reported_by_reader = True
