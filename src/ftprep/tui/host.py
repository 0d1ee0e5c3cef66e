"""What the review screens ask of the app that hosts them.

A protocol, so that the screens (which the app pushes) need not import the app back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ftprep.core.fixplan import Decision
from ftprep.tui.session import ReviewSession


class ReviewHost(Protocol):
    session: ReviewSession

    def load(self) -> None:
        """Read the input and lint it (in a worker), then show the summary."""

    def decide_rule(self, code: str, decision: Decision, then: Callable[[], None]) -> None:
        """Accept or reject every finding of a rule (asking first for unsafe fixes)."""
