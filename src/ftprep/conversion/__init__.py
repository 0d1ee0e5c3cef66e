"""Conversion: raw rows (table rows, JSON objects) become chat, completion or preference records."""

from __future__ import annotations

from ftprep.conversion.converter import Converter, build_converter
from ftprep.conversion.mapping import Mapping, parse_map_args

__all__ = ["Converter", "Mapping", "build_converter", "parse_map_args"]
