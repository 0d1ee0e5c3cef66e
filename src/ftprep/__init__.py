"""ftprep: convert, lint and fix datasets for fine-tuning language models.

The public Python API lives here and is imported lazily, so that ``ftprep lint`` on a
small file (the pre-commit case) does not pay for pandas, openpyxl or tiktoken until
they are needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "convert",
    "convert_frame",
    "fix",
    "lint",
    "lint_frame",
    "lint_records",
    "split",
]

if TYPE_CHECKING:  # pragma: no cover
    from ftprep.api import convert, convert_frame, fix, lint, lint_frame, lint_records, split


# Result types are reachable as ``ftprep.LintReport`` etc. without being star-exported.
_API_TYPES = ("ConvertResult", "FixResult", "FrameConversion", "LintReport", "SplitOutcome")


def __getattr__(name: str) -> Any:
    # Lazy, so that importing ftprep (as the CLI does) costs nothing until the API is used.
    if (name in __all__ and name != "__version__") or name in _API_TYPES:
        from ftprep import api

        return getattr(api, name)
    raise AttributeError(name)
