from __future__ import annotations

from ftprep.core.diagnostic import Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import Rule


class QuoteSpansRows(Rule):
    """## What it does
    Reports a quoted cell of a CSV or TSV file that runs over line breaks and swallows
    what look like whole rows: its text holds a line break followed by a line with as many
    cells as the header.

    ## Why is this bad?
    Files written without quoting (GLUE-style TSVs, SMS collections) use `"` as an ordinary
    character. Read with CSV quoting, a text that starts with `"` runs to the next `"`
    anywhere below: several rows become one record holding `\\nham\\t` inside, and the
    counts still add up, so nothing else warns.

    ## Example
    ```tsv
    ham	"Come over now
    spam	Win a prize!
    ham	ok"
    ```

    ## Use instead
    Re-run with `--no-quoting` (a TSV whose every line has the header's cells is read that
    way without being asked).

    ## Options
    None.

    ## Fix safety
    No fix: the reading option decides.

    ## References
    - GLUE/SST-2 TSV files (`quoting=csv.QUOTE_NONE` in their loaders); UCI SMS Spam
      Collection
    """

    code = "IO010"
    name = "quote-spans-rows"
    group = "io"
    default_severity = Severity.WARNING
    reported_by_reader = True
    fix_availability = FixAvailability.NONE
