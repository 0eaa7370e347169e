"""What notifications say (Bahasa Indonesia), and which steps tell the public.

Messages that leave the system (e-mail, WhatsApp) name the registration number and the step,
never a case's content: the full case is one link away, behind a login. Notices to the
public carry what the decree says they are told: the follow-up of a complaint (SOP 9.3 row 9),
the written notice of PPID (SOP 9.22 row 4 and its variants), and an extension of the service
time with its reason (Keputusan 33/2025, Lampiran II).
"""

from __future__ import annotations

from typing import Any

# (flowchart, row) → the notice title; the task's completion is what the public is told of
PUBLIC_NOTICES = {
    ("sop_9_3", "9"): "Hasil tindak lanjut pengaduan Anda",
    ("sop_9_22", "4"): "Pemberitahuan tertulis atas permohonan informasi Anda",
    ("sop_9_22_b", "1"): "Permohonan informasi Anda belum lengkap",
    ("sop_9_22_c", "2"): "Pemberitahuan atas permohonan informasi Anda",
    ("sop_9_22_d", "2"): "Nomor registrasi keberatan Anda",
    ("sop_9_22_d", "9"): "Jawaban atas keberatan Anda",
}
# completion data worth quoting in the public notice (short answers the decree requires)
PUBLIC_FIELDS = {
    "nomor_pemberitahuan": "Nomor pemberitahuan",
    "nomor_surat_keterangan": "Nomor surat keterangan",
    "nomor_registrasi_keberatan": "Nomor registrasi keberatan",
    "isi_pemberitahuan": "Isi pemberitahuan",
    "kekurangan": "Kelengkapan yang belum dipenuhi",
    "uraian_alasan_penolakan": "Alasan",
    "bentuk_penyampaian": "Disampaikan sebagai",
    "tanggal_disampaikan": "Tanggal",
    "tanggal_registrasi": "Tanggal registrasi",
}
# start-data keys that hold the contact the requester gave (e-mail or telephone)
CONTACT_KEYS = ("pelapor_kontak", "pemohon_kontak", "kontak", "email")
KINDS = {
    "task_activated": "Langkah baru di lajur Anda",
    "task_assigned": "Disposisi kepada Anda",
    "case_finished": "Kasus yang Anda mulai selesai",
    "due_soon": "Segera jatuh tempo",
    "overdue": "Terlambat",
    "public_notice": "Pemberitahuan kepada pemohon",
    "deadline_extended": "Perpanjangan waktu layanan",
}


def channel_of(contact: str) -> str | None:
    """'email' for an address, 'whatsapp' for a telephone number, None otherwise."""
    text = contact.strip()
    if "@" in text and "." in text.rsplit("@", 1)[-1]:
        return "email"
    digits = "".join(c for c in text if c.isdigit())
    if 9 <= len(digits) <= 15 and all(c.isdigit() or c in "+-. ()" for c in text):
        return "whatsapp"
    return None


def contact_in(data: dict[str, Any]) -> str:
    return next((str(data[k]).strip() for k in CONTACT_KEYS if data.get(k)), "")


def task_activated(registration: str, step: str) -> tuple[str, str]:
    return (f"Langkah baru: {step}",
            f"Kasus {registration} menunggu langkah \u201c{step}\u201d di lajur Anda.")


def task_assigned(registration: str, step: str, by: str, instruction: str,
                  due: str | None) -> tuple[str, str]:
    body = f"{by} mendisposisikan langkah \u201c{step}\u201d kasus {registration} kepada Anda."
    if instruction:
        body += f" Instruksi: {instruction}"
    if due:
        body += f" Batas waktu: {due}."
    return f"Disposisi: {step}", body


def escalated(registration: str, step: str | None, lane: str, due: str | None
              ) -> tuple[str, str]:
    """A late step (or a late case, ``step`` None) escalated to the supervisor's role."""
    if step is None:
        return (f"Eskalasi: kasus {registration} melewati waktu layanan",
                f"Kasus {registration} melewati waktu layanannya"
                + (f" ({due})" if due else "") + ". Mohon ditindaklanjuti.")
    return (f"Eskalasi: {step}",
            f"Langkah \u201c{step}\u201d kasus {registration} di lajur {lane} melewati batas "
            f"waktunya" + (f" ({due})" if due else "") + ". Mohon ditindaklanjuti.")


def case_finished(registration: str, cancelled: bool, reason: str = "") -> tuple[str, str]:
    if cancelled:
        return (f"Kasus {registration} dibatalkan",
                f"Kasus {registration} yang Anda mulai dibatalkan. Alasan: {reason}")
    return (f"Kasus {registration} selesai", f"Kasus {registration} yang Anda mulai selesai.")


def reminder(kind: str, registration: str, step: str, due: str) -> tuple[str, str]:
    if kind == "overdue":
        return (f"Terlambat: {step}",
                f"Langkah \u201c{step}\u201d kasus {registration} melewati jatuh tempo {due}.")
    return (f"Segera jatuh tempo: {step}",
            f"Langkah \u201c{step}\u201d kasus {registration} jatuh tempo {due}.")


def public_notice(title: str, registration: str, data: dict[str, Any]) -> tuple[str, str]:
    lines = [f"Yth. Pemohon/Pelapor, berikut pemberitahuan atas nomor registrasi "
             f"{registration} dari KPU Kota Bontang."]
    lines += [f"{label}: {data[key]}" for key, label in PUBLIC_FIELDS.items()
              if isinstance(data.get(key), str | int) and str(data[key]).strip()]
    return f"{title} ({registration})", "\n".join(lines)


def deadline_extended(registration: str, days: int, reason: str) -> tuple[str, str]:
    return (f"Perpanjangan waktu layanan ({registration})",
            f"Yth. Pemohon/Pelapor, waktu layanan atas nomor registrasi {registration} "
            f"diperpanjang {days} hari kerja. Alasan: {reason}")
