"""Trainer profiles: ``rules/trainers/NAME.toml``, the facts of each trainer with sources."""

from __future__ import annotations

import sys
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ftprep.core.config import rules_dir
from ftprep.core.errors import ConfigError, did_you_mean
from ftprep.core.rendering import LossMode, TrainerFacts

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class _TrainerFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    title: str
    loss: LossMode
    max_length: int = Field(alias="max-length", gt=0)
    truncation: Literal["keep-start", "keep-end", "drop"]
    drops_unmasked: bool = Field(default=False, alias="drops-unmasked")
    trains_eos: bool = Field(default=True, alias="trains-eos")
    adds_special_tokens: bool = Field(default=False, alias="adds-special-tokens")
    without_markers: str = Field(default="", alias="without-markers")
    sources: tuple[str, ...] = ()


def trainer_names() -> list[str]:
    return sorted(p.stem for p in (rules_dir() / "trainers").glob("*.toml"))


def load_trainer(
    name: str,
    *,
    max_length: int | None = None,
    loss: LossMode | None = None,
    truncation: str | None = None,
) -> TrainerFacts:
    """The facts of one trainer, with what the run overrides (``--max-length``, ``--loss``)."""
    names = trainer_names()
    if name not in names:
        raise ConfigError(
            f"unknown trainer {name!r}{did_you_mean(name, names)}; known: {', '.join(names)}"
        )
    path = rules_dir() / "trainers" / f"{name}.toml"
    try:
        spec = _TrainerFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (ValidationError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"rules/trainers/{name}.toml is invalid:\n{exc}") from exc
    return TrainerFacts(
        name=name,
        title=spec.title,
        loss=loss or spec.loss,
        truncation=truncation or spec.truncation,  # type: ignore[arg-type]  # checked by the CLI's choices
        max_length=max_length or spec.max_length,
        drops_unmasked=spec.drops_unmasked,
        trains_eos=spec.trains_eos,
        adds_special_tokens=spec.adds_special_tokens,
        without_markers=spec.without_markers,
        sources=spec.sources,
    )
