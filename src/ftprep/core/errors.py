"""Exceptions for problems that stop a run (usage, config, unreadable input).

Problems *in the data* are never exceptions: they are diagnostics. These exceptions
carry a message meant for the user and map to exit code 2 in the CLI.
"""

from __future__ import annotations


class FtprepError(Exception):
    """Base class: a problem the user must fix before ftprep can run."""


class UsageError(FtprepError):
    """Bad command-line arguments or API parameters."""


class ConfigError(FtprepError):
    """An invalid profile, config file, rule selector or rule option."""
