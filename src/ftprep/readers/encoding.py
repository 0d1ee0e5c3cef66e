"""Text encodings: checking that a file decodes, and advice that works when it does not.

Inputs must be UTF-8 unless ``--encoding`` says otherwise. When they are not, the advice
names the encoding that decodes the *whole* file with the most plausible text, found by
charset-normalizer (which weighs how chaotic and how coherent each decoding reads) and
then confirmed by decoding every byte: advice that fails when followed is worse than none.
Every error names the line and column, not only a byte offset.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator

# Byte-order marks of the encodings a text reader cannot take as UTF-8 by accident.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# When decodings read equally well, the commoner encoding is the likelier one: cp1250 and
# cp1252 both decode a Western text with a `£`, but only one of them is what Excel wrote.
_PREFERRED = [
    "utf_8",
    "ascii",
    "cp1252",
    "latin_1",
    "utf_16",
    "utf_32",
    "gb18030",
    "gbk",
    "gb2312",
    "cp932",
    "shift_jis",
    "euc_jp",
    "big5",
    "cp950",
    "euc_kr",
    "cp949",
    "cp1251",
    "koi8_r",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "cp874",
    "iso8859_15",
    "iso8859_2",
    "iso8859_5",
    "iso8859_7",
    "iso8859_9",
    "mac_roman",
]
# Detection reads at most this much; candidates are then checked against every byte.
DETECT_BYTES = 32 * 1024 * 1024
BLOCK = 8 * 1024 * 1024


class EncodingProblem(Exception):
    """Bytes that do not decode, with where they are and what would decode them."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def canonical(name: str) -> str:
    """Python's own name for an encoding (``UTF8`` and ``utf-8`` are ``utf-8``)."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise EncodingProblem(
            f"unknown encoding {name!r}; give a Python codec name such as cp1252, gbk, "
            "shift_jis, cp1251 or utf-16"
        ) from None


def is_utf8(name: str | None) -> bool:
    return name is None or canonical(name) in ("utf-8", "utf-8-sig")


def wide_encoding(head: bytes) -> str | None:
    """``utf-16``/``utf-32`` when the head of a file is plainly in one of them."""
    for bom, name in _WIDE_BOMS:
        if head.startswith(bom):
            return name
    sample = head[:4096]
    # ASCII text in UTF-16 puts a NUL beside every character; UTF-8 text holds none.
    if len(sample) >= 16 and sample.count(0) > len(sample) // 4:
        return "utf-16"
    return None


def candidates(data: bytes, limit: int = 3) -> list[str]:
    """Encodings that decode all of ``data``, the most plausible first."""
    from charset_normalizer import from_bytes

    sample = data[:DETECT_BYTES]
    wide = wide_encoding(sample)
    if wide is not None:
        return [wide]
    ranked = []
    for match in from_bytes(sample):
        # Encodings that give the very same text read equally well: rank each of them.
        for encoding in match.could_be_from_charset or [match.encoding]:
            name = canonical(encoding)
            if name in ("utf-8", "ascii"):
                continue
            common = encoding in _PREFERRED
            order = _PREFERRED.index(encoding) if common else len(_PREFERRED)
            # Little chaos (odd symbols, mixed scripts) and much coherence (the letters'
            # frequencies fit a language); rare code pages must read clearly better.
            score = match.chaos - 0.5 * match.coherence + (0.0 if common else 0.05)
            ranked.append((round(score, 3), order, name))
    ranked.sort()
    out: list[str] = []
    for *_, name in ranked:
        if name not in out and _decodes(data, name):
            out.append(name)
        if len(out) == limit:
            break
    return out


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def position(
    data: bytes, offset: int, first_line: int = 1, encoding: str = "utf-8"
) -> tuple[int, int]:
    """(line, column) of a byte offset, both 1-based; the column counts characters."""
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode(encoding, "replace")) + 1
    return first_line + data.count(b"\n", 0, offset), column


def advice(whole: bytes, tried: str = "utf-8") -> str:
    """What to do about a file that does not decode as ``tried``."""
    found = [c for c in candidates(whole) if c != tried]
    if not found:
        return "no common encoding decodes the whole file; save it as UTF-8"
    if found[0] in ("utf-16", "utf-32"):
        return f"the file is {found[0].upper()}: re-run with --encoding {found[0]}"
    others = f" (other candidates: {', '.join(found[1:])})" if len(found) > 1 else ""
    return (
        f"the whole file decodes as {found[0]}{others}: re-run with --encoding {found[0]}, "
        "or save it as UTF-8"
    )


def problem_at(
    data: bytes, offset: int, encoding: str, whole: bytes, first_line: int = 1
) -> EncodingProblem:
    """The error for bytes of ``data`` at ``offset`` that do not decode as ``encoding``."""
    name = canonical(encoding)
    line, column = position(data, offset, first_line, name)
    byte = f"byte 0x{data[offset]:02x}" if offset < len(data) else "a truncated character"
    what = "not valid UTF-8" if name in ("utf-8", "utf-8-sig") else f"cannot decode as {name}"
    return EncodingProblem(
        f"{what} at line {line}, column {column} ({byte}); {advice(whole, name)}", line, column
    )


def check_stream(
    blocks: Iterable[bytes], encoding: str, reread: Callable[[], Iterator[bytes]]
) -> None:
    """Decode every block as ``encoding``; raise :class:`EncodingProblem` at the first error.

    ``reread()`` yields the file again from its start: only on error, for the advice.
    """
    name = canonical(encoding)
    decoder = codecs.getincrementaldecoder(name)()
    lines, previous = 1, b""  # ``previous`` (the last block) starts on line ``lines``
    for block in _then_empty(blocks):
        pending = decoder.getstate()[0]
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            data = previous + block
            offset = len(previous) - len(pending) + exc.start
            whole = b"".join(_limited(reread()))
            raise problem_at(data, offset, name, whole, lines) from None
        lines += previous.count(b"\n")
        previous = block


def _then_empty(blocks: Iterable[bytes]) -> Iterator[bytes]:
    yield from blocks
    yield b""


def _limited(blocks: Iterator[bytes]) -> Iterator[bytes]:
    taken = 0
    for block in blocks:
        yield block
        taken += len(block)
        if taken >= DETECT_BYTES:
            return


def file_blocks(path: str, block: int = BLOCK) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            yield chunk


def memory_blocks(data: bytes, block: int = BLOCK) -> Iterator[bytes]:
    for start in range(0, len(data), block):
        yield data[start : start + block]


def damaged_lines_hint(whole: bytes) -> str:
    """Advice for the lines of a line-oriented file that are not UTF-8.

    When most lines with non-ASCII text are valid UTF-8, the file is UTF-8 and the others
    are damaged; otherwise the whole file is probably in another encoding.
    """
    valid = damaged = 0
    for line in whole.split(b"\n"):
        if line.isascii():
            continue
        if _decodes(line, "utf-8"):
            valid += 1
        else:
            damaged += 1
    if valid > damaged:
        return (
            f"the file's other {valid:,} lines with non-ASCII text are UTF-8, so this "
            "line's bytes are damaged: fix them, or let --fix --unsafe-fixes reject the line"
        )
    return advice(whole)


def line_problem(raw: bytes, hint: str) -> str | None:
    """The message for one line that is not UTF-8 (None when it is)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _, column = position(raw, exc.start)
        return f"not valid UTF-8 at column {column} (byte 0x{raw[exc.start]:02x}); {hint}"
    return None
