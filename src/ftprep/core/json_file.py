"""Small JSON files that belong in version control (fix plans, baselines): read and write.

Written indented, with a final newline and atomically, so diffs stay small and an interrupted
write never leaves half a file; read with one clear error naming the file and the field.
"""

from __future__ import annotations

import os
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from ftprep.core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def write_json(path: str, data: Any) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(orjson.dumps(data, option=orjson.OPT_INDENT_2))
        fh.write(b"\n")
    os.replace(tmp, path)


def read_model(cls: type[M], path: str, what: str) -> M:
    """Parse ``path`` as ``cls``; every failure is a ConfigError saying what and where."""
    try:
        with open(path, "rb") as fh:
            data = orjson.loads(fh.read())
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{what} {path} is not JSON: {exc}") from None
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{what} {path}: {where}: {first['msg']}") from None
