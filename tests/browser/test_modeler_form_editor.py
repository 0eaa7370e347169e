"""A user task's form is edited as a list of fields in the modeler's panel (key, label, kind,
required, choices, lanes of an official, documents; added, removed, reordered), and the task's
`form` property stays JSON Schema with every keyword the editor does not know kept intact."""

from __future__ import annotations

import json
import re
from typing import Any

from orchestrator.commands import Actor, DeployProcess
from tests.browser.conftest import Server, shot
from tests.browser.test_modeler_translations import open_modeler, select

DECREE = "Keputusan KPU Kota Bontang 9/2025, SOP 9.3 baris 7"
CHOICES = '"x-enumLabels":{"benar":"Benar (Y)","tidak_benar":"Tidak Benar (T)"}'
REQUIRED = '"required":["keputusan_pleno"],"additionalProperties":false'
FORM_OF = """(id) => {
  const bo = window.alurModeler.get('elementRegistry').get(id).businessObject;
  const props = bo.extensionElements.values.find((v) => v.properties).properties;
  return JSON.parse(props.find((p) => p.name === 'form').value);
}"""


def deploy_with_decree(server: Server) -> None:
    """Version 2 of SOP 9.3: Task_7's form carries keywords the editor does not know."""
    app = server.services.orchestrator
    xml = app.definition("sop_9_3").bpmn[1]
    assert xml.count(CHOICES) == 1 and xml.count(REQUIRED) == 1
    xml = xml.replace(CHOICES, f'{CHOICES},"x-decree":"{DECREE}","description":"Dari rapat"')
    xml = xml.replace(REQUIRED, f'{REQUIRED},"x-decree":"{DECREE}"')
    app.deploy(DeployProcess("sop_9_3", xml.encode(), Actor("pemilik_proses", frozenset(
        {"pemilik_proses"})), source="api"))


def field(page: Any, title: str) -> Any:
    """The list item of one form field, opened."""
    item = page.locator("[data-group-id=group-alur-form] .bio-properties-panel-list-item").filter(
        has=page.locator(".bio-properties-panel-collapsible-entry-header-title",
                         has_text=re.compile(f"^{re.escape(title)}$")))
    if "open" not in (item.locator(".bio-properties-panel-collapsible-entry").get_attribute(
            "class") or ""):
        item.locator(".bio-properties-panel-collapsible-entry-header").click()
    return item


def type_in(locator: Any, value: str) -> None:
    locator.fill(value)
    locator.press("Tab")
    locator.page.wait_for_timeout(400)  # the panel debounces input


def add_field(page: Any, key: str, title: str, kind: str) -> Any:
    page.locator("[data-group-id=group-alur-form] .bio-properties-panel-add-entry").click()
    item = field(page, "Isian baru")
    type_in(item.get_by_label("Kunci isian"), key)
    type_in(item.get_by_label("Label isian"), title)
    item = field(page, title)
    item.get_by_label("Jenis isian").select_option(label=kind)
    return item


def test_edit_a_form_as_fields_and_deploy_it(page: Any, server: Server) -> None:
    deploy_with_decree(server)
    open_modeler(page)
    select(page, "Task_7")
    group = page.locator("[data-group-id=group-alur-form]")
    titles = group.locator(".bio-properties-panel-collapsible-entry-header-title")
    assert titles.all_inner_texts() == ["Catatan", "Keputusan Rapat Pleno atas laporan/aduan"]
    decision = field(page, "Keputusan Rapat Pleno atas laporan/aduan")
    assert decision.get_by_label("Jenis isian").input_value() == "pilihan"
    assert decision.get_by_label("Wajib diisi").is_checked()
    choices = decision.get_by_label("Pilihan, satu per baris: nilai = label")
    assert choices.input_value() == "benar = Benar (Y)\ntidak_benar = Tidak Benar (T)"
    type_in(choices, "benar = Benar (Y)\ntidak_benar = Tidak Benar (T)\nditunda = Ditunda")
    assert field(page, "Catatan").get_by_label("Jenis isian").input_value() == "teks_panjang"

    number = add_field(page, "nomor_surat", "Nomor surat", "teks")
    number.get_by_label("Wajib diisi").check()
    key = number.get_by_label("Kunci isian")
    type_in(key, "Nomor Surat")
    assert "Kunci harus diawali huruf kecil" in number.inner_text()
    type_in(key, "nomor_surat")
    official = add_field(page, "pejabat_penanggung_jawab", "Pejabat penanggung jawab", "pejabat")
    official.get_by_label("Sekretaris").check()
    amount = add_field(page, "biaya", "Biaya", "uang")
    amount.get_by_role("button", name="Naikkan").click()
    documents = add_field(page, "berkas", "Berkas rapat", "dokumen")
    type_in(documents.get_by_label("Jumlah dokumen paling sedikit"), "2")
    field(page, "Nomor surat").get_by_role("button", name="Naikkan").click()
    catatan = field(page, "Catatan")
    catatan.locator(".bio-properties-panel-collapsible-entry-header").hover()
    catatan.get_by_title("Hapus butir").click()
    shot(page, "18-modeler-formulir")

    form = page.evaluate(FORM_OF, "Task_7")
    assert list(form["properties"]) == ["nomor_surat", "keputusan_pleno", "biaya",
                                        "pejabat_penanggung_jawab", "lampiran"]
    assert form["required"] == ["keputusan_pleno", "nomor_surat", "lampiran"]
    assert form["x-decree"] == DECREE and form["additionalProperties"] is False
    decided = form["properties"]["keputusan_pleno"]
    assert decided["x-decree"] == DECREE and decided["description"] == "Dari rapat"
    assert decided["enum"] == ["benar", "tidak_benar", "ditunda"]
    assert decided["x-enumLabels"] == {"benar": "Benar (Y)", "tidak_benar": "Tidak Benar (T)",
                                       "ditunda": "Ditunda"}
    assert form["properties"]["nomor_surat"] == {"type": "string", "maxLength": 200,
                                                 "title": "Nomor surat"}
    assert form["properties"]["biaya"]["x-alur-widget"] == "money"
    assert form["properties"]["pejabat_penanggung_jawab"] == {
        "type": "string", "x-alur-widget": "user", "x-alur-lanes": ["Sekretaris"],
        "title": "Pejabat penanggung jawab"}
    attachments = form["properties"]["lampiran"]
    assert attachments["minItems"] == 2 and attachments["title"] == "Berkas rapat"
    assert attachments["items"]["required"] == ["nama", "sha256", "ukuran"]

    page.locator("#kanvas").click(position={"x": 600, "y": 480})  # the canvas takes the keys
    page.keyboard.press("Control+z")  # the editor's changes are commands: undo works
    assert "catatan" in page.evaluate(FORM_OF, "Task_7")["properties"]
    page.keyboard.press("Control+y")
    assert "catatan" not in page.evaluate(FORM_OF, "Task_7")["properties"]
    page.get_by_role("button", name="Periksa model").click()
    page.locator("#hasil").get_by_text("Model sah dan dapat diterapkan.").wait_for()
    page.get_by_role("button", name="Terapkan sebagai versi baru").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya, terapkan versi 3").click()
    page.locator("#hasil").get_by_text("Versi 3 diterapkan.").wait_for()
    stored = server.services.orchestrator.model("sop_9_3", 3)[0].tasks["Task_7"]["form"]
    assert stored["x-decree"] == DECREE
    assert list(stored["properties"])[:2] == ["nomor_surat", "keputusan_pleno"]


def test_a_form_that_is_not_json_is_offered_for_repair(page: Any, server: Server) -> None:
    open_modeler(page)
    page.evaluate("""() => {
      const m = window.alurModeler;
      const bo = m.get('elementRegistry').get('Task_2').businessObject;
      const props = bo.extensionElements.values.find((v) => v.properties).properties;
      props.find((p) => p.name === 'form').value = '{"type": "object", ';
    }""")
    select(page, "Task_2")
    group = page.locator("[data-group-id=group-alur-form]")
    repair = group.get_by_label("Formulir bukan JSON yang sah sehingga tidak dapat diubah di sini.")
    type_in(repair, '{"type": "object", "properties": {}}')
    select(page, "Task_1")
    select(page, "Task_2")
    assert group.locator(".bio-properties-panel-add-entry").count() == 1
    assert json.loads(json.dumps(page.evaluate(FORM_OF, "Task_2"))) == {
        "type": "object", "properties": {}}
