"""The public portal's payloads (one schema per kind of report), with Indonesian messages;
shared by the public API and the portal's pages. What a payload loads must satisfy the start
form of the process it starts (tests/api/test_start_forms.py checks each against the BPMN)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

REQUIRED: dict[str, Any] = {"required": "Wajib diisi.", "null": "Wajib diisi.",
                            "invalid": "Isian tidak sah."}
HONEYPOT = "situs_web"  # hidden on the page; people leave it empty, form-filling bots do not


def text(label: str, required: bool = False, min_len: int = 0, max_len: int = 200) -> fields.Field:
    """A trimmed text field with Indonesian messages; ``label`` is the page's field label."""
    length = validate.Length(
        min=min_len, max=max_len,
        error=f"Panjang isian {min_len} sampai {max_len} karakter." if min_len
        else f"Paling banyak {max_len} karakter.")
    return fields.String(required=required, validate=length, error_messages=REQUIRED,
                         metadata={"label": label})


def choice(label: str, options: dict[str, str], required: bool = True) -> fields.Field:
    return fields.String(
        required=required, error_messages=REQUIRED,
        validate=validate.OneOf(list(options), error="Pilih salah satu pilihan."),
        metadata={"label": label, "options": options})


class IsoDate(fields.String):
    """A date as people type it ("9/1/2025", "09-01-2025") or ISO, kept as an ISO string (the
    start forms' ``format: date``)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = str(super()._deserialize(value, attr, data, **kwargs)).strip()
        typed = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        try:
            if typed:
                day, month, year = (int(p) for p in typed.groups())
                return date(year, month, day).isoformat()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        raise ValidationError("Tanggal tidak sah (tulis hh/bb/tttt).")


class Rupiah(fields.Field):
    """An amount of Rupiah as people write it ("Rp 1.250.000", "1250000"), kept as an integer
    (the start forms' money fields)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        found = re.fullmatch(r"(?:rp\.?)?\s*(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,0{1,2})?",
                             str(value).strip(), re.IGNORECASE)
        if not found:
            raise ValidationError("Tulis jumlah Rupiah, misalnya Rp 1.250.000.")
        return int(re.sub(r"[.\s]", "", found.group(1)))


class PortalSchema(Schema):
    """Fields every report has; ``situs_web`` is the honeypot."""

    subjek = text("Judul singkat", required=True, min_len=3, max_len=200)
    uraian = text("Uraian", required=True, min_len=10, max_len=5000)
    situs_web = fields.String(load_default="", metadata={"label": "Situs web (kosongkan)"})

    @staticmethod
    def strip_text(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


class PengaduanSchema(PortalSchema):
    """SOP 9.3: a complaint about a public service."""

    pelapor_nama = text("Nama lengkap", required=True, min_len=2, max_len=120)
    pelapor_kontak = text("Email atau nomor telepon", required=True, min_len=5, max_len=120)
    lokasi = text("Lokasi kejadian", required=True, min_len=2, max_len=200)


class WbsSchema(PortalSchema):
    """SOP 9.5: whistle-blowing; the reporter may stay anonymous (identity sealed if given)."""

    anonim = fields.Boolean(load_default=False, metadata={"label": "Saya melapor tanpa nama"})
    pelapor_nama = text("Nama lengkap (boleh kosong bila anonim)", max_len=120)
    pelapor_kontak = text("Email atau nomor telepon (boleh kosong)", max_len=120)
    pihak_terlapor = text("Pihak yang dilaporkan", max_len=200)
    waktu_kejadian = text("Waktu kejadian", max_len=100)

    @validates_schema
    def _name_unless_anonymous(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("anonim") and not (data.get("pelapor_nama") or "").strip():
            raise ValidationError("Isi nama, atau pilih melapor tanpa nama.", "pelapor_nama")


class GratifikasiSchema(PortalSchema):
    """SOP 9.4: a report of a gratuity received or refused (identity sealed)."""

    pelapor_nama = text("Nama lengkap", required=True, min_len=2, max_len=120)
    pelapor_kontak = text("Email atau nomor telepon", required=True, min_len=5, max_len=120)
    pelapor_jabatan = text("Jabatan/unit kerja", max_len=120)
    jenis_laporan = choice("Jenis laporan", {"penerimaan": "Penerimaan gratifikasi",
                                             "penolakan": "Penolakan gratifikasi"})
    tanggal_penerimaan = IsoDate(required=True, error_messages=REQUIRED, metadata={
        "label": "Tanggal penerimaan/penolakan (hh/bb/tttt)"})
    pemberi = text("Pemberi gratifikasi", max_len=200)
    nilai_perkiraan = Rupiah(metadata={"label": "Perkiraan nilai (Rp)"})


class InformasiSchema(PortalSchema):
    """SOP 9.22: a request for public information; elections information is served faster."""

    pemohon_nama = text("Nama lengkap atau nama badan", required=True, min_len=2, max_len=120)
    pemohon_kontak = text("Email atau nomor telepon", required=True, min_len=5, max_len=120)
    jenis_informasi = choice("Jenis informasi", {
        "pemilu": "Informasi tentang Pemilu dan Pemilihan (3 hari kerja)",
        "lainnya": "Informasi lainnya (10 hari kerja)"})
    jenis_pemohon = choice("Pemohon", {"perseorangan": "Perseorangan (KTP)",
                                       "badan_publik": "Badan publik"}, required=False)
    tujuan = text("Tujuan penggunaan informasi", max_len=500)
    cara_memperoleh = choice("Cara memperoleh informasi", {
        "softcopy": "Salinan elektronik (softcopy)", "hardcopy": "Salinan cetak (hardcopy)"},
        required=False)


class StatusQuerySchema(Schema):
    """Registration number and tracking code, both required to see a report's status."""

    registrasi = text("Nomor registrasi", required=True, min_len=3, max_len=40)
    kode = text("Kode pelacakan", required=True, min_len=8, max_len=64)


class KeberatanSchema(Schema):
    """SOP 9.22-d: the requester's objection to their own request, opened by its number and
    code; the reasons are those of the objection form (9.22-d row 1, UU 14/2008 Pasal 35)."""

    registrasi = text("Nomor registrasi permohonan", required=True, min_len=3, max_len=40)
    kode = text("Kode pelacakan", required=True, min_len=8, max_len=64)
    alasan = fields.String(required=True, error_messages=REQUIRED,
                           metadata={"label": "Alasan keberatan"})
    uraian = text("Uraian keberatan", required=True, min_len=10, max_len=4000)
