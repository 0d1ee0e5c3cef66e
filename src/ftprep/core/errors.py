"""Exceptions for problems that stop a run (usage, config, unreadable input).

Problems *in the data* are never exceptions: they are diagnostics. These exceptions
carry a message meant for the user and map to exit code 2 in the CLI.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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
