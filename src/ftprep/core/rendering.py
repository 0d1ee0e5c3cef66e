"""What a trainer will train on: one record as rendered, masked and truncated.

The core knows only the shape of the answer. Producing it takes the model's own tokenizer
and chat template (``ftprep.trainers``, behind the ``hf`` extra), which the engine reaches
through :class:`TrainerSetup` without importing any of it; the TR rules read the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

# How a trainer decides which tokens are trained:
#   all: every token of the rendered row (TRL on ``messages`` by default);
#   generation: the chat template's {% generation %} markers (TRL ``assistant_only_loss``);
#   assistant-spans: the rendered text of trained assistant messages, found by the trainer
#     itself (Axolotl ``roles_to_train``, LLaMA-Factory, mistral-finetune, Unsloth
#     ``train_on_responses_only``).
LossMode = Literal["all", "generation", "assistant-spans"]


@dataclass(frozen=True)
class TrainerFacts:
    """What one trainer does by default or as configured (``rules/trainers/*.toml``)."""

    name: str
    title: str
    loss: LossMode
    # keep-start / keep-end: cut the tokens past max-length; drop: drop rows over it.
    truncation: Literal["keep-start", "keep-end", "drop"]
    max_length: int
    # Rows with no trained token left are dropped (TRL) rather than trained on at loss 0.
    drops_unmasked: bool = False
    # The end-of-turn token after a trained reply is trained too (Axolotl train_on_eos=turn).
    trains_eos: bool = True
    # The trainer tokenizes the rendered text with the tokenizer's own special tokens
    # (a BOS added on top of the template's), rather than as the template wrote it.
    adds_special_tokens: bool = False
    # What the trainer does when the loss needs generation markers the template lacks.
    without_markers: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateFacts:
    """What the chat template does whatever the record (rendered once, with sentinels)."""

    name: str
    has_generation_markers: bool
    # Words the template writes that no message holds (a default system prompt, a date),
    # for a conversation without and with a system message.
    added_without_system: str = ""
    added_with_system: str = ""
    bos_token: str | None = None
    eos_token: str | None = None
    pad_is_eos: bool = False
    # Tool-call arguments given as a JSON string (OpenAI's format) come out quoted and
    # escaped, JSON in a string, because the template expects an object (None: the template
    # writes no tool calls).
    quotes_string_arguments: bool | None = None


@dataclass(frozen=True)
class Rendering:
    """One record as the trainer will see it."""

    n_tokens: int
    # Trained tokens before and after truncation; None when the trainer cannot tell which
    # tokens to train (the loss needs generation markers the template lacks).
    trained: int | None
    kept_trained: int | None
    # Trained tokens cut by truncation, per message index (the message they belong to).
    cut: tuple[tuple[int, int], ...] = ()
    # The whole row is over max-length and the trainer drops such rows.
    dropped_over_length: bool = False
    # Messages whose text the template did not render (index, what was lost).
    missing: tuple[tuple[int, str], ...] = ()
    # The last trained reply: whether the end-of-turn token after it is trained.
    eos_trained: bool | None = None
    double_bos: bool = False
    # The template refused the conversation (its own raise_exception), with its message.
    error: str | None = None
    # The rendered text and its tokens' trained flags, for ``ftprep render``.
    text: str = ""
    pieces: tuple[tuple[str, bool], ...] = field(default=(), repr=False)


class Renderer(Protocol):
    """Renders records with one tokenizer for one trainer."""

    def render(self, data: dict[str, Any], keep_text: bool = False) -> Rendering: ...


@dataclass
class TrainerSetup:
    """The tokenizer, its template and the trainer a run checks against."""

    tokenizer: str
    trainer: TrainerFacts
    template: TemplateFacts
    renderer: Renderer
    # The tokens each record's texts take with this tokenizer (for the token summary).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def max_length(self) -> int:
        return self.trainer.max_length
