from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind
from ftprep.core.rule import Rule, Scope
from ftprep.rules.trainer._trainer import chat_setup, sample, who


class StopTokenNotTrained(Rule):
    """## What it does
    Renders a sample conversation with the chat template, masks it as the trainer does, and
    reports (once for the file) when the end-of-sequence token that closes the assistant's
    reply is missing or not trained.

    ## Why is this bad?
    A model never trained on its stop token does not learn to stop: it runs on into a new
    user turn until the token limit. TRL warns about it; other trainers do not.

    ## Example
    A template that puts `<|im_end|>` outside `{% generation %}…{% endgeneration %}`, or
    that writes no end-of-sequence token after the reply at all.

    ## Use instead
    Put the end-of-turn token inside the generation markers, or train it
    (Axolotl `train_on_eos: turn`).

    ## Options
    None.

    ## Fix safety
    No fix: the template belongs to the model.

    ## References
    - TRL `is_chat_template_stop_token_trained`; Axolotl `train_on_eos`
    """

    code = "TR006"
    name = "stop-token-not-trained"
    group = "trainer"
    scope = Scope.DATASET
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.WARNING

    def start(self) -> Iterator[Finding]:
        setup = chat_setup(self.ctx)
        if setup is None or setup.template.eos_token is None:
            return
        rendering = sample(setup)
        if rendering.eos_trained is not False:
            return
        yield Finding(
            f"with {who(setup)}, the end-of-sequence token {setup.template.eos_token} after "
            "the assistant's reply is missing or not trained: the model may not learn to stop",
            data={"eos_token": setup.template.eos_token},
        )
