"""Every rule's prefilter against checking every record, and collectors against one batch.

A prefilter is an optimisation: the engine checks only the records it lets through, so it
must never hold back a record with a finding. Each rule with one runs both ways over the
same records (the per-rule case files, texts built to hit every scan's edge, and the corpus
when present) and must report the same findings. Collectors fed many batches (merged as the
engine merges workers') must conclude what one batch concludes. The text index's scans and
their one-by-one fallbacks (a text holding the NUL that joins them) are held to the
per-text profiles.
"""

from __future__ import annotations

import pickle
import random
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import orjson
import pytest
import yaml

from ftprep.core import text_index
from ftprep.core.batch import Batch
from ftprep.core.model import Kind, Record, detect_kind
from ftprep.core.prefilter import select
from ftprep.core.rule import Rule, RuleContext, Scope
from ftprep.core.text_index import TextIndex
from ftprep.core.texts import ascii_profile, record_texts
from ftprep.pipeline import RunOptions, make_plan
from ftprep.rules import REGISTRY

from .conftest import CORPUS, FIXTURES
from .corpus_mappings import REQUIRED

# The TR rules' prefilters read renderings, which random texts without a tokenizer lack:
# tests/test_trainer_fidelity.py holds them to the same promise on rendered records.
PREFILTER_RULES = sorted(
    code
    for code, cls in REGISTRY.items()
    if cls.prefilter is not Rule.prefilter and not cls.needs_rendering
)

# Characters every scan cares about: controls, NUL (the join separator), line breaks,
# digits, @, backslashes, brackets, non-ASCII letters, digits of other scripts, invisible
# characters, mojibake, form feeds.
ALPHABET = (
    "aAbBzZ  \t\n\r\x00\x01\x1f\x7f\x0b\x0c0123456789@\\<>[]|/:-_.+()é\u00a0\u200b\u0663\u0660ÃÂ€™"
)
SNIPPETS = [
    "<|endoftext|>",
    "[INST]",
    "\\n",
    "a\\tb",
    "+1 (555) 123-4567",
    "06 12 34 56 78",
    "mail me at a.b@example.com",
    "Ã©tÃ©",
    "sk-proj-Ab3dEf9hIjK1mNoPqR2tUvWxYz0123456789",
    "ghp_Ab3dEf9hIjK1mNoPqR2tUvWxYz0123456789",
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Ab3dEf9hIjK1mNoPqR2tUvW",
    "https://user:Xy7pQ2rT9wZk@db.example.org",
    "#N/A",
    "nan",
    "=SUM(A1:A3)",
    "\u00a0=SUM(A1:A3) of a long enough formula  \n",
    "\u00a0#N/A\t",
    " =SUM(A1:A3) after one leading space",
    "\t =TODAY() after a tab and a space, long",
    " a completion with its leading space, long enough",
    "1.0",
    "   ",
    "",
    " positive",
    "POSITIVE",
]


def random_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 6)):
        if rng.random() < 0.3:
            parts.append(rng.choice(SNIPPETS))
        else:
            parts.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30))))
    return "".join(parts)


def random_records(seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    labels = [" yes", " no", " maybe\n", "yes", " YES"]
    for _ in range(n):
        roll = rng.random()
        if roll < 0.5:
            completion = rng.choice(labels) if rng.random() < 0.5 else random_text(rng)
            out.append({"prompt": random_text(rng), "completion": completion})
        elif roll < 0.6:
            out.append({"prompt": random_text(rng), "completion": 3})  # not a string
        else:
            messages = [{"role": "system", "content": random_text(rng)}]
            for _ in range(rng.randint(1, 3)):
                messages.append({"role": "user", "content": random_text(rng)})
                messages.append({"role": "assistant", "content": random_text(rng)})
            out.append({"messages": messages})
        if rng.random() < 0.1:
            out.append(dict(out[-1]))  # an exact copy, for the duplicate rule
    return out


def objects(lines: Iterable[str | bytes]) -> Iterator[dict[str, Any]]:
    """The JSON objects among these lines."""
    for line in lines:
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(data, dict):
            yield data


def case_records() -> list[dict[str, Any]]:
    out = []
    for path in sorted((FIXTURES / "rules").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            out.extend(objects(case.get("jsonl", "").splitlines()))
    return out


def corpus_records(per_file: int = 400) -> list[dict[str, Any]]:
    """The first records of every JSONL file of the corpus (every layout it holds)."""
    out: list[dict[str, Any]] = []
    for path in sorted(CORPUS.glob("**/*.jsonl")) if CORPUS.is_dir() else []:
        with open(path, "rb") as fh:
            out.extend(islice(objects(fh), per_file))
    return out


DATASETS = {
    "case files": case_records,
    "random texts": lambda: random_records(7, 1500),
    "corpus": corpus_records,
}


def make_records(rows: list[dict[str, Any]]) -> list[Record]:
    records = []
    for i, data in enumerate(rows):
        record = Record(i, data, i + 1)
        record.kind = detect_kind(data) or Kind.CHAT
        records.append(record)
    return records


def finding_key(record_index: int | None, finding: Any) -> tuple:
    return (
        record_index,
        finding.record,
        finding.message,
        finding.pointer,
        repr(finding.fix),
        repr(finding.data),
        finding.severity_override,
    )


def run_rule(code: str, kind: Kind, records: list[Record], prefiltered: bool) -> list[tuple]:
    """A rule's record findings over ``records``: checking those its prefilter lets
    through, or every one."""
    # A limit the random records cross now and then, so that TK001's prefilter is tried.
    options = {"TK001": {"max_tokens": 40}}
    plan = make_plan(kind, RunOptions(select=[code], rule_options=options))
    planned = plan.by_code[code]
    ctx = RuleContext(
        file="t.jsonl", split="train", profile=plan.profile, model=plan.model, kind=kind
    )
    ctx.n_records = len(records)
    rule: Rule = planned.cls(planned.options, ctx)
    wanted = [
        Record(r.index, r.data, r.line, r.kind, r.tokens)
        for r in records
        if r.kind in planned.cls.targets
    ]
    for record in wanted:  # what the engine counts before any rule sees the record
        record.tokens = sum(len(text) // 3 for _, text, _ in record_texts(record))
    prefilter = rule.prefilter()
    assert prefilter is not None
    checked = select(Batch(wanted), prefilter) if prefiltered else wanted
    return [finding_key(r.index, f) for r in checked for f in rule.check_record(r)]


@pytest.mark.parametrize("dataset", list(DATASETS))
@pytest.mark.parametrize("code", PREFILTER_RULES)
def test_prefilter_never_hides_a_finding(code: str, dataset: str) -> None:
    rows = DATASETS[dataset]()
    if not rows:
        assert not REQUIRED, f"the shared corpus is required here and missing: {CORPUS}"
        pytest.skip(f"the shared corpus is not at {CORPUS} (set FTPREP_CORPUS)")
    records = make_records(rows)
    for kind in {r.kind for r in records}:
        assert kind is not None
        every = run_rule(code, kind, records, prefiltered=False)
        assert run_rule(code, kind, records, prefiltered=True) == every


def test_prefilters_find_something_to_rule_out() -> None:
    """Each prefilter lets through fewer records than it is given, on the random texts
    (a prefilter letting everything through would be no prefilter)."""
    records = make_records(random_records(5, 600))
    for code in PREFILTER_RULES:
        options = {"TK001": {"max_tokens": 40}}
        plan = make_plan(Kind.COMPLETION, RunOptions(select=[code], rule_options=options))
        planned = plan.by_code[code]
        ctx = RuleContext(
            file="t.jsonl",
            split="train",
            profile=make_plan(Kind.COMPLETION, RunOptions()).profile,
            model=make_plan(Kind.COMPLETION, RunOptions()).model,
            kind=Kind.COMPLETION,
        )
        prefilter = planned.cls(planned.options, ctx).prefilter()
        assert prefilter is not None
        wanted = [r for r in records if r.kind in planned.cls.targets]
        for record in wanted:
            record.tokens = sum(len(text) // 3 for _, text, _ in record_texts(record))
        let_through = select(Batch(wanted), prefilter)
        assert 0 < len(let_through) < len(wanted), code


def test_the_hot_rules_have_prefilters_and_tallies_are_collectors() -> None:
    """The rules that scan every text take a prefilter; every dataset tally is a collector,
    and no rule keeps state of its own or has a second check path."""
    assert {"WS003", "WS004", "WS006", "PV001", "TK002", "SC006", "IO007"} <= set(PREFILTER_RULES)
    assert {"CB001", "TK003", "DP001", "DP002", "WS005", "PV002", "IO007", "IO008"} <= set(
        COLLECTOR_RULES
    )
    for code, cls in REGISTRY.items():
        for old in ("check_batch", "check_each", "state", "merge", "wants_records"):
            assert not hasattr(cls, old), f"{code} still has {old}"


COLLECTOR_RULES = sorted(
    code
    for code, cls in REGISTRY.items()
    if cls.collects is not Rule.collects and cls.scope is not Scope.RECORD
)


def finish_with(code: str, kind: Kind, records: list[Record], batches: int) -> list | None:
    """A rule's findings after its collector was fed the records in ``batches`` batches,
    each in a fresh collector sent through pickle (as from a worker) and merged in order."""
    plan = make_plan(kind, RunOptions(select=[code]))
    planned = plan.by_code[code]
    ctx = RuleContext(
        file="t.jsonl",
        split="train",
        profile=plan.profile,
        model=plan.model,
        kind=kind,
        splits=("train", "valid"),
    )
    ctx.n_records = len(records)
    by_index = {r.index: r for r in records}
    ctx.fetch = lambda wanted, keep=None: {
        i: (keep(by_index[i]) if keep else by_index[i]) for i in wanted
    }
    rule: Rule = planned.cls(planned.options, ctx)
    spec = rule.collects()
    if spec is None:
        return None
    wanted = [
        Record(r.index, r.data, r.line, r.kind)
        for r in records
        if r.kind in planned.cls.targets and r.kind in spec.collector.targets
    ]
    merged = spec.create(ctx)
    size = max(1, -(-len(wanted) // batches))
    for start in range(0, len(wanted), size):
        part = spec.create(ctx)
        part.feed(Batch(wanted[start : start + size]))
        merged.merge(pickle.loads(pickle.dumps(part)))
    merged.ctx = ctx
    merged.done()
    rule.collected = merged
    return [finding_key(None, f) for f in rule.finish()]


@pytest.mark.parametrize("dataset", ["case files", "random texts"])
@pytest.mark.parametrize("code", COLLECTOR_RULES)
def test_collectors_merge_like_one_batch(code: str, dataset: str) -> None:
    """A tally fed in many batches (merged as the engine merges workers') concludes what
    one batch of every record concludes."""
    records = make_records(DATASETS[dataset]())
    for kind in sorted({r.kind for r in records}, key=str):
        assert kind is not None
        whole = finish_with(code, kind, records, 1)
        assert whole == finish_with(code, kind, records, 7)


CONTROLS = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127]))


@pytest.mark.parametrize(
    "deleted",
    ["", "\x00", CONTROLS],
    ids=["texts with NULs", "controls but no NUL", "no controls"],
)
def test_ascii_scans_match_profiles(deleted: str) -> None:
    """The index's scans say what :func:`ascii_profile` says of each text, on each path: a NUL
    in a text (the separator) sends the scans one text at a time."""
    rows = random_records(11, 800)
    # JSON escapes control characters, so delete them from the decoded strings.
    rows = [without_chars(r, deleted) for r in rows]
    texts = TextIndex(make_records(rows))
    case: dict[str, list[int]] = {}
    controls, many_digits = [], []
    for i, text in enumerate(texts.texts):
        profile = ascii_profile(text)
        if profile is None:
            assert i in texts.non_ascii
            continue
        total = case.setdefault(texts.pointers[i], [0, 0])
        total[0] += profile[0]
        total[1] += profile[1]
        if profile[2]:
            controls.append(i)
        if profile[3] >= text_index.MANY_DIGITS:
            many_digits.append(i)
    assert texts.case_counts() == {p: tuple(c) for p, c in case.items()}
    assert texts.controls == controls
    assert texts.many_digits == many_digits
    assert many_digits and texts.non_ascii
    assert bool(controls) == (deleted != CONTROLS)


def without_chars(value: Any, chars: str) -> Any:
    """``value`` with these characters deleted from every string inside it."""
    if isinstance(value, str):
        return value.translate(str.maketrans("", "", chars))
    if isinstance(value, dict):
        return {k: without_chars(v, chars) for k, v in value.items()}
    if isinstance(value, list):
        return [without_chars(v, chars) for v in value]
    return value


def test_owners_are_in_record_order_and_unique() -> None:
    records = make_records(
        [{"prompt": "a@b", "completion": " @"}, {"prompt": "x", "completion": "@"}]
    )
    texts = TextIndex(records)
    assert [r.index for r in texts.owners_of(texts.containing("@")[::-1])] == [0, 1]
    assert texts.containing("\\") == []
