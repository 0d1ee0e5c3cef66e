"""Record fingerprints: the stable key that fix plans and baselines use.

JSONL and spreadsheets have no comments, so a decision about a finding cannot live next to
the data. It is keyed instead by a hash of the record's content (with sorted keys, so a
re-export that reorders keys keeps its decisions) plus the rule and the pointer. Line numbers
would break on the next data drop; content hashes follow the record wherever it moves.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from ftprep.core import jsontext

DATASET = "-"  # the fingerprint of findings about no single record (class balance, a BOM)


def fingerprint(value: Any) -> str:
    """A 128-bit hex digest of a record (a dict) or of an unparseable line (its raw text)."""
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
    elif isinstance(value, bytes):
        data = value
    else:
        data = jsontext.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def finding_key(record_hash: str | None, code: str, pointer: str | None) -> tuple[str, str, str]:
    """The key of one finding: record fingerprint, rule code, pointer ('' for the record)."""
    return (record_hash or DATASET, code, pointer or "")
