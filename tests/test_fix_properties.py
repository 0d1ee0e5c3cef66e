"""Property tests: on any small dataset, fixing keeps every record and fixing twice is a no-op."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftprep import api

# Texts built from the pieces the rules care about: separators, stops, spaces, case, BOMs...
PIECES = st.sampled_from(
    [
        "hello",
        "World",
        "ORDER",
        " ",
        "  ",
        "\n",
        "\n\n###\n\n",
        " ->",
        " END",
        ".",
        "?",
        "\u200b",
        "\u00a0",
        "café",
        "Ã©",
        "<|im_end|>",
        "\\n",
        "1.0",
        "#N/A",
        "",
    ]
)
TEXT = st.lists(PIECES, max_size=6).map("".join)
COMPLETION_RECORD = st.fixed_dictionaries({"prompt": TEXT, "completion": TEXT})
CHAT_RECORD = st.builds(
    lambda user, answer, extra: {
        "messages": [
            {"role": "user", "content": user},
            {"role": "assistant", "content": answer},
            *extra,
        ]
    },
    TEXT,
    TEXT,
    st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["user", "assistant", "gpt"]), "content": TEXT}
        ),
        max_size=2,
    ),
)
DATASETS = st.one_of(
    st.lists(COMPLETION_RECORD, min_size=1, max_size=12),
    st.lists(CHAT_RECORD, min_size=1, max_size=12),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=DATASETS, unsafe=st.booleans())
def test_fixing_keeps_every_record_and_is_idempotent(records: list[dict], unsafe: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        once, twice = Path(tmp) / "once.jsonl", Path(tmp) / "twice.jsonl"
        first = api.fix(str(src), str(once), unsafe=unsafe)
        assert first.read == len(records)
        assert first.read == first.written + first.rejected
        assert len(once.read_bytes().splitlines()) == first.written
        second = api.fix(str(once), str(twice), unsafe=unsafe)
        assert sum(second.applied.values()) == 0, second.applied
        assert twice.read_bytes() == once.read_bytes()
        assert not first.not_converged
