"""What a rule (and a collector) may know about the run: target facts, model, tokens, counts.

Its own module, below both the rule contract and the collectors, which both take it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ftprep.core.config import ModelInfo, Profile, TargetSpec
from ftprep.core.model import Kind

if TYPE_CHECKING:  # pragma: no cover
    from ftprep.core.tokens import TokenCounter


@dataclass
class RuleContext:
    """What a rule may know about the run: target facts, model, tokens, counts."""

    file: str
    split: str
    profile: Profile
    model: ModelInfo
    kind: Kind
    # Every split of the run (train, valid, reference): splits rules stay idle without a peer.
    splits: tuple[str, ...] = ("train",)
    # Declared classification data (``--map label=...``); otherwise rules infer it.
    classification: bool = False
    # Filled before finish(): how many records the split holds (all kinds).
    n_records: int = 0
    # The start and end every record's text at a pointer shares (a template's fixed words),
    # sampled from the training input; rules comparing records compare what varies.
    shared_text: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Whether those rules cut the dataset's texts into word shingles (else characters).
    word_shingles: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _counter: TokenCounter | None = None

    @property
    def target(self) -> TargetSpec:
        return self.profile.target

    @property
    def tokens(self) -> TokenCounter:
        if self._counter is None:
            from ftprep.core.tokens import TokenCounter

            self._counter = TokenCounter(self.model.encoding)
        return self._counter

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_counter"] = None
        # Callables into the main process (re-reading the input) stay there.
        state["extra"] = {k: v for k, v in self.extra.items() if k not in ("fetch", "line_of")}
        return state
