"""The OpenAI-compatible provider: OpenAI, Azure OpenAI, or any service speaking its API.

Uses the official ``openai`` SDK. Reads (listing, polling) keep the SDK's retries with
backoff; calls that create something (a file, an upload, a job) are sent once, because a
request that failed on the way back may still have succeeded, and the orchestration checks
for that before trying again. The API key is given to the SDK and never printed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, Literal

from ftprep.upload.provider import (
    Checkpoint,
    JobEvent,
    JobSpec,
    ProviderError,
    RemoteFile,
    RemoteJob,
)

SINGLE_REQUEST_LIMIT = 512 * 1024 * 1024  # larger files go through the Uploads API
PART_BYTES = 64 * 1024 * 1024
PURPOSE = "fine-tune"


def _limit(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class OpenAIProvider:
    """Files, uploads and fine-tuning jobs through the ``openai`` SDK."""

    name = "openai"

    def __init__(self, client: Any) -> None:
        self.client = client
        self.once = client.with_options(max_retries=0)  # for calls that create something
        self.single_limit = _limit("FTPREP_UPLOAD_SINGLE_LIMIT", SINGLE_REQUEST_LIMIT)
        self.part_bytes = _limit("FTPREP_UPLOAD_PART_BYTES", PART_BYTES)

    @classmethod
    def from_settings(
        cls,
        *,
        base_url: str | None = None,
        azure_endpoint: str | None = None,
        api_version: str | None = None,
        azure_deployment: str | None = None,
        timeout: float = 600.0,
        max_retries: int = 4,
    ) -> OpenAIProvider:
        """A client from flags and the usual environment variables (OPENAI_API_KEY,
        OPENAI_BASE_URL, AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION)."""
        try:
            import openai
        except ImportError:  # pragma: no cover - a dependency
            raise ProviderError("the openai package is missing: pip install openai") from None
        azure_endpoint = azure_endpoint or os.environ.get("AZURE_OPENAI_ENDPOINT")
        if azure_endpoint:
            if not os.environ.get("AZURE_OPENAI_API_KEY"):
                raise ProviderError(
                    "no Azure OpenAI API key: set AZURE_OPENAI_API_KEY in the environment"
                )
            if not (api_version or os.environ.get("OPENAI_API_VERSION")):
                raise ProviderError(
                    "Azure OpenAI needs an API version: pass --api-version (e.g. 2024-10-21) "
                    "or set OPENAI_API_VERSION"
                )
        elif not os.environ.get("OPENAI_API_KEY"):
            raise ProviderError(
                "no API key: set OPENAI_API_KEY in the environment (for Azure, set "
                "AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY)"
            )
        client: openai.OpenAI
        try:
            if azure_endpoint:
                client = openai.AzureOpenAI(
                    azure_endpoint=azure_endpoint,
                    api_version=api_version or os.environ.get("OPENAI_API_VERSION"),
                    azure_deployment=azure_deployment,
                    timeout=timeout,
                    max_retries=max_retries,
                )
            else:
                client = openai.OpenAI(base_url=base_url, timeout=timeout, max_retries=max_retries)
        except openai.OpenAIError as exc:
            # The SDK's messages name the variable to set and never the key itself.
            raise ProviderError(str(exc)) from None
        return cls(client)

    # -- files ---------------------------------------------------------------------------
    def list_files(self) -> list[RemoteFile]:
        with _errors("listing files"):
            page = self.client.files.list(purpose=PURPOSE)
            return [_file(f) for f in page]

    def get_file(self, file_id: str) -> RemoteFile:
        with _errors(f"reading file {file_id}"):
            return _file(self.client.files.retrieve(file_id))

    def upload(
        self, path: str, filename: str, progress: Callable[[int, int], None] | None = None
    ) -> RemoteFile:
        size = os.path.getsize(path)
        if size <= self.single_limit:
            with _errors(f"uploading {filename}"), open(path, "rb") as fh:
                created = self.once.files.create(
                    file=(filename, fh, "application/jsonl"), purpose=PURPOSE
                )
            if progress is not None:
                progress(size, size)
            return _file(created)
        return self._upload_in_parts(path, filename, size, progress)

    def _upload_in_parts(
        self, path: str, filename: str, size: int, progress: Callable[[int, int], None] | None
    ) -> RemoteFile:
        with _errors(f"starting the upload of {filename}"):
            upload = self.once.uploads.create(
                bytes=size, filename=filename, mime_type="application/jsonl", purpose=PURPOSE
            )
        part_ids: list[str] = []
        sent = 0
        with open(path, "rb") as fh:
            while chunk := fh.read(self.part_bytes):
                # A part is only used once listed at completion, so re-sending one is safe.
                def send(chunk: bytes = chunk) -> Any:
                    return self.once.uploads.parts.create(upload.id, data=chunk)

                part = _retry(
                    send,
                    f"uploading part {len(part_ids) + 1} of {filename}",
                )
                part_ids.append(part.id)
                sent += len(chunk)
                if progress is not None:
                    progress(sent, size)
        with _errors(f"completing the upload of {filename}"):
            done = self.once.uploads.complete(upload.id, part_ids=part_ids)
        if done.file is None:
            raise ProviderError(f"the upload of {filename} completed without a file")
        return _file(done.file)

    # -- jobs ----------------------------------------------------------------------------
    def create_job(self, spec: JobSpec) -> RemoteJob:
        hyper: dict[str, Any] = {}
        if spec.epochs is not None:
            hyper["n_epochs"] = spec.epochs
        if spec.batch_size is not None:
            hyper["batch_size"] = spec.batch_size
        if spec.learning_rate_multiplier is not None:
            hyper["learning_rate_multiplier"] = spec.learning_rate_multiplier
        method: dict[str, Any] = {"type": spec.method}
        if hyper:
            method[spec.method] = {"hyperparameters": hyper}
        kwargs: dict[str, Any] = {
            "model": spec.model,
            "training_file": spec.training_file,
            "method": method,
        }
        if spec.validation_file:
            kwargs["validation_file"] = spec.validation_file
        if spec.suffix:
            kwargs["suffix"] = spec.suffix
        if spec.seed is not None:
            kwargs["seed"] = spec.seed
        with _errors("creating the fine-tuning job"):
            return _job(self.once.fine_tuning.jobs.create(**kwargs))

    def get_job(self, job_id: str) -> RemoteJob:
        with _errors(f"reading job {job_id}"):
            return _job(self.client.fine_tuning.jobs.retrieve(job_id))

    def list_jobs(self, limit: int = 20) -> list[RemoteJob]:
        with _errors("listing jobs"):
            page = self.client.fine_tuning.jobs.list(limit=limit)
            return [_job(j) for j in page.data]

    def cancel_job(self, job_id: str) -> RemoteJob:
        with _errors(f"cancelling job {job_id}"):
            return _job(self.client.fine_tuning.jobs.cancel(job_id))

    def events(self, job_id: str, limit: int = 100) -> list[JobEvent]:
        with _errors(f"reading the events of job {job_id}"):
            page = self.client.fine_tuning.jobs.list_events(job_id, limit=limit)
            events = [
                JobEvent(
                    e.id, e.created_at, e.level, e.message, dict(getattr(e, "data", None) or {})
                )
                for e in page.data
            ]
        return sorted(events, key=lambda e: (e.created_at, e.id))

    def file_content(self, file_id: str) -> bytes:
        with _errors(f"downloading file {file_id}"):
            return bytes(self.client.files.content(file_id).content)

    def checkpoints(self, job_id: str) -> list[Checkpoint]:
        with _errors(f"listing the checkpoints of job {job_id}"):
            page = self.client.fine_tuning.jobs.checkpoints.list(job_id, limit=100)
            found = [
                Checkpoint(
                    id=c.id,
                    step=int(c.step_number),
                    model=c.fine_tuned_model_checkpoint,
                    metrics={
                        k: v
                        for k, v in (c.metrics.model_dump() if c.metrics else {}).items()
                        if v is not None
                    },
                )
                for c in page.data
            ]
        return sorted(found, key=lambda c: c.step)


def _file(f: Any) -> RemoteFile:
    return RemoteFile(
        id=f.id,
        filename=f.filename,
        bytes=f.bytes,
        status=f.status,
        status_details=getattr(f, "status_details", None),
    )


def _job(j: Any) -> RemoteJob:
    error = getattr(j, "error", None)
    error_dict = None
    if error is not None and (getattr(error, "message", None) or getattr(error, "code", None)):
        error_dict = {"code": error.code, "message": error.message, "param": error.param}
    return RemoteJob(
        id=j.id,
        model=j.model,
        status=j.status,
        training_file=j.training_file,
        created_at=j.created_at or 0,
        fine_tuned_model=j.fine_tuned_model,
        trained_tokens=j.trained_tokens,
        error=error_dict,
        result_files=tuple(getattr(j, "result_files", None) or ()),
    )


class _errors:
    """Turn the SDK's exceptions into ProviderError: what failed, and if it is transient."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> Literal[False]:
        if exc is None:
            return False
        import openai

        if isinstance(exc, openai.APIConnectionError):  # includes timeouts
            kind = "timed out" if isinstance(exc, openai.APITimeoutError) else "no connection"
            raise ProviderError(
                f"{self.what}: cannot reach {_service_address(exc)} ({kind}); check the network, "
                "--base-url (or OPENAI_BASE_URL) and any proxy",
                transient=True,
            ) from None
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            message = _server_message(exc)
            if status == 401:
                message = "the API key was refused; check OPENAI_API_KEY (or the Azure key)"
            transient = status == 429 or status >= 500
            raise ProviderError(
                f"{self.what}: {message} (HTTP {status})", transient=transient, status=status
            ) from None
        if isinstance(exc, openai.OpenAIError):
            raise ProviderError(f"{self.what}: {exc}") from None
        return False


def _server_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return str(getattr(exc, "message", exc))


def _retry(call: Callable[[], Any], what: str, attempts: int = 4) -> Any:
    """Retry a safe call on transient failures, with exponential backoff."""
    delay = float(os.environ.get("FTPREP_RETRY_DELAY", "1.0"))
    for attempt in range(1, attempts + 1):
        try:
            with _errors(what):
                return call()
        except ProviderError as exc:
            if not exc.transient or attempt == attempts:
                raise
            time.sleep(delay * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _service_address(exc: Any) -> str:
    """Scheme, host and port of the request that failed, without path or query secrets."""
    try:
        url = exc.request.url
        return f"{url.scheme}://{url.netloc.decode()}"
    except Exception:  # the SDK did not attach a request
        return "the service"
