from __future__ import annotations

from collections.abc import Sequence

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Batch, Kind, Record
from ftprep.core.rule import Rule
from ftprep.rules.batch_texts import batch_texts
from ftprep.rules.privacy.patterns import find_secrets, has_marker, markers_in, mask
from ftprep.rules.texts import other_strings, record_texts

_PLAIN_KEYS = {
    Kind.COMPLETION: frozenset({"prompt", "completion"}),
    Kind.CHAT: frozenset({"messages"}),
}


def _has_other_values(record: Record) -> bool:
    """Whether a record holds strings beside its texts (most hold none)."""
    plain = _PLAIN_KEYS.get(record.kind) if record.kind is not None else None
    if plain is None or not plain.issuperset(record.data):
        return True
    messages = record.data.get("messages")
    return isinstance(messages, list) and any(
        isinstance(m, dict) and (len(m) > 2 or isinstance(m.get("content"), list)) for m in messages
    )


class SecretInContent(Rule):
    """## What it does
    Finds credentials in any string of a record (texts, tool-call arguments, metadata
    fields such as `api_key`): API keys of the common providers (OpenAI,
    Anthropic, AWS, GitHub, Slack, Google, Stripe, Hugging Face), private key blocks, JSON
    web tokens, bearer tokens and passwords inside URLs. Values that look like placeholders
    (`sk-xxxx…`, `your-key-here`, `user:password@`) are not reported. Messages show at
    most the first four characters of a secret and its length.

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
        suspects = (
            [i for i, text in enumerate(texts.texts) if any(m in text for m in present)]
            if present
            else []
        )
        owners = texts.owners_of(suspects)
        seen = {id(r) for r in owners}
        # Values beside the texts (tool arguments, metadata) are rare: checked one by one.
        owners += [r for r in batch.records if id(r) not in seen and _has_other_values(r)]
        owners.sort(key=lambda r: r.index)
        return self.check_each(owners)

    def check_record(self, record: Record) -> Sequence[Finding]:
        texts = [(p, t) for p, t, _ in record_texts(record)]
        if _has_other_values(record):
            texts += other_strings(record)
        if not any(has_marker(text) for _, text in texts):
            return ()
        found: list[Finding] = []
        for pointer, text in texts:
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
