"""What a rule (and a collector) may know about the run: target facts, model, tokens, counts.

Its own module, below both the rule contract and the collectors, which both take it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ftprep.core.config import ModelInfo, Profile, TargetSpec
from ftprep.core.location import SourceInfo
from ftprep.core.model import Kind

if TYPE_CHECKING:  # pragma: no cover
    from ftprep.core.rendering import TrainerSetup
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
    # The tokenizer, chat template and trainer the run checks against (``--tokenizer``).
    trainer: TrainerSetup | None = None
    # Set by the engine in the main process once the split is read: where the split comes
    # from, the line of a record by its index, and
    # a second read of chosen records (``fetch(indexes, keep=None)``: each record, or what
    # ``keep`` makes of it), for dataset rules that confirm a few findings on the text.
    info: SourceInfo | None = None
    line_of: Callable[[int], int | None] | None = None
    fetch: Callable[..., dict[int, Any]] | None = None
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
        # Callables into the main process (re-reading the input) stay there.
        state["fetch"] = state["line_of"] = None
        return state
