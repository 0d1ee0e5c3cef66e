"""Exceptions for problems that stop a run (usage, config, unreadable input).

Problems *in the data* are never exceptions: they are diagnostics. These exceptions
carry a message meant for the user and map to exit code 2 in the CLI.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


class FtprepError(Exception):
    """Base class: a problem the user must fix before ftprep can run."""


class UsageError(FtprepError):
    """Bad command-line arguments or API parameters."""


class ConfigError(FtprepError):
    """An invalid profile, config file, rule selector or rule option."""


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option most like ``word`` (difflib ratio of at least 0.6), for did-you-mean hints."""
    close = difflib.get_close_matches(word, sorted(options), n=1)
    return close[0] if close else None


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when an option is close to ``word``, else an empty string."""
    match = closest(word, options)
    return f" (did you mean {match!r}?)" if match else ""


# At most this many names in a message that lists them (columns, keys, sheets).
SHOWN_NAMES = 12


def shown_names(names: Sequence[str], limit: int = SHOWN_NAMES) -> str:
    """``'a', 'b', ...`` for a message, capped: a 100,000-column header is not printed."""
    head = ", ".join(repr(n) for n in names[:limit])
    return head + (f" and {len(names) - limit:,} more" if len(names) > limit else "")
