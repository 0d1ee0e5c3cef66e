from __future__ import annotations

from ftprep.core.diagnostic import Severity
from ftprep.core.rule import Rule, Scope


class UnreadableFile(Rule):
    """## What it does
    Reports a file that cannot be read at all: it does not exist, its extension is not one
    ftprep reads, its bytes are not valid UTF-8, or the workbook is broken or a legacy
    `.xls` under an `.xlsx` name. It cannot be deselected or ignored, and is always an
    error: a missing `--valid` file must never pass as "All checks passed!".

    ## Why is this bad?
    Nothing in the file can be checked or trained on. Providers reject such files after the
    upload, with a message that rarely says which byte or line is at fault.

    ## Example
    A CSV exported by Excel on Windows in cp1252: `caf\\xe9` is not UTF-8.

    ## Use instead
    Save the file as UTF-8, or re-run with `--encoding cp1252` to transcode it while reading.

    ## Options
    None.

    ## Fix safety
    No fix: ftprep never guesses an encoding. The message names the line and column and the
    encoding that decodes the whole file.

    ## References
    - openai/openai-python#383 (platform default encoding), chardet/chardet#185 (wrong guesses)
    """

    code = "IO001"
    name = "unreadable-file"
    group = "io"
    scope = Scope.RECORD
    default_severity = Severity.ERROR
    reported_by_reader = True
    always_on = True
