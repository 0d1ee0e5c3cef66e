from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind
from ftprep.core.rule import Rule, Scope
from ftprep.rules.trainer._trainer import chat_setup, sample, who


class DoubleBos(Rule):
    """## What it does
    Renders a sample conversation as the trainer tokenizes it and reports (once for the
    file) a row that starts with the beginning-of-sequence token twice.

    ## Why is this bad?
    The template writes `{{ bos_token }}` and the tokenizer adds its own: every row starts
    with a pair the model never sees at inference, which shifts its first predictions
    (OpenRLHF #393).

    ## Example
    A Llama template that starts with `{{ bos_token }}`, tokenized by a trainer with
    `add_special_tokens=True`.

    ## Use instead
    Tokenize the rendered text without special tokens, or remove `bos_token` from the
    template.

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - transformers chat templating docs, "special tokens"; OpenRLHF #393
    """

    code = "TR007"
    name = "double-bos"
    group = "trainer"
    scope = Scope.DATASET
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.WARNING

    def start(self) -> Iterator[Finding]:
        setup = chat_setup(self.ctx)
        if setup is None or not sample(setup).double_bos:
            return
        yield Finding(
            f"with {who(setup)}, every row starts with {setup.template.bos_token} twice",
            data={"bos_token": setup.template.bos_token},
        )
