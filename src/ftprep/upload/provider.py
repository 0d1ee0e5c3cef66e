"""What a fine-tuning service must offer ftprep: files, jobs and their events.

Kept to plain data in and out so that other trainers (Together has its own API) can be added
beside the OpenAI-compatible one without touching the orchestration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class ProviderError(Exception):
    """A failure the user must see: what failed, and whether retrying could help."""

    def __init__(self, message: str, *, transient: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.status = status


@dataclass(frozen=True)
class RemoteFile:
    id: str
    filename: str
    bytes: int
    status: str  # uploaded, processed, error
    status_details: str | None = None


@dataclass(frozen=True)
class JobSpec:
    """What to train: the model, the files and the hyperparameters that were given."""

    model: str
    training_file: str
    validation_file: str | None = None
    method: str = "supervised"  # or dpo
    epochs: int | None = None
    batch_size: int | None = None
    learning_rate_multiplier: float | None = None
    suffix: str | None = None
    seed: int | None = None


@dataclass(frozen=True)
class RemoteJob:
    id: str
    model: str
    status: str  # validating_files, queued, running, succeeded, failed, cancelled
    training_file: str
    created_at: int = 0
    fine_tuned_model: str | None = None
    trained_tokens: int | None = None
    error: dict[str, Any] | None = None
    # The ids of the files the service wrote when the job ended (OpenAI: one metrics CSV).
    result_files: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")


@dataclass(frozen=True)
class Checkpoint:
    """A model saved during a job (OpenAI keeps the last epochs'), usable like the final one."""

    id: str
    step: int
    model: str
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobEvent:
    id: str
    created_at: int
    level: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)


class Provider(Protocol):
    """A fine-tuning service. Methods that create things are never retried blindly."""

    name: str

    def list_files(self) -> list[RemoteFile]: ...

    def get_file(self, file_id: str) -> RemoteFile: ...

    def upload(
        self, path: str, filename: str, progress: Callable[[int, int], None] | None = None
    ) -> RemoteFile: ...

    def create_job(self, spec: JobSpec) -> RemoteJob: ...

    def get_job(self, job_id: str) -> RemoteJob: ...

    def list_jobs(self, limit: int = 20) -> list[RemoteJob]: ...

    def cancel_job(self, job_id: str) -> RemoteJob: ...

    def events(self, job_id: str, limit: int = 100) -> list[JobEvent]: ...

    def file_content(self, file_id: str) -> bytes: ...

    def checkpoints(self, job_id: str) -> list[Checkpoint]: ...
