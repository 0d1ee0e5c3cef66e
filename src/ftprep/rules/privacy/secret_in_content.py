from __future__ import annotations

from collections.abc import Sequence

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Batch, Record
from ftprep.core.rule import Rule
from ftprep.rules.batch_texts import batch_texts
from ftprep.rules.privacy.patterns import find_secrets, has_marker, markers_in, mask
from ftprep.rules.texts import record_texts


class SecretInContent(Rule):
    """## What it does
    Finds credentials in any text of a record: API keys of the common providers (OpenAI,
    Anthropic, AWS, GitHub, Slack, Google, Stripe, Hugging Face), private key blocks, JSON
    web tokens, bearer tokens and passwords inside URLs. Values that look like placeholders
    (`sk-xxxx…`, `your-key-here`, `user:password@`) are not reported. Messages show only
    the first and last characters of a secret.

    ## Why is this bad?
    A model trained on a secret can repeat it to anyone who asks the right question, and
    the training file itself now holds a live credential.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Why does my call fail? key=sk-proj-Ab3dEf9hIjK1mNoPqR2tUvWxYz0123456789"}, {"role": "assistant", "content": "..."}]}
    ```

    ## Use instead
    Replace the secret with a placeholder (`sk-...`), and revoke it: it has been shared.

    ## Options
    None.

    ## Fix safety
    No fix: the secret must be revoked, and the record edited by a person.

    ## References
    - gitleaks and GitHub secret scanning token formats; OWASP LLM06 (sensitive information)
    """

    code = "PV001"
    name = "secret-in-content"
    group = "privacy"
    default_severity = Severity.ERROR

    def check_batch(self, batch: Batch) -> list[tuple[Record, Finding]]:
        """The markers are searched for in the batch's texts joined; only the texts holding
        one of those found are checked."""
        texts = batch_texts(batch)
        present = markers_in(texts.joined)
        if not present:
            return []
        suspects = [i for i, text in enumerate(texts.texts) if any(m in text for m in present)]
        return self.check_each(texts.owners_of(suspects))

    def check_record(self, record: Record) -> Sequence[Finding]:
        texts = record_texts(record)
        if not any(has_marker(text) for _, text, _ in texts):
            return ()
        found: list[Finding] = []
        for pointer, text, _ in texts:
            for kind, secret, _ in find_secrets(text):
                found.append(
                    Finding(
                        f"{kind} in the text ({mask(secret)})",
                        record=record.index,
                        pointer=pointer,
                        data={"kind": kind},
                    )
                )
        return found
