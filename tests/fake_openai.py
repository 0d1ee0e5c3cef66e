"""A real HTTP server on loopback speaking the parts of OpenAI's API that ftprep uses.

Files (with a processing delay and validation errors), the Uploads API (parts), fine-tuning
jobs (a state machine with events, and failures naming a line), plus injected faults: a
status code for the next request to a route, or a file stored although the response says 500
(the case where a blind retry would upload twice). Every request is recorded.
"""

from __future__ import annotations

import json
import re
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    def __init__(self, processing_polls: int = 2) -> None:
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.uploads: dict[str, dict[str, Any]] = {}
        self.parts: dict[str, bytes] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.checkpoints: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[dict[str, Any]] = []
        self.faults: dict[str, list[int]] = {}
        self.store_then_fail: set[str] = set()
        self.processing_polls = processing_polls
        self._polls: dict[str, int] = {}
        self._ids = 0
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"api": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail_next(self, route: str, *statuses: int) -> None:
        """``route`` like 'POST /files'; each listed status answers one request."""
        self.faults.setdefault(route, []).extend(statuses)

    def new_id(self, prefix: str) -> str:
        with self._lock:
            self._ids += 1
            return f"{prefix}-{self._ids}"

    def calls(self, route: str) -> list[dict[str, Any]]:
        method, path = route.split(" ", 1)
        return [r for r in self.requests if r["method"] == method and re.fullmatch(path, r["path"])]

    # -- behaviour ------------------------------------------------------------------------
    def store_file(self, filename: str, content: bytes) -> dict[str, Any]:
        file_id = self.new_id("file")
        self.files[file_id] = {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": "fine-tune",
            "status": "uploaded",
            "status_details": None,
        }
        self.contents[file_id] = content
        self._polls[file_id] = 0
        return self.files[file_id]

    def poll_file(self, file_id: str) -> dict[str, Any]:
        f = self.files[file_id]
        self._polls[file_id] += 1
        if f["status"] == "uploaded" and self._polls[file_id] >= self.processing_polls:
            lines = self.contents[file_id].splitlines()
            bad = [n for n, line in enumerate(lines, 1) if b"REJECT_ME" in line]
            if bad:
                f["status"] = "error"
                f["status_details"] = (
                    f'Invalid file format. Line {bad[0]}, key "messages": the message is not valid.'
                )
            else:
                f["status"] = "processed"
        return f

    def create_job(self, body: dict[str, Any]) -> dict[str, Any]:
        job_id = self.new_id("ftjob")
        self.jobs[job_id] = {
            "id": job_id,
            "object": "fine_tuning.job",
            "created_at": int(time.time()),
            "model": body["model"],
            "training_file": body["training_file"],
            "validation_file": body.get("validation_file"),
            "status": "validating_files",
            "fine_tuned_model": None,
            "trained_tokens": None,
            "error": None,
            "hyperparameters": {"n_epochs": "auto"},
            "method": body.get("method"),
            "organization_id": "org-test",
            "result_files": [],
            "seed": body.get("seed") or 0,
        }
        self.events[job_id] = []
        self.add_event(job_id, "Validating training file: " + body["training_file"])
        return self.jobs[job_id]

    def finish_job(self, job_id: str, result_csv: bytes, checkpoint_every: int = 20) -> None:
        """End a job as OpenAI does: succeeded, a metrics CSV as its result file, and a
        checkpoint every ``checkpoint_every`` steps with that step's metrics."""
        job = self.jobs[job_id]
        result = self.store_file(f"step_metrics_{job_id}.csv", result_csv)
        result["purpose"] = "fine-tune-results"
        job.update(
            status="succeeded",
            fine_tuned_model=f"ft:{job['model']}:org-test::{job_id}",
            trained_tokens=12345,
            result_files=[result["id"]],
        )
        rows = result_csv.decode().splitlines()
        header = rows[0].split(",")
        self.checkpoints[job_id] = []
        for row in rows[1:]:
            cells = dict(zip(header, row.split(","), strict=True))
            step = int(cells["step"])
            if step % checkpoint_every:
                continue
            metrics = {k: float(v) for k, v in cells.items() if v and k != "step"}
            self.checkpoints[job_id].append(
                {
                    "id": f"ftckpt-{job_id}-{step}",
                    "object": "fine_tuning.job.checkpoint",
                    "created_at": 0,
                    "fine_tuned_model_checkpoint": f"{job['fine_tuned_model']}:ckpt-step-{step}",
                    "fine_tuning_job_id": job_id,
                    "step_number": step,
                    "metrics": {"step": float(step), **metrics},
                }
            )

    def add_event(self, job_id: str, message: str, level: str = "info") -> None:
        events = self.events[job_id]
        events.append(
            {
                "id": f"ftevent-{job_id}-{len(events) + 1}",
                "object": "fine_tuning.job.event",
                "created_at": int(time.time()),
                "level": level,
                "message": message,
                "type": "message",
            }
        )

    def advance(self, job_id: str) -> dict[str, Any]:
        job = self.jobs[job_id]
        content = self.contents.get(job["training_file"], b"")
        step = {"validating_files": "queued", "queued": "running", "running": "succeeded"}
        nxt = step.get(job["status"])
        if nxt is None:
            return job
        if nxt == "running" and b"FAIL_JOB" in content:
            line = next(n for n, x in enumerate(content.splitlines(), 1) if b"FAIL_JOB" in x)
            job["status"] = "failed"
            job["error"] = {
                "code": "invalid_training_file",
                "message": f"The job failed due to an invalid training file. Example on line {line} has too many tokens.",
                "param": "training_file",
            }
            self.add_event(job_id, "The job failed", "error")
            return job
        job["status"] = nxt
        if nxt == "running":
            self.add_event(job_id, "Fine-tuning job started")
            self.add_event(job_id, "Step 1/3: training loss=1.23")
        if nxt == "succeeded":
            job["fine_tuned_model"] = f"ft:{job['model']}:org-test::{job_id}"
            job["trained_tokens"] = 12345
            self.add_event(job_id, "The job has successfully completed")
        return job


class _Handler(BaseHTTPRequestHandler):
    api: FakeOpenAI

    def log_message(self, *args: object) -> None:  # quiet
        return None

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _send_bytes(self, data: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(
            status,
            {"error": {"message": message, "type": "server_error", "code": None, "param": None}},
            {"retry-after-ms": "5"} if status == 429 else None,
        )

    def _body(self) -> tuple[bytes, dict[str, Any]]:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + raw
            )
            fields: dict[str, Any] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True)
                fields[name] = (filename, payload) if filename else payload.decode()
            return raw, fields
        return raw, json.loads(raw) if raw else {}

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        api = self.api
        # OpenAI serves /v1/...; Azure OpenAI serves /openai/... with ?api-version=.
        path = self.path.split("?")[0].removeprefix("/v1").removeprefix("/openai")
        raw, body = self._body() if method == "POST" else (b"", {})
        api.requests.append(
            {
                "method": method,
                "path": path,
                "query": self.path.partition("?")[2],
                "auth": self.headers.get("Authorization") or self.headers.get("api-key"),
                "body": {k: v for k, v in body.items() if k != "file" and k != "data"},
                "size": len(raw),
            }
        )
        generic = re.sub(r"/(file|ftjob|upload|part)-[0-9]+", r"/\1-ID", path)
        route = f"{method} {generic}"
        queued = api.faults.get(route)
        if queued:
            status = queued.pop(0)
            if route in api.store_then_fail and method == "POST" and path == "/files":
                filename, content = body["file"]
                api.store_file(filename, content)  # stored, but the answer is lost
            return self._error(status, f"injected {status}")
        try:
            self._handle(method, path, body)
        except KeyError as exc:
            self._error(404, f"no such object {exc}")

    def _handle(self, method: str, path: str, body: dict[str, Any]) -> None:
        api = self.api
        if method == "GET" and path == "/files":
            data = list(api.files.values())
            return self._send(200, {"object": "list", "data": data, "has_more": False})
        if method == "POST" and path == "/files":
            filename, content = body["file"]
            return self._send(200, api.store_file(filename, content))
        if m := re.fullmatch(r"/files/(file-\d+)/content", path):
            return self._send_bytes(api.contents[m.group(1)])
        if m := re.fullmatch(r"/fine_tuning/jobs/(ftjob-\d+)/checkpoints", path):
            data = list(reversed(api.checkpoints.get(m.group(1), [])))
            return self._send(200, {"object": "list", "data": data, "has_more": False})
        if m := re.fullmatch(r"/files/(file-\d+)", path):
            return self._send(200, api.poll_file(m.group(1)))
        if method == "POST" and path == "/uploads":
            upload_id = api.new_id("upload")
            api.uploads[upload_id] = {
                "id": upload_id,
                "object": "upload",
                "bytes": body["bytes"],
                "created_at": int(time.time()),
                "expires_at": int(time.time()) + 3600,
                "filename": body["filename"],
                "purpose": body["purpose"],
                "status": "pending",
                "file": None,
            }
            return self._send(200, api.uploads[upload_id])
        if m := re.fullmatch(r"/uploads/(upload-\d+)/parts", path):
            part_id = api.new_id("part")
            api.parts[part_id] = body["data"][1]
            return self._send(
                200,
                {"id": part_id, "object": "upload.part", "created_at": 0, "upload_id": m.group(1)},
            )
        if m := re.fullmatch(r"/uploads/(upload-\d+)/complete", path):
            upload = api.uploads[m.group(1)]
            content = b"".join(api.parts[p] for p in body["part_ids"])
            if len(content) != upload["bytes"]:
                return self._error(400, "the parts do not add up to the declared bytes")
            upload["status"] = "completed"
            upload["file"] = api.store_file(upload["filename"], content)
            return self._send(200, upload)
        if method == "POST" and path == "/fine_tuning/jobs":
            return self._send(200, api.create_job(body))
        if method == "GET" and path == "/fine_tuning/jobs":
            data = sorted(api.jobs.values(), key=lambda j: j["id"], reverse=True)
            return self._send(200, {"object": "list", "data": data, "has_more": False})
        if m := re.fullmatch(r"/fine_tuning/jobs/(ftjob-\d+)", path):
            return self._send(200, api.advance(m.group(1)))
        if m := re.fullmatch(r"/fine_tuning/jobs/(ftjob-\d+)/cancel", path):
            job = api.jobs[m.group(1)]
            job["status"] = "cancelled"
            api.add_event(job["id"], "Job cancelled")
            return self._send(200, job)
        if m := re.fullmatch(r"/fine_tuning/jobs/(ftjob-\d+)/events", path):
            data = list(reversed(api.events[m.group(1)]))
            return self._send(200, {"object": "list", "data": data, "has_more": False})
        self._error(404, f"no route {method} {path}")
