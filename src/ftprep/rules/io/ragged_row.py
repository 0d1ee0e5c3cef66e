from __future__ import annotations

from ftprep.core.diagnostic import Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import Rule


class RaggedRow(Rule):
    """## What it does
    Reports table rows (CSV, TSV, XLSX) whose cells do not line up with the header: a row
    with more cells than the header, a row with text in unnamed columns after the last
    named one, and a row with fewer cells than the header.

    ## Why is this bad?
    Each shape silently moves or drops text. A message holding an unquoted comma spills
    into the next, unnamed columns (Kaggle's `spam.csv` has `v1,v2,,,`), and mapping `v2`
    would train on the first half of the message only; a row with more cells than the
    header has lost its column boundaries altogether.

    ## Example
    ```csv
    v1,v2,,
    ham,"Ok lar, see you",,
    spam,Free entry, win a prize, text WIN now
    ```

    ## Use instead
    ```csv
    v1,v2
    ham,"Ok lar, see you"
    spam,"Free entry, win a prize, text WIN now"
    ```

    ## Options
    None.

    ## Fix safety
    No fix. While reading, text spilled into unnamed trailing columns is joined back into
    the last named column with the delimiter (so nothing is lost, and the finding says so);
    a row with more cells than the header is rejected with its cells, and missing cells of
    a short row read as empty. Quote the cells in the source.

    ## References
    - Kaggle SMS Spam Collection `spam.csv` (`v1,v2,Unnamed: 2,...`); pandas "Expected N
      fields" (pandas-dev/pandas#5686)
    """

    code = "IO009"
    name = "ragged-row"
    group = "io"
    default_severity = Severity.WARNING
    reported_by_reader = True
    fix_availability = FixAvailability.NONE
