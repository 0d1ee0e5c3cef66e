"""Tiny Hugging Face tokenizer folders for the trainer tests, built from
``fixtures/tokenizers/NAME.toml``: a byte-level BPE trained with ``tokenizers`` on the
fixture text, and a ``tokenizer_config.json`` with the test's chat template."""

from __future__ import annotations

import atexit
import json
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path

from .conftest import FIXTURES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SPECS = FIXTURES / "tokenizers"
_BUILT = Path(tempfile.mkdtemp(prefix="ftprep-tokenizers-"))
atexit.register(shutil.rmtree, _BUILT, ignore_errors=True)


def names() -> list[str]:
    return sorted(p.stem for p in SPECS.glob("*.toml"))


@cache
def folder(name: str) -> str:
    """The folder of test tokenizer ``name``, built once per test process."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    spec = tomllib.loads((SPECS / f"{name}.toml").read_text(encoding="utf-8"))
    specials = [t for t in (spec.get("bos"), spec["eos"], spec.get("pad")) if t]
    specials += ["<|im_start|>", "<start_of_turn>", "<|start_header_id|>", "<|end_header_id|>"]
    specials = list(dict.fromkeys(specials))
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    text = (SPECS / "training-text.txt").read_text(encoding="utf-8").splitlines()
    tokenizer.train_from_iterator(text, trainer)
    out = _BUILT / name
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "eos_token": spec["eos"],
        "model_max_length": 4096,
        "chat_template": spec["template"],
    }
    if spec.get("bos"):
        config["bos_token"] = spec["bos"]
    if spec.get("pad"):
        config["pad_token"] = spec["pad"]
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    return str(out)
