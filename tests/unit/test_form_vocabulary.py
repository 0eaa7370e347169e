"""The catalogue's field kinds become JSON Schema (tools/catalogue_to_bpmn.py), the task page
reads them back (api/pages/taskform.py), and the sample generator satisfies them."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from werkzeug.datastructures import MultiDict

from api.pages.taskform import form_fields, format_money, messages, parse, parse_money
from orchestrator.errors import InvalidTaskData
from orchestrator.forms import validate_form
from tools.catalogue_to_bpmn import KINDS, field_schema, task_form
from tools.form_samples import sample

QUOTE = {"column": "output", "text": "Surat"}
ROW: dict[str, Any] = {"step": 1, "fields": [
    {"name": "nomor_surat", "kind": "nomor", "title": "Nomor surat", "required": True,
     "decree": QUOTE},
    {"name": "tanggal_surat", "kind": "date", "title": "Tanggal surat", "required": True,
     "decree": QUOTE},
    {"name": "waktu_rapat", "kind": "datetime", "title": "Waktu rapat", "decree": QUOTE},
    {"name": "perihal", "kind": "text", "title": "Perihal", "decree": QUOTE},
    {"name": "isi", "kind": "longtext", "title": "Isi disposisi", "decree": QUOTE},
    {"name": "jumlah", "kind": "integer", "title": "Jumlah berkas", "minimum": 1,
     "decree": QUOTE},
    {"name": "nilai_spm", "kind": "money", "title": "Nilai SPM", "required": True,
     "decree": QUOTE},
    {"name": "sifat", "kind": "enum", "title": "Sifat", "decree": QUOTE,
     "options": [{"value": "biasa", "label": "Biasa"}, {"value": "segera", "label": "Segera"}]},
    {"name": "tembusan", "kind": "list", "title": "Tembusan", "decree": QUOTE},
    {"name": "peserta", "kind": "attendees", "title": "Daftar hadir", "required": True,
     "decree": QUOTE},
    {"name": "penerima", "kind": "user", "title": "Diteruskan kepada", "required": True,
     "roles": ["kasubbag_tpph"], "decree": QUOTE},
    {"name": "dokumen", "kind": "document", "title": "Pindaian surat", "required": True,
     "decree": [QUOTE, {"column": "requirements", "text": "Lembar disposisi"}]},
]}
PEOPLE = [("budi", "Budi Santoso — Kasubbag Teknis Penyelenggaraan Pemilu dan Hukum")]


def people(roles: Any) -> list[tuple[str, str]]:
    assert list(roles) == ["kasubbag_tpph"]
    return PEOPLE


def test_the_scaffolder_knows_every_kind_of_the_example() -> None:
    assert {f["kind"] for f in ROW["fields"]} == set(KINDS)


def test_every_kind_is_a_valid_schema_that_its_sample_satisfies() -> None:
    form = task_form(ROW)
    jsonschema.Draft202012Validator.check_schema(form)
    assert form["required"] == ["nomor_surat", "tanggal_surat", "nilai_spm", "peserta",
                                "penerima", "lampiran"]
    jsonschema.validate(sample(form), form)
    jsonschema.validate(sample(form, complete=True), form)
    assert form["properties"]["nilai_spm"]["x-alur-widget"] == "money"
    assert form["properties"]["penerima"]["x-alur-lanes"] == ["kasubbag_tpph"]
    assert form["properties"]["lampiran"]["minItems"] == 1
    assert form["properties"]["lampiran"]["title"] == "Pindaian surat"
    assert form["properties"]["nomor_surat"]["x-decree"] == [QUOTE]


def test_an_unknown_kind_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="'kilat'"):
        field_schema({"name": "x", "kind": "kilat", "title": "X"})


@pytest.mark.parametrize("data, field", [
    ({"tanggal_surat": "9 Januari 2025"}, "tanggal_surat"),
    ({"tanggal_surat": "2025-13-01"}, "tanggal_surat"),
    ({"waktu_rapat": "2025-01-09T10:00"}, "waktu_rapat"),  # no offset: not a moment
    ({"nilai_spm": -1}, "nilai_spm"),
    ({"nilai_spm": "Rp 1.000"}, "nilai_spm"),
    ({"nomor_surat": ""}, "nomor_surat"),
    ({"peserta": []}, "peserta"),
    ({"peserta": [{"jabatan": "Ketua"}]}, "peserta"),
    ({"lampiran": []}, "lampiran"),
])
def test_the_write_side_refuses_what_the_kind_does_not_allow(data: dict[str, Any],
                                                             field: str) -> None:
    form = task_form(ROW)
    with pytest.raises(InvalidTaskData) as refused:
        validate_form(form, sample(form, overrides=data))
    assert [k for k in refused.value.details["errors"] if k.split(".")[0] == field]


@pytest.mark.parametrize("typed, amount", [("Rp 1.250.000", 1250000), ("1.250.000,00", 1250000),
                                           ("1250000", 1250000), ("rp1.000", 1000),
                                           ("Rp 0", 0)])
def test_rupiah_as_people_write_it(typed: str, amount: int) -> None:
    assert parse_money(typed) == amount
    assert format_money(1250000) == "Rp 1.250.000"


@pytest.mark.parametrize("typed", ["1,5", "Rp 1.25.000", "satu juta", "-5000"])
def test_rupiah_that_is_not_whole_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_money(typed)


def _submitted(**extra: Any) -> MultiDict[str, str]:
    base = [("nomor_surat", "001/PP.01-ND/6474/2025"), ("tanggal_surat", "09/01/2025"),
            ("nilai_spm", "Rp 1.250.000"), ("peserta.nama", "Andi"),
            ("peserta.jabatan", "Ketua"), ("peserta.nama", ""), ("peserta.jabatan", ""),
            ("peserta.nama", "Sari"), ("peserta.jabatan", ""), ("penerima", "budi"),
            ("tembusan", "Inspektorat"), ("tembusan", " "), ("waktu_rapat", "2025-01-09T10:30")]
    return MultiDict(base + list(extra.items()))


def test_the_page_parses_every_kind_into_what_the_schema_accepts() -> None:
    form = task_form(ROW)
    fields = form_fields(form, people)
    assert [f.kind for f in fields][-2:] == ["file", "textarea"]  # document, then the note
    assert fields[-1].name == "catatan"
    data, errors = parse(fields, _submitted())
    assert errors == {}
    assert data == {
        "nomor_surat": "001/PP.01-ND/6474/2025", "tanggal_surat": "2025-01-09",
        "nilai_spm": 1250000, "penerima": "budi", "tembusan": ["Inspektorat"],
        "peserta": [{"nama": "Andi", "jabatan": "Ketua"}, {"nama": "Sari"}],
        "waktu_rapat": "2025-01-09T10:30:00+08:00"}
    validate_form(form, {**data, "lampiran": sample(form)["lampiran"]})


def test_the_page_says_in_indonesian_what_is_wrong() -> None:
    fields = form_fields(task_form(ROW), people)
    bad = MultiDict([("tanggal_surat", "31/02/2025"), ("nilai_spm", "1,5"),
                     ("penerima", "orang-lain"), ("peserta.jabatan", "Ketua"),
                     ("peserta.nama", "")])
    _, errors = parse(fields, bad)
    assert errors == {
        "nomor_surat": ["Wajib diisi."],
        "tanggal_surat": ["Tanggal tidak sah (tulis hh/bb/tttt)."],
        "nilai_spm": ["Tulis jumlah Rupiah tanpa sen, misalnya Rp 1.250.000."],
        "peserta": ["Setiap baris perlu nama."],
        "penerima": ["Pilih pejabat dari daftar."]}
    assert messages({"lampiran": ["[] should be non-empty"]}) == {
        "lampiran": ["Isi paling sedikit satu."]}


def test_list_rows_come_back_with_blank_rows_to_type_into() -> None:
    fields = {f.name: f for f in form_fields(task_form(ROW), people)}
    assert fields["peserta"].rows(_submitted()) == [("Andi", "Ketua"), ("Sari", ""),
                                                    ("", ""), ("", "")]
    assert fields["tembusan"].rows({}) == ["", ""]
    assert fields["penerima"].options == PEOPLE
