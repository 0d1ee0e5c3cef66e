from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.location import Related
from ftprep.core.rule import Scope
from ftprep.rules.duplicates._signatures import RecordSignatures, SignatureRule


class NearDuplicate(SignatureRule):
    """## What it does
    Reports a record that nearly duplicates an earlier record of the same file: the same
    conversation with a few words changed, dropped, re-punctuated or re-cased. It points at
    the earliest such record and gives their similarity. Off by default; turn it on with
    `--select DP002`.

    Records are compared on their conversation without the system prompt (word 5-grams, or
    character n-grams for short and CJK texts, after Unicode NFKC, casefolding and dropping
    punctuation). Candidates come from a MinHash LSH index (datasketch, 128 permutations,
    fixed seed) and each is confirmed by the exact Jaccard similarity of the shingle sets.
    Exact copies are DP001's findings and are not repeated here.

    ## Why is this bad?
    Near-copies weigh one example several times, and `ftprep split` must keep them on one
    side of a train/validation split or the validation loss flatters the model.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "How do I reset my password?"}, {"role": "assistant", "content": "Open Settings, then Security, and choose Reset password."}]}
    {"messages": [{"role": "user", "content": "how do I reset my password"}, {"role": "assistant", "content": "Open Settings, then Security and choose Reset password!"}]}
    ```

    ## Use instead
    Keep one of them, or make them genuinely different examples.

    ## Options
    - `threshold`: Jaccard similarity at or above which records are near-duplicates
      (default 0.8).

    ## Fix safety
    No fix: which copy to keep is a judgement; review them with `ftprep review`.

    ## References
    - Lee et al., "Deduplicating Training Data Makes Language Models Better" (2022)
    - text-dedup `minhash.py`; datasketch MinHash LSH
    """

    code = "DP002"
    name = "near-duplicate"
    group = "duplicates"
    scope = Scope.DATASET
    default_severity = Severity.INFO

    def pairs(self) -> list[tuple[int, int, float]]:
        """Confirmed near-duplicate pairs of this split at this rule's threshold."""
        if self.collected is None:
            return []
        signatures: RecordSignatures = self.collected
        return signatures.near_pairs(self.options.threshold)

    def finish(self) -> Iterator[Finding]:
        best: dict[int, tuple[int, float]] = {}
        for later, earlier, sim in self.pairs():
            if later not in best or earlier < best[later][0]:
                best[later] = (earlier, sim)
        line_of = self.ctx.line_of
        for later, (earlier, sim) in sorted(best.items()):
            line = line_of(earlier) if line_of is not None else None
            where = f"the record at line {line}" if line else f"record {earlier}"
            yield Finding(
                f"near-duplicate of {where} (similarity {sim:.2f})",
                record=later,
                related=(Related(self.ctx.file, line, earlier, similarity=sim),),
                data={"similarity": round(sim, 4)},
            )
