"""Prefilters: which records of a batch a rule's check could find anything in.

A record rule has one check, written for one record. Most records hold nothing it looks
for, and asking each record costs more Python calls than the C work that could rule it out,
so a rule may declare what its findings need: a text containing one of some needles, a
character beyond ASCII, a control character, a long run of digits, or a test of a text or a
record. The engine answers that for the whole batch with its text index
(:mod:`ftprep.core.text_index`) and calls the check only on the records it lets through.

A prefilter may let through records without findings; it must never hold back one with a
finding (``tests/test_batch_checks.py`` checks every rule's prefilter against checking
every record).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ftprep.core.batch import Batch
from ftprep.core.model import Record


@dataclass(frozen=True)
class Prefilter:
    """What a record needs for a rule to find anything in it: any one criterion suffices.

    Text criteria are met when any of the record's texts (:func:`ftprep.core.texts.record_texts`)
    meets them; ``record`` is asked of records the text criteria did not let through.
    """

    # A text contains one of these (none may contain a NUL, the index's separator).
    needles: tuple[str, ...] = ()
    # A text has a character beyond ASCII...
    non_ascii: bool = False
    # ... or, when set, a non-ASCII text passes this test (an ASCII text never can).
    non_ascii_text: Callable[[str], object] | None = None
    # A text holds an ASCII control character other than tab, line feed and carriage return.
    controls: bool = False
    # An ASCII text holds at least ``text_index.MANY_DIGITS`` digits.
    many_digits: bool = False
    # A text passes this test (one comprehension over the batch's texts).
    text: Callable[[str], object] | None = None
    # The record passes this test.
    record: Callable[[Record], object] | None = None


def select(batch: Batch, prefilter: Prefilter) -> list[Record]:
    """The batch's records that ``prefilter`` lets through, in record order."""
    if (
        prefilter.needles
        or prefilter.non_ascii
        or prefilter.non_ascii_text
        or (prefilter.controls or prefilter.many_digits or prefilter.text)
    ):
        index = batch.index
        ids: list[int] = []
        if prefilter.needles:
            ids += index.containing_any(prefilter.needles)
        if prefilter.non_ascii:
            ids += index.non_ascii
        elif prefilter.non_ascii_text is not None:
            test = prefilter.non_ascii_text
            ids += [i for i in index.non_ascii if test(index.texts[i])]
        if prefilter.controls:
            ids += index.controls
        if prefilter.many_digits:
            ids += index.many_digits
        if prefilter.text is not None:
            test = prefilter.text
            ids += [i for i, text in enumerate(index.texts) if test(text)]
        found = index.owners_of(ids)
    else:
        found = []
    if prefilter.record is None:
        return found
    test_record = prefilter.record
    if not found:
        return [r for r in batch.records if test_record(r)]
    seen = {id(r) for r in found}
    found += [r for r in batch.records if id(r) not in seen and test_record(r)]
    found.sort(key=lambda r: r.index)
    return found
