"""The documented exit codes, shared by every command (CLI, upload, pre-commit hooks).

A module of its own so that command modules need not import the CLI (nor it them) to
agree on them.
"""

EXIT_OK = 0  # nothing to report, or the command did its job
EXIT_PROBLEMS = 1  # findings at or above --fail-on, or a fix changed the file (on request)
EXIT_ERROR = 2  # a usage or input error: nothing was written
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT); other signals exit 128 + their number


def signal_exit(signal_number: int) -> int:
    """The exit code of a run stopped by a signal."""
    return 128 + signal_number
