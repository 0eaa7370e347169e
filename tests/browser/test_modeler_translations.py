"""The modeler speaks Bahasa Indonesia: every text of its palette, context pad, replace menu,
search and properties panel is a value of the dictionary (api/static/src/translations-id.json)
or a name the owner typed; the engine's English validation errors are shown in Indonesian with
the element id kept, while the API still answers in English."""

from __future__ import annotations

import json
import re
from typing import Any

from alur.bootstrap import DEMO_PASSWORD
from alur.config import PROJECT_ROOT
from tests.browser.conftest import Server, login, shot

DICTIONARY = json.loads(
    (PROJECT_ROOT / "api" / "static" / "src" / "translations-id.json").read_text("utf-8"))
UI = [".djs-palette", ".djs-context-pad", ".djs-popup", "#panel", ".djs-search-container"]
WHOLE = ".djs-search-result, .djs-popup-search-count"  # texts split by highlights or numbers
SHOWN = """([roots, whole]) => {
  const out = new Set();
  for (const root of document.querySelectorAll(roots.join(','))) {
    for (const el of root.querySelectorAll("*")) {
      for (const name of ['title', 'aria-label', 'placeholder']) {
        if (el.getAttribute(name)) out.add(el.getAttribute(name).trim());
      }
      if (el.closest(whole)) continue;
      for (const node of el.childNodes) {
        if (node.nodeType === 3 && node.textContent.trim()) out.add(node.textContent.trim());
      }
    }
  }
  for (const hit of document.querySelectorAll(whole)) {
    hit.innerText.split('\\n').forEach((line) => line.trim() && out.add(line.trim()));
  }
  return [...out];
}"""
TYPED = """() => {
  const names = new Set();
  for (const el of window.alurModeler.get('elementRegistry').getAll()) {
    const bo = el.businessObject;
    [bo.id, bo.name, bo.text].forEach((value) => value && names.add(String(value).trim()));
    const ext = bo.extensionElements && bo.extensionElements.values || [];
    for (const props of ext) for (const p of props.properties || []) {
      if (p.name !== 'form') continue;
      for (const [key, spec] of Object.entries(JSON.parse(p.value).properties || {})) {
        names.add(key);
        if (spec.title) names.add(spec.title);
      }
    }
  }
  return [...names];
}"""
OPEN_ALL = """() => {
  const closed = '#panel .bio-properties-panel-group-header:not(.open), '
    + '#panel .bio-properties-panel-collapsible-entry:not(.open) > '
    + '.bio-properties-panel-collapsible-entry-header';
  document.querySelectorAll(closed).forEach((header) => header.click());
}"""
SELECT = """(ids) => {
  const m = window.alurModeler;
  m.get('selection').select(ids.map((id) => m.get('elementRegistry').get(id)));
}"""


def pattern(value: str) -> re.Pattern[str]:
    """A dictionary value as a pattern: its {placeholders} stand for any text."""
    parts = re.split(r"\{[^}]+\}", value)
    return re.compile(".+".join(re.escape(part) for part in parts) + r"\Z", re.S)


ALLOWED = [pattern(value) for value in set(DICTIONARY.values())]
NUMBERS = re.compile(r"[\d\s.,:()/+-]*\Z")


def english_left(texts: set[str], typed: set[str]) -> list[str]:
    """The shown texts that are neither dictionary values nor the owner's own words."""
    def known(text: str) -> bool:
        if text in typed or NUMBERS.match(text) or any(p.match(text) for p in ALLOWED):
            return True
        cut = text.rstrip("…").strip()  # the panel shortens long names with an ellipsis
        return text.endswith("…") and any(name.startswith(cut) for name in typed)
    return sorted(t for t in texts if not known(t))


def shown(page: Any) -> set[str]:
    return set(page.evaluate(SHOWN, [UI, WHOLE]))


def select(page: Any, *ids: str) -> None:
    page.evaluate(SELECT, list(ids))
    page.wait_for_timeout(150)
    for _ in range(2):  # list items appear once their group is open
        page.evaluate(OPEN_ALL)
        page.wait_for_timeout(150)


def replace_menu(page: Any, search: str = "") -> set[str]:
    """The texts of the element's replace menu (and of its search, when asked)."""
    wrench = page.locator(".djs-context-pad [data-action=replace]")
    if not wrench.count():  # lanes have none
        return set()
    wrench.click()
    page.locator(".djs-popup").wait_for()
    if search:
        page.keyboard.type(search)
        page.locator(".djs-popup-search-count").wait_for()
    texts = shown(page)
    page.keyboard.press("Escape")
    return texts


def open_modeler(page: Any, key: str = "sop_9_3") -> None:
    login(page, "pemilik_proses")
    page.goto(f"/proses/{key}/modeler")
    page.wait_for_selector("body[data-modeler-ready=true]")


def test_every_text_of_the_modeler_is_indonesian(page: Any) -> None:
    open_modeler(page)
    texts = shown(page)  # the palette and the panel of the collaboration
    assert "Alat geser kanvas" in texts and "Kolaborasi" in texts
    elements = ["Participant_sop_9_3", "Lane_admin", "StartEvent", "Task_2", "Gateway_7",
                "Flow_9", "EndEvent_1"]
    for element_id in elements:
        select(page, element_id)
        texts |= shown(page)
        texts |= replace_menu(page, search="a" if element_id == "Task_2" else "")
    select(page, "Task_2")
    shot(page, "16-modeler-bahasa-indonesia")
    select(page, "Task_1", "Task_2")
    texts |= shown(page)
    page.locator("#kanvas").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+f")
    page.keyboard.type("Pleno")
    page.locator(".djs-search-results .djs-search-result").first.wait_for()
    texts |= shown(page)

    typed = set(page.evaluate(TYPED))
    for expected in ("Tambah anotasi teks", "Sambungkan ke elemen lain", "Tugas layanan",
                     "Buka/tutup bagian", "Langkah SOP (spiffworkflow:properties)",
                     "Formulir langkah", "Jenis isian", "Cari di diagram", "Pool/partisipan "
                     "kosong (isinya dihapus)", "Beberapa elemen terpilih. Pilih satu elemen "
                     "untuk mengubah propertinya."):
        assert expected in texts, expected
    assert any(re.fullmatch(r"\d+ hasil ditemukan", t) for t in texts)
    assert english_left(texts, typed) == []


def test_the_check_catches_english_left() -> None:
    """The browser test's check would see the texts bpmn-js ships in English."""
    typed = {"Task_2", "Admin"}
    assert english_left({"Add text annotation", "Service task", "Task_2", "Tugas layanan",
                         "Daftar berisi 3 butir", "12"}, typed) == [
        "Add text annotation", "Service task"]


def replace_with(page: Any, element_id: str, search: str, entry: str) -> None:
    select(page, element_id)
    page.locator(".djs-context-pad [data-action=replace]").click()
    page.keyboard.type(search)
    page.locator(".djs-popup").get_by_text(entry, exact=True).click()


def rename(page: Any, element_id: str, name: str) -> None:
    select(page, element_id)
    field = page.locator("#bio-properties-panel-name")
    field.fill(name)
    field.press("Tab")
    page.wait_for_timeout(400)  # the panel debounces input


def test_engine_errors_are_shown_in_indonesian(page: Any, server: Server) -> None:
    open_modeler(page)
    replace_with(page, "Task_2", "layanan", "Tugas layanan")
    rename(page, "Lane_admin", "Juru Masak")
    page.get_by_role("button", name="Periksa model").click()
    result = page.locator("#hasil")
    result.get_by_text("Model belum dapat diterapkan.").wait_for()
    errors = result.locator("li").all_inner_texts()
    assert "Task_2: Tugas layanan tidak diizinkan (server tidak menjalankan kode)." in errors
    assert "Lajur 'Juru Masak' (Lane_admin) bukan peran dalam daftar peran." in errors
    assert not [e for e in errors if re.search(r"\b(is|not|allowed|lane|role)\b", e)]
    shot(page, "17-modeler-galat-indonesia")

    xml = page.evaluate("async () => (await window.alurModeler.saveXML()).xml")
    token = page.request.post(f"{server.url}/api/v1/auth/token", data={
        "username": "pemilik_proses", "password": DEMO_PASSWORD}).json()["token"]
    api = page.request.post(f"{server.url}/api/v1/processes/sop_9_3/validate", data=xml,
                            headers={"Authorization": f"Bearer {token}",
                                     "Content-Type": "application/xml"}).json()
    assert "Task_2: serviceTask is not allowed (no code runs on the server)" in api["errors"]
    assert "lane 'Juru Masak' (Lane_admin) is not a role in the roles registry" in api["errors"]
