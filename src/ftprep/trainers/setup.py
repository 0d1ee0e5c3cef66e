"""From ``--tokenizer``, ``--trainer``, ``--max-length`` and ``--loss`` to a TrainerSetup."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ftprep.core.errors import ConfigError
from ftprep.core.rendering import LossMode, TrainerSetup
from ftprep.trainers import hf
from ftprep.trainers.profiles import load_trainer
from ftprep.trainers.render import HFRenderer

DEFAULT_TRAINER = "trl"


def setup(
    tokenizer: str,
    trainer: str | None = None,
    max_length: int | None = None,
    loss: LossMode | None = None,
) -> TrainerSetup:
    """The tokenizer, template and trainer facts of a run (loaded once per process)."""
    return _setup(str(tokenizer), trainer or DEFAULT_TRAINER, max_length, loss)


@lru_cache(maxsize=4)
def _setup(
    tokenizer: str, trainer: str, max_length: int | None, loss: LossMode | None
) -> TrainerSetup:
    if tokenizer.startswith("mistral:"):
        raise ConfigError(
            f"--tokenizer {tokenizer}: mistral-common's tokenizers are not supported yet; "
            "give the model's Hugging Face tokenizer folder instead"
        )
    facts = load_trainer(trainer, max_length=max_length, loss=loss)
    loaded = hf.load(tokenizer)
    name = Path(tokenizer).name or tokenizer
    template = hf.template_facts(loaded, name)
    return TrainerSetup(
        tokenizer=name,
        trainer=facts,
        template=template,
        renderer=HFRenderer(loaded, facts, template),
    )
