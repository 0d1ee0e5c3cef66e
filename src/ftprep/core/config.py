"""Profiles (``rules/profiles/*.toml``) and the model table (``rules/models.toml``).

A profile names the rules to run, their options and severities, and facts about the
target format. Profiles layer with ``extends``: a child's lists replace the parent's, its
tables merge over the parent's. Unknown keys are errors, with a "did you mean".
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ftprep.core.errors import ConfigError, did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def rules_dir() -> Path:
    """The data directory: shipped in the wheel as ``ftprep/_rules``, or the repo's ``rules/``."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "_rules"
    if shipped.is_dir():
        return shipped
    repo = package.parent.parent / "rules"
    if repo.is_dir():
        return repo
    raise ConfigError("ftprep's rules/ data directory is missing from the installation")


class TargetSpec(BaseModel):
    """Facts about the format a trainer accepts (not policy)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    roles: tuple[str, ...] = ("system", "user", "assistant", "tool", "function")
    record_keys: tuple[str, ...] | None = Field(default=None, alias="record-keys")
    message_keys: tuple[str, ...] | None = Field(default=None, alias="message-keys")
    input_keys: tuple[str, ...] | None = Field(default=None, alias="input-keys")
    min_examples: int = Field(default=10, alias="min-examples")
    advised_examples: int = Field(default=100, alias="advised-examples")


class Profile(BaseModel):
    """A resolved profile: what to check and how strictly."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str = "base"
    description: str = ""
    kind: str | None = None
    model: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = Field(default="error", alias="fail-on")
    severity: dict[str, str] = Field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    target: TargetSpec = Field(default_factory=TargetSpec)


_PROFILE_KEYS = {
    "extends",
    "description",
    "kind",
    "model",
    "select",
    "ignore",
    "fail-on",
    "severity",
    "rules",
    "target",
}


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def available_profiles() -> list[str]:
    return sorted(p.stem for p in (rules_dir() / "profiles").glob("*.toml"))


def _profile_path(name: str) -> Path:
    candidate = Path(name)
    if candidate.suffix == ".toml" and candidate.is_file():
        return candidate
    path = rules_dir() / "profiles" / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(
            f"unknown profile {name!r}{did_you_mean(name, available_profiles())}; "
            f"available: {', '.join(available_profiles())}"
        )
    return path


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _raw_profile(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if name in seen:
        raise ConfigError(f"profile {name!r} extends itself: {' -> '.join((*seen, name))}")
    path = _profile_path(name)
    raw = _load_toml(path)
    unknown = set(raw) - _PROFILE_KEYS
    for key in sorted(unknown):
        raise ConfigError(f"{path}: unknown key {key!r}{did_you_mean(key, _PROFILE_KEYS)}")
    parent = raw.pop("extends", None)
    if parent:
        return _merge(_raw_profile(parent, (*seen, name)), raw)
    return raw


@lru_cache(maxsize=32)
def load_profile(name: str) -> Profile:
    """Load a shipped profile by name, or a profile file by path, resolving ``extends``."""
    raw = _raw_profile(name)
    raw["name"] = Path(name).stem
    try:
        return Profile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"profile {name!r} is invalid:\n{exc}") from exc


PROFILE_FOR_KIND = {
    "chat": "openai-chat",
    "completion": "openai-completion",
    "preference": "preference",
}


class ModelInfo(BaseModel):
    """One row of ``rules/models.toml``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str
    encoding: str
    max_tokens: int = Field(alias="max-tokens")
    price: float | None = None
    price_read: str | None = Field(default=None, alias="price-read")
    kinds: tuple[str, ...] = ("chat", "completion", "preference")
    estimate: bool = False


class EpochDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    epochs_target: int = Field(default=3, alias="epochs-target")
    min_target_examples: int = Field(default=100, alias="min-target-examples")
    max_target_examples: int = Field(default=25000, alias="max-target-examples")
    min_default_epochs: int = Field(default=1, alias="min-default-epochs")
    max_default_epochs: int = Field(default=25, alias="max-default-epochs")

    def default_epochs(self, n_examples: int) -> int:
        """OpenAI's heuristic: 3 epochs, nudged so epochs x examples stays in 100..25,000."""
        epochs = self.epochs_target
        if n_examples <= 0:
            return epochs
        if epochs * n_examples < self.min_target_examples:
            epochs = min(self.max_default_epochs, self.min_target_examples // n_examples)
        elif epochs * n_examples > self.max_target_examples:
            epochs = max(self.min_default_epochs, self.max_target_examples // n_examples)
        return epochs


@lru_cache(maxsize=1)
def _models_table() -> tuple[dict[str, ModelInfo], dict[str, str], EpochDefaults]:
    raw = _load_toml(rules_dir() / "models.toml")
    try:
        models = {
            name: ModelInfo.model_validate({"name": name, **spec})
            for name, spec in raw.get("models", {}).items()
        }
        defaults = EpochDefaults.model_validate(raw.get("defaults", {}))
    except ValidationError as exc:
        raise ConfigError(f"rules/models.toml is invalid:\n{exc}") from exc
    return models, dict(raw.get("aliases", {})), defaults


def epoch_defaults() -> EpochDefaults:
    return _models_table()[2]


def resolve_model(name: str, extra: dict[str, dict[str, Any]] | None = None) -> ModelInfo:
    """Find a model by its dated name, an alias, or a fine-tuned id (``ft:base:org::id``).

    ``extra``: models from the project config (``[tool.ftprep.models."NAME"]``, the fields
    of a ``rules/models.toml`` row), which add to the shipped table or override its rows.
    """
    models, aliases, _ = _models_table()
    if extra:
        models = dict(models)
        for model, spec in extra.items():
            try:
                models[model] = ModelInfo.model_validate({"name": model, **spec})
            except ValidationError as exc:
                first = exc.errors()[0]
                raise ConfigError(
                    f"models.{model}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']} "
                    "(fields: encoding, max-tokens, price, price-read, kinds)"
                ) from None
    key = name
    if key.startswith("ft:"):
        key = key.split(":")[1]
    key = aliases.get(key, key)
    if key in models:
        return models[key]
    # Another dated snapshot of a model we list (gpt-4o-2024-11-20): use the listed one.
    import re

    dated = re.fullmatch(r"(.+)-\d{4}-\d{2}-\d{2}", key)
    if dated:
        for known in sorted(models):
            if known.rsplit("-20", 1)[0] == dated.group(1):
                return models[known]
    raise ConfigError(
        f"unknown model {name!r}{did_you_mean(key, [*models, *aliases])}; "
        f"known: {', '.join(sorted(models))}. To use another, describe it in ftprep.toml "
        f'(or [tool.ftprep] of pyproject.toml): [models."{name}"] with encoding = '
        '"o200k_base", max-tokens = 65536, price = 5.0 (US$ per 1M training tokens)'
    )
