"""Benchmark: rendering, tokenizing and masking chat records with a fast Hugging Face
tokenizer (`ftprep lint --tokenizer`), against the tiktoken-only lint of the same file.

    python benchmarks/bench_render.py                       # 100k chat records of real text
    python benchmarks/bench_render.py --template qwen2_5.jinja --loss assistant-spans

No model is downloaded: the tokenizer folder is built here from the o200k_base vocabulary
that ftprep already bundles (converted by transformers' own TikTokenConverter), so the
vocabulary is a real 200k-token one. The chat template is ChatML with generation markers
unless `--template` names another file (a model's chat_template.jinja).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_lint import run  # noqa: E402
from datagen import write  # noqa: E402
from measure import compile_bytecode  # noqa: E402

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] }}<|im_end|>"
    "{% endgeneration %}\n{% else %}{{ m['content'] }}<|im_end|>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def build_tokenizer(out: Path, template: str) -> Path:
    """A tokenizer folder with o200k_base's vocabulary and the given chat template."""
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    from ftprep.core.tokens import ENCODINGS, vocabulary_path

    vocab = out / "o200k_base.tiktoken"
    vocab.write_bytes(gzip.decompress(vocabulary_path("o200k_base").read_bytes()))
    converted = TikTokenConverter(
        vocab_file=str(vocab),
        pattern=ENCODINGS["o200k_base"]["published_pat_str"],
        extra_special_tokens=SPECIALS,
    ).converted()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=converted, eos_token="<|im_end|>", pad_token="<|endoftext|>"
    )
    tokenizer.chat_template = template
    folder = out / "o200k-chatml"
    tokenizer.save_pretrained(str(folder))
    vocab.unlink()
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--template", type=Path, help="a chat_template.jinja (default: ChatML)")
    parser.add_argument("--trainer", default="trl")
    parser.add_argument("--loss", default="generation")
    parser.add_argument("--max-length", type=int, default=2048)
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    args = parser.parse_args()
    compile_bytecode()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    path = args.data_dir / f"chat_real_{args.records}.jsonl"
    if not path.exists():
        write(path, args.records, "chat", text="real")
    template = args.template.read_text(encoding="utf-8") if args.template else CHATML
    exe = shutil.which("ftprep") or str(Path(sys.executable).parent / "ftprep")
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_tokenizer(Path(tmp), template)
        lint = [exe, "lint", str(path), "--output-format", "json", "--no-progress"]
        trainer = [
            *lint,
            "--tokenizer", str(folder), "--trainer", args.trainer, "--loss", args.loss,
            "--max-length", str(args.max_length),
        ]  # fmt: skip
        results = run(
            {"lint (tiktoken)": (lint, tmp), "lint --tokenizer": (trainer, tmp)}, args.repeat
        )
    row = {"records": args.records, "megabytes": round(path.stat().st_size / 1e6, 1), **results}
    print(json.dumps(row))
    ratio = results["lint --tokenizer"]["best_s"] / results["lint (tiktoken)"]["best_s"]
    print(
        f"lint --tokenizer (render + tokenize + mask, {args.trainer}, loss {args.loss}) takes "
        f"{ratio:.2f}x the tiktoken-only lint on {args.records:,} chat records"
    )
    (args.data_dir / "bench_render.json").write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
