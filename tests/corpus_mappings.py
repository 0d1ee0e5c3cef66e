"""How each file of the shared corpus is read: the convert/lint arguments its layout needs.

One table for the corpus tests and for ``benchmarks/corpus_findings.py``. The corpus lives
outside the repository (licences vary): ``$FTPREP_CORPUS``, else ``../shared/corpus``.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("FTPREP_CORPUS") or ROOT.parent / "shared" / "corpus")
# CI sets FTPREP_REQUIRE_CORPUS=1: there the corpus is always present, and a test that
# would skip without it fails instead.
REQUIRED = os.environ.get("FTPREP_REQUIRE_CORPUS") == "1"
HAVE_CORPUS = CORPUS.is_dir()


def needs_corpus(reason: str = "the shared corpus") -> object:
    """Skip without the corpus (a local checkout), never where it is required (CI)."""
    import pytest

    return pytest.mark.skipif(
        not HAVE_CORPUS and not REQUIRED,
        reason=f"{reason} is not at {CORPUS} (set FTPREP_CORPUS)",
    )


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


# The audited findings per rule on every corpus file (default rules): a changed count is a
# changed verdict on real data, to be checked by hand and refreshed with
# FTPREP_UPDATE_SNAPSHOTS=1 (see benchmarks/corpus_findings.py for the table).
AUDITED = ROOT / "tests" / "corpus_findings.json"


def findings(name: str, extend: str = "") -> Counter[str]:
    """Rule code -> findings of the default rules (plus ``extend``) on one corpus file."""
    from ftprep.cli import main

    args = ["lint", str(CORPUS / name), *(MAPPINGS[name] or []), "--output-format", "json"]
    args += ["--exit-zero", "--isolated", "--no-baseline"]
    args += ["--extend-select", extend] if extend else []
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        main(args)
    if not out.getvalue():
        return Counter({"(no report)": 1})
    report = json.loads(out.getvalue())
    return Counter(d["code"] for d in report["diagnostics"] if d["code"] != "TK004")
