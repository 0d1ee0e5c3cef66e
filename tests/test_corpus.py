"""Real public datasets (../shared/corpus): every file converts, or stops with a clear message.

The corpus is not part of this repository (licences vary); these tests run when it is
checked out beside the project, as it is in CI.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ftprep import api

from .conftest import CORPUS, run_cli

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not present")

# file -> extra convert arguments; None means the file must stop with a clear diagnostic.
MAPPINGS: dict[str, list[str] | None] = {
    "alpaca_en_demo_llamafactory.json": [],
    "alpaca_zh_demo_llamafactory.json": [],
    "alpaca_cleaned_1000_fastchat.json": [],
    "alpaca_chinese_bilingual_part0.json": [],
    "glaive_toolcall_en_sharegpt.json": [],
    "vicuna_dummy_conversation_sharegpt.json": [],
    "dpo_en_demo_sharegpt.json": [],
    "identity_llamafactory.json": [],
    "gpteacher_toolformer_sim09.json": [],
    "gpteacher_codegen_instruct.json": [],
    "kto_en_demo.json": [],
    "clinc150_data_full.json": ["--sheet", "train", "--map", "prompt=0", "--map", "completion=1"],
    "openai_toy_chat_fine_tuning.jsonl": [],
    "openai_drone_training.jsonl": [],
    "openai_dbpedia_samples.jsonl": [],
    "llamafactory_v1_sft_demo.jsonl": [],
    "oasst_en_100_message.jsonl": ["--map", "user=text", "--map", "assistant=/replies/0/text"],
    "mt_bench_questions.jsonl": None,
    "alpaca_seed_tasks.jsonl": [
        "--map",
        "prompt=instruction",
        "--map",
        "completion=/instances/0/output",
    ],
    "llamafactory_c4_demo.jsonl": None,
    "mandarin2cantonese_prepared.jsonl": [],
    "orderfood_prompt_completion.jsonl": [],
    "banking77_train.csv": [],
    "banking77_test.csv": ["--to", "chat", "--system", "You are a bank assistant."],
    "openai_ag_news_samples.csv": [
        "--template",
        "Title: {title}\\n{description}",
        "--map",
        "completion=label",
    ],
    "mandarin2cantonese_raw.csv": [],
    "ht2_faq_en_da.csv": ["--map", "prompt=question_en", "--map", "completion=answer_en"],
    "openai_fine_food_reviews_1k.csv": ["--map", "prompt=Text", "--map", "completion=Score"],
    "openai_snli_train_2k.csv": [
        "--template",
        "{sentence1} / {sentence2}",
        "--map",
        "label=gold_label",
    ],
    "sms_spam_collection.tsv": [
        "--no-header",
        "--no-quoting",
        "--map",
        "prompt=B",
        "--map",
        "completion=A",
    ],
    "plue_sst2_pt_train.tsv": [],
    "plue_sst2_pt_dev.tsv": [],
    "modum_faq.xlsx": [],
    "hindi_amazon_sentiment_train.xlsx": [
        "--map",
        "prompt=content_hindi",
        "--map",
        "completion=labels",
    ],
    "hindi_amazon_sentiment_test.xlsx": [
        "--map",
        "prompt=content_hindi",
        "--map",
        "completion=labels",
    ],
    "airline_faq_zh_legacy_xls.xlsx": None,
}

FILES = (
    sorted(
        p.name for p in CORPUS.iterdir() if p.suffix in (".json", ".jsonl", ".csv", ".tsv", ".xlsx")
    )
    if CORPUS.exists()
    else []
)


def test_every_corpus_file_has_a_mapping() -> None:
    assert sorted(MAPPINGS) == FILES


@pytest.mark.parametrize("name", FILES)
def test_corpus_file_converts_or_stops_clearly(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = MAPPINGS[name]
    result = run_cli("convert", str(CORPUS / name), *(args or []), "-o", str(out))
    if args is None:
        assert result.code in (1, 2)
        assert "Traceback" not in result.err and "internal error" not in result.err
        assert any(hint in result.err for hint in ("--map", "legacy Excel", "--sheet")), result.err
        return
    assert result.code in (0, 1), result.err
    written = len(out.read_bytes().splitlines())
    rejected_path = tmp_path / "out.rejected.jsonl"
    rejected = len(rejected_path.read_bytes().splitlines()) if rejected_path.exists() else 0
    assert f"Converted {written + rejected:,} records: {written:,} written" in result.out
    first = orjson.loads(out.read_bytes().splitlines()[0])
    shapes = (
        {"messages"},
        {"prompt", "completion"},
        {"input", "preferred_output", "non_preferred_output"},
    )
    assert any(shape <= set(first) for shape in shapes), first
    report = api.lint(str(out))
    assert report.files[0].records == written
    assert not [d for d in report.diagnostics if d.code == "IO001"]


def test_known_duplicates_are_found() -> None:
    report = api.lint(
        str(CORPUS / "sms_spam_collection.tsv"),
        header=False,
        quoting=False,
        mapping={"prompt": "B", "completion": "A"},
        select=["DP001"],
    )
    assert len(report.diagnostics) == 403  # MANIFEST: 403 duplicate lines
    report = api.lint(str(CORPUS / "mandarin2cantonese_raw.csv"), select=["DP001"])
    assert len(report.diagnostics) == 309  # MANIFEST: 309 duplicate rows


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
def test_counting_pattern_matches_tiktokens_on_every_corpus_string(encoding: str) -> None:
    """Real text in many scripts splits the same under the fast and the published pattern."""
    from ftprep.core.tokens import ENCODINGS, build_encoding, get_encoding

    texts: list[str] = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix == ".jsonl":
            for line in path.read_bytes().splitlines():
                try:
                    texts.extend(_strings(orjson.loads(line)))
                except orjson.JSONDecodeError:
                    continue
        elif path.suffix == ".json":
            texts.extend(_strings(orjson.loads(path.read_bytes())))
    assert len(texts) > 100_000
    ours = get_encoding(encoding)
    published = build_encoding(encoding, ENCODINGS[encoding]["published_pat_str"])
    differ = [t for t in texts if ours.encode_ordinary(t) != published.encode_ordinary(t)]
    assert differ == []
