"""Conversion: raw rows (table rows, JSON objects) become chat, completion or preference records."""

from __future__ import annotations

from ftprep.convert.converter import Converter, build_converter
from ftprep.convert.mapping import Mapping, parse_map_args

__all__ = ["Converter", "Mapping", "build_converter", "parse_map_args"]
