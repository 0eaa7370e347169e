"""Valid start data for tests: generated from a process's start form (tools/form_samples.py),
or the usual complaint of SOP 9.3, so tests that start cases say only what they care about."""

from __future__ import annotations

from typing import Any

from orchestrator.engine import ProcessModel
from tools.form_samples import sample

COMPLAINT = {"subjek": "Antrian layanan", "uraian": "Antrian di loket terlalu lama.",
             "pelapor_nama": "Budi Santoso", "pelapor_kontak": "budi@example.id",
             "lokasi": "Bontang Utara"}
WBS = {"subjek": "Dugaan pungutan", "uraian": "Ada permintaan uang di loket layanan."}
GRATIFIKASI = {"subjek": "Parsel lebaran", "uraian": "Menerima parsel dari rekanan.",
               "jenis_laporan": "penerimaan", "tanggal_penerimaan": "2025-01-09",
               "pelapor_nama": "Siti", "pelapor_kontak": "siti@example.id"}


def complaint(**extra: Any) -> dict[str, Any]:
    """A complete SOP 9.3 start (its start form's required fields) plus ``extra``."""
    return {**COMPLAINT, **extra}


def start_data(model: ProcessModel, complete: bool = False, **overrides: Any) -> dict[str, Any]:
    """Data the process's start form accepts (no attachments: they must be uploaded)."""
    data = sample(model.start_form or {"type": "object"}, complete=complete)
    data.pop("lampiran", None)
    return {**data, **overrides}


def wbs_start(**extra: Any) -> dict[str, Any]:
    """A complete SOP 9.5 (WBS) start plus ``extra`` (``pelapor*`` keys are sealed)."""
    return {**WBS, **extra}


def gratifikasi_start(**extra: Any) -> dict[str, Any]:
    """A complete SOP 9.4 start plus ``extra``."""
    return {**GRATIFIKASI, **extra}
