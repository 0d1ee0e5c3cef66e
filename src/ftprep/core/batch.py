"""A batch: the records of one job, seen together by rules and collectors."""

from __future__ import annotations

from dataclasses import dataclass

from ftprep.core.model import Record
from ftprep.core.text_index import TextIndex


@dataclass(slots=True)
class Batch:
    """The records of one job that rules and collectors see together, with what is computed
    once for all of them.

    ``index`` is the texts of the batch scanned together (:mod:`ftprep.core.text_index`),
    from which prefilters rule most records out at C speed; ``collapsed`` is every top-level
    string value with whitespace runs collapsed, by ``id()`` of the value (alive as long as
    its record), which the duplicate and label tallies both compare.
    """

    records: list[Record]
    collapsed: dict[int, str] | None = None
    _index: TextIndex | None = None

    @property
    def index(self) -> TextIndex:
        """The batch's texts, indexed once for every prefilter and collector that scans them."""
        if self._index is None:
            self._index = TextIndex(self.records)
        return self._index
