"""Every text of a batch of records, indexed once for the whole batch.

Most records hold nothing that a text rule looks for. Asking each text costs a few Python
calls per text per rule, more than the C work behind them; asking a whole job's texts at
once costs one C-speed pass. The engine evaluates rules' prefilters
(:mod:`ftprep.core.prefilter`) with these scans to find the few records worth a closer look,
and collectors sum counts over a field with them.

The scans are ``bytes.translate`` calls that delete every byte but the ones of interest:
what is left is short, so its length (or a split of it) answers for the whole batch.
"""

from __future__ import annotations

from functools import cache

from ftprep.core.model import Record
from ftprep.core.texts import ascii_profile, rarest_char, record_texts

# Joins the texts of a batch: no rule looks for a NUL, and a NUL is a control character,
# so a text holding one is found by the control scan and handled one by one.
SEPARATOR = "\x00"
# The fewest digits of a phone number (rules.privacy._patterns): texts with fewer need no
# phone search.
MANY_DIGITS = 9

_CONTROLS = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_DIGITS = b"0123456789"
_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_LOWER = bytes(range(ord("a"), ord("z") + 1))


def _all_but(keep: bytes) -> bytes:
    """The bytes ``translate`` must delete to keep only ``keep``."""
    return bytes(b for b in range(256) if b not in keep)


_NOT_CONTROL = _all_but(_CONTROLS)
_NOT_DIGIT_OR_SEPARATOR = _all_but(_DIGITS + SEPARATOR.encode())
_NOT_UPPER = _all_but(_UPPER)


class TextIndex:
    """The trainable texts of a batch's records (:func:`ftprep.core.texts.record_texts`), flattened.

    Text ``i`` is ``texts[i]`` at ``pointers[i]`` in record ``owners[i]``, in record order.
    """

    def __init__(self, records: list[Record]) -> None:
        per_record = [record_texts(record) for record in records]
        self.owners: list[Record] = [
            r for r, texts in zip(records, per_record, strict=True) for _ in texts
        ]
        items = [item for texts in per_record for item in texts]
        self.pointers: tuple[str, ...] = ()
        self.texts: tuple[str, ...] = ()
        if items:
            self.pointers, self.texts, _roles = zip(*items, strict=True)
        self._joined: str | None = None
        self._non_ascii: list[int] | None = None
        self._ascii_texts: tuple[str, ...] | None = None
        self._bytes: bytes | None = None
        self._controls: list[int] | None = None
        self._many_digits: list[int] | None = None

    @property
    def joined(self) -> str:
        """Every text, joined by :data:`SEPARATOR`: one substring test for the batch."""
        if self._joined is None:
            self._joined = SEPARATOR.join(self.texts)
        return self._joined

    def containing(self, needle: str) -> list[int]:
        """Ids of the texts that contain ``needle`` (which must not contain the separator)."""
        if needle not in self.joined:
            return []
        return [i for i, text in enumerate(self.texts) if needle in text]

    def containing_any(self, needles: tuple[str, ...]) -> list[int]:
        """Ids of the texts that contain any of ``needles``, in order. Each needle is first
        looked for in the joined texts through its rarest character (a memchr-speed search
        that usually ends it), then as a whole; only the texts of those present are asked."""
        joined = self.joined
        present = [n for n in needles if _probe(n) in joined and n in joined]
        if not present:
            return []
        if len(present) == 1:
            return self.containing(present[0])
        return [i for i, text in enumerate(self.texts) if any(n in text for n in present)]

    @property
    def all_ascii(self) -> bool:
        return self.joined.isascii()

    @property
    def non_ascii(self) -> list[int]:
        """Ids of the texts with a character beyond ASCII (rules check those one by one)."""
        if self._non_ascii is None:
            self._non_ascii = (
                []
                if self.all_ascii
                else [i for i, text in enumerate(self.texts) if not text.isascii()]
            )
        return self._non_ascii

    @property
    def ascii_texts(self) -> tuple[str, ...]:
        """The texts, with those beyond ASCII left empty (rules check them one by one)."""
        if self._ascii_texts is None:
            self._ascii_texts = (
                self.texts
                if self.all_ascii
                else tuple(text if text.isascii() else "" for text in self.texts)
            )
        return self._ascii_texts

    def _ascii_bytes(self) -> bytes:
        """The ASCII texts joined by the separator, as bytes."""
        if self._bytes is None:
            joined = self.joined if self.all_ascii else SEPARATOR.join(self.ascii_texts)
            self._bytes = joined.encode("ascii")
        return self._bytes

    @property
    def controls(self) -> list[int]:
        """Ids of the ASCII texts holding a control character other than tab, line feed and
        carriage return."""
        if self._controls is None:
            kept = self._ascii_bytes().translate(None, _NOT_CONTROL)
            if len(kept) == max(len(self.texts) - 1, 0):  # the separators alone
                self._controls = []
            else:
                self._controls = [i for i, text in enumerate(self.ascii_texts) if _profile(text)[2]]
        return self._controls

    @property
    def many_digits(self) -> list[int]:
        """Ids of the ASCII texts with at least :data:`MANY_DIGITS` digits."""
        if self._many_digits is None:
            kept = self._ascii_bytes().translate(None, _NOT_DIGIT_OR_SEPARATOR)
            per_text = kept.split(SEPARATOR.encode())
            if len(per_text) == len(self.texts):
                self._many_digits = [i for i, d in enumerate(per_text) if len(d) >= MANY_DIGITS]
            else:  # a text holds the separator itself
                self._many_digits = [
                    i for i, text in enumerate(self.ascii_texts) if _profile(text)[3] >= MANY_DIGITS
                ]
        return self._many_digits

    def case_counts(self) -> dict[str, tuple[int, int]]:
        """Per pointer: (uppercase, lowercase) ASCII letters over its ASCII texts."""
        groups: dict[str, list[str]] = {}
        for pointer, text in zip(self.pointers, self.ascii_texts, strict=True):
            groups.setdefault(pointer, []).append(text)
        counts = {}
        for pointer, texts in groups.items():
            data = "".join(texts).encode("ascii")
            upper = len(data.translate(None, _NOT_UPPER))
            counts[pointer] = (
                upper,
                len(data) - upper - len(data.translate(None, _LOWER + _UPPER)),
            )
        return counts

    def owners_of(self, ids: list[int]) -> list[Record]:
        """The records holding these texts, each once, in record order."""
        owners = self.owners
        out: list[Record] = []
        for i in sorted(set(ids)):
            if not out or out[-1] is not owners[i]:
                out.append(owners[i])
        return out


def _profile(text: str) -> tuple[int, int, int, int]:
    profile = ascii_profile(text)
    assert profile is not None  # only ASCII texts are profiled
    return profile


@cache
def _probe(needle: str) -> str:
    return rarest_char(needle)
