from __future__ import annotations

from ftprep.core.diagnostic import Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import Rule


class BlankLine(Rule):
    """## What it does
    Reports empty or whitespace-only lines between the records of a JSONL file.

    ## Why is this bad?
    Some validators (Together's before 3.x, several trainers' loaders) fail on a blank line
    with "Error parsing json payload".

    ## Example
    ```jsonl
    {"prompt": "a", "completion": " b"}

    {"prompt": "c", "completion": " d"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "a", "completion": " b"}
    {"prompt": "c", "completion": " d"}
    ```

    ## Options
    None.

    ## Fix safety
    Safe: the fixed output is written without blank lines.

    ## References
    - togethercomputer/together-python `check_file` (1.5.x)
    """

    code = "IO005"
    name = "blank-line"
    group = "io"
    default_severity = Severity.INFO
    fix_availability = FixAvailability.ALWAYS
    reported_by_reader = True
