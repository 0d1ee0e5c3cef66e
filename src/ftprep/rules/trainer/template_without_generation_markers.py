from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind
from ftprep.core.rule import Rule, Scope
from ftprep.rules.trainer._trainer import chat_setup


class TemplateWithoutGenerationMarkers(Rule):
    """## What it does
    With a loss on the assistant's tokens only that comes from the chat template's
    `{% generation %}` markers (TRL `assistant_only_loss=True`, `--loss generation`),
    reports a template that has no such markers, once for the file.

    ## Why is this bad?
    Without markers transformers returns an assistant mask of zeros: TRL either swaps in a
    training template of its own for the model families it knows or stops at the first row
    (TRL #4879, #6577). Either way the run does not train what the data was checked for.

    ## Example
    `--trainer trl --loss generation` with a ChatML template that writes assistant turns
    without `{% generation %}…{% endgeneration %}`.

    ## Use instead
    Use a template with generation markers (write them around each assistant turn), or a
    trainer that finds assistant turns itself (`--trainer axolotl`), or `--loss all`.

    ## Options
    None.

    ## Fix safety
    No fix: the template belongs to the model.

    ## References
    - transformers `apply_chat_template(return_assistant_tokens_mask=True)`;
      TRL `trl/chat_template_utils.py: has_generation_markers`
    """

    code = "TR003"
    name = "template-without-generation-markers"
    group = "trainer"
    scope = Scope.DATASET
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR

    def start(self) -> Iterator[Finding]:
        setup = chat_setup(self.ctx)
        if setup is None or setup.trainer.loss != "generation":
            return
        if setup.template.has_generation_markers:
            return
        then = f"; {setup.trainer.without_markers}" if setup.trainer.without_markers else ""
        yield Finding(
            f"{setup.tokenizer}'s chat template has no {{% generation %}} markers, so "
            f"{setup.trainer.title} cannot tell which tokens are the assistant's{then}",
            data={"tokenizer": setup.tokenizer, "trainer": setup.trainer.name},
        )
