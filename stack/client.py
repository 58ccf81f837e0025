"""A small client of the HTTP API: upload a file, start it, wait for its final status."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

FINAL = {"imported", "partially_imported", "failed"}


class ImportClient:
    """Drives the upload service's API as one user, with their API token."""

    def __init__(self, api_url: str, token: str, *, language: str = "pt-BR") -> None:
        self._http = httpx.Client(
            base_url=api_url,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": language},
            timeout=httpx.Timeout(30.0, read=300.0),
        )

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def upload(self, path: Path) -> httpx.Response:
        """Stream a file to the API; returns the raw response (201, 413 or 422)."""
        return self._http.post(
            "/v1/imports",
            params={"file_name": path.name},
            content=_chunks(path),
            headers={"Content-Type": "text/csv"},
        )

    def start(self, import_id: str, plan: dict[str, Any] | None = None) -> dict[str, Any]:
        """Start an uploaded import, optionally subscribing its customers to a plan."""
        request = {"plan": plan} if plan else None
        response = self._http.post(f"/v1/imports/{import_id}/start", json=request)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def get(self, import_id: str) -> dict[str, Any]:
        """The import as it stands."""
        response = self._http.get(f"/v1/imports/{import_id}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def wait_until_final(
        self, import_id: str, *, timeout: float = 300.0, poll: float = 0.3
    ) -> dict[str, Any]:
        """Poll until the import reaches a final status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.get(import_id)
            if current["status"] in FINAL:
                return current
            time.sleep(poll)
        raise TimeoutError(f"import {import_id} not final after {timeout:.0f} s: {current}")

    def call(self, method: str, path: str, json: Any = None) -> httpx.Response:
        """Any request to the API, answered as is."""
        return self._http.request(method, path, json=json)

    def download(self, path: str) -> bytes:
        """A file link of an import (original or errors)."""
        response = self._http.get(path)
        response.raise_for_status()
        return response.content


def _chunks(path: Path, size: int = 1024 * 1024) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(size):
            yield chunk
