"""The inspector's audit page shows the last signed checkpoint (time in WITA, size, root
prefix) and whether the store still extends it, recomputed once per (checkpoint, log head)."""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from flask import Flask

from alur.bootstrap import Services
from alur.config import Config
from tests.api.test_portal import page_login
from tests.integration.rawstore import RawStore
from tests.integration.test_chain_verification import walked_case


def checkpoint_section(app: Flask, case_id: UUID) -> str:
    client = app.test_client()
    page_login(client, "inspektur")
    response = client.get(f"/audit/kasus/{case_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    (section,) = re.findall(r'<section[^>]*judul-checkpoint.*?</section>', html, re.S)
    return re.sub(r"\s+", " ", section)


def test_the_page_shows_the_checkpoint_and_whether_the_store_extends_it(
        app: Any, services: Services, config: Config) -> None:
    case_id = walked_case(services)
    assert "Belum ada checkpoint" in checkpoint_section(app, case_id)
    checkpoint = services.anchor().write()
    assert checkpoint is not None
    section = checkpoint_section(app, case_id)
    assert "Utuh." in section and "rantai-utuh" in section
    assert f"{checkpoint.head.size} catatan" in section
    assert f"<code>{checkpoint.head.root[:16]}…</code>" in section
    assert re.search(r"\d{1,2} \w+ \d{4} \d{2}\.\d{2} WITA", section), section
    walked_case(services, steps=1)  # legitimate appends: still extends it
    assert "Utuh." in checkpoint_section(app, case_id)

    raw = RawStore(config)
    raw.set_state(case_id, 4, raw.states(case_id)[4].replace(b"selesai 1", b"selesai 9"))
    # the same checkpoint and the same head: the page reuses its last result
    assert "Utuh." in checkpoint_section(app, case_id)
    walked_case(services, steps=1)  # the head moved: recomputed
    section = checkpoint_section(app, case_id)
    assert "Rusak." in section and "rantai-rusak" in section, section
    assert f"aliran <code>{case_id}</code>, versi 4) diubah; 1 catatan berbeda" in section


def test_a_forged_checkpoint_is_shown_as_refused(app: Any, services: Services,
                                                 config: Config) -> None:
    case_id = walked_case(services, steps=1)
    services.anchor().write()
    path = config.checkpoint_path
    line = json.loads(path.read_text())
    path.write_text(json.dumps({**line, "root": "0" * 64}) + "\n")
    section = checkpoint_section(app, case_id)
    assert "Ditolak." in section and "forged or altered" in section, section
