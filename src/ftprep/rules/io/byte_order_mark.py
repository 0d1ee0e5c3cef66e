from __future__ import annotations

from ftprep.core.diagnostic import Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import Rule


class ByteOrderMark(Rule):
    """## What it does
    Reports a file that starts with a UTF-8 byte-order mark (BOM). ftprep strips it while
    reading, so nothing else is affected.

    ## Why is this bad?
    Excel and Windows tools add a BOM; other tools then see the first key as `\\ufeffprompt`
    and report the `prompt` column as missing, or reject the first line as invalid JSON.

    ## Example
    A file whose first bytes are `EF BB BF 7B 22 70 72 6F 6D 70 74 22`.

    ## Use instead
    The same file without the first three bytes.

    ## Options
    None.

    ## Fix safety
    Safe: ftprep always writes UTF-8 without a BOM, so the fixed output loses it.

    ## References
    - wardi/jsonlines#95, microsoft/promptflow#4188, pandas-dev/pandas#4793
    """

    code = "IO004"
    name = "byte-order-mark"
    group = "io"
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    reported_by_reader = True
