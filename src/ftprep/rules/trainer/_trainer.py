"""What the trainer rules share: the run's setup and words for what the trainer does."""

from __future__ import annotations

from ftprep.core.model import Kind
from ftprep.core.rendering import Rendering, TrainerSetup
from ftprep.core.rule import RuleContext

# A conversation whose rendering shows what the template does whatever the data.
SAMPLE = {
    "messages": [
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "The capital of France is Paris."},
    ]
}

LOSS_WORDS = {
    "all": "trains every token",
    "generation": "trains the tokens the template's {% generation %} markers enclose",
    "assistant-spans": "trains the assistant replies",
}


def chat_setup(ctx: RuleContext) -> TrainerSetup | None:
    """The run's tokenizer and trainer, when the file holds chat records to check."""
    if ctx.trainer is None or ctx.kind is not Kind.CHAT:
        return None
    return ctx.trainer


def sample(setup: TrainerSetup) -> Rendering:
    return setup.renderer.render(SAMPLE)


def who(setup: TrainerSetup) -> str:
    """``TRL SFTTrainer with Qwen2.5-7B-Instruct's template``."""
    return f"{setup.trainer.title} with {setup.tokenizer}'s chat template"
