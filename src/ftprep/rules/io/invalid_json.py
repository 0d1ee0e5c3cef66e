from __future__ import annotations

from ftprep.core.diagnostic import Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import Rule


class InvalidJson(Rule):
    """## What it does
    Reports a JSONL line or JSON document that does not parse, with its line, column and
    the parser's own message.

    ## Why is this bad?
    Providers reject the whole file for one bad line ("invalid JSONL on line 1834"), after
    the upload. An object pretty-printed over several lines of a `.jsonl` file is the most
    common cause.

    ## Example
    ```jsonl
    {"prompt": "Hello", "completion": " Hi"
    ```

    ## Use instead
    ```jsonl
    {"prompt": "Hello", "completion": " Hi"}
    ```

    ## Options
    None.

    ## Fix safety
    Unsafe: the fix moves the line to the rejected file, so that the rest of the data can
    be used; the line itself is never repaired, because guessing JSON repairs corrupts data.

    ## References
    - openai-php/client#107, pre-commit/pre-commit-hooks#1161
    """

    code = "IO002"
    name = "invalid-json"
    group = "io"
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS
    reported_by_reader = True
