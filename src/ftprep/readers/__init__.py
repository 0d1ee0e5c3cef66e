"""Readers: a file becomes a stream of jobs of rows, each row with its provenance.

pandas and openpyxl are imported only here, and only when a table is read.
"""

from __future__ import annotations

from ftprep.readers.base import ReadError, ReadOptions, Transform
from ftprep.readers.open import open_source

__all__ = ["ReadError", "ReadOptions", "Transform", "open_source"]
