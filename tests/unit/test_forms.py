"""Task forms are self-contained: validating one never retrieves anything."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from orchestrator.errors import InvalidTaskData
from orchestrator.forms import validate_form

SCHEMA = {"type": "object", "required": ["rahasia"]}


@pytest.fixture
def schema_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that serves a schema and records every request it gets."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = json.dumps(SCHEMA).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()
    thread.join()


def form_with(ref: str) -> dict:
    return {"type": "object", "properties": {"lampiran_lain": {"$ref": ref}}}


def test_a_remote_ref_in_a_stored_form_is_never_fetched(schema_server) -> None:
    base, requests = schema_server
    with pytest.raises(InvalidTaskData, match="refers to a schema outside itself"):
        validate_form(form_with(f"{base}/skema.json"), {"lampiran_lain": {}})
    with pytest.raises(InvalidTaskData, match="outside itself"):
        validate_form({"type": "object", "$dynamicRef": f"{base}/dinamis.json"}, {})
    assert requests == []


def test_a_file_ref_in_a_stored_form_is_never_read(tmp_path: Path) -> None:
    local = tmp_path / "skema.json"
    local.write_text(json.dumps(SCHEMA), encoding="utf-8")
    with pytest.raises(InvalidTaskData, match="outside itself") as info:
        validate_form(form_with(local.as_uri()), {"lampiran_lain": {}})
    assert "rahasia" not in str(info.value.details)


def test_local_references_still_validate() -> None:
    form = {"type": "object", "$defs": {"pilihan": {"enum": ["ya", "tidak"]}},
            "properties": {"ok": {"$ref": "#/$defs/pilihan"}}, "required": ["ok"]}
    validate_form(form, {"ok": "ya"})
    with pytest.raises(InvalidTaskData) as info:
        validate_form(form, {"ok": "mungkin"})
    assert list(info.value.details["errors"]) == ["ok"]
    with pytest.raises(InvalidTaskData, match="outside itself"):
        validate_form({"type": "object", "$ref": "#/$defs/tidak_ada"}, {})
