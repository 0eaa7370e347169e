"""Indonesian presentation: dates in WITA ("24 November 2026 08.15 WITA"), labels for
statuses, event types and roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
STATUS = {"active": "Berjalan", "completed": "Selesai", "cancelled": "Dibatalkan",
          "ready": "Menunggu"}
EVENTS = {
    "CaseStarted": "Kasus dimulai",
    "DeadlineSet": "Waktu layanan ditetapkan",
    "DeadlineExtended": "Waktu layanan diperpanjang",
    "TaskActivated": "Langkah siap dikerjakan",
    "TaskClaimed": "Langkah diambil",
    "TaskReleased": "Langkah dilepas",
    "TaskAssigned": "Langkah didisposisikan",
    "CommentAdded": "Komentar",
    "DocumentGenerated": "Dokumen dibuat dari templat",
    "DocumentSigned": "Dokumen bertanda tangan diunggah",
    "TaskCompleted": "Langkah diselesaikan",
    "GatewayTaken": "Keputusan diteruskan",
    "CaseCompleted": "Kasus selesai",
    "CaseCancelled": "Kasus dibatalkan",
    "TimerArmed": "Pewaktu dipasang",
    "TimerFired": "Pewaktu berbunyi",
    "TimerCancelled": "Pewaktu dibatalkan",
    "TaskReminded": "Pengingat batas waktu",
    "TaskEscalated": "Langkah dieskalasi ke atasan",
    "DeadlineEscalated": "Waktu layanan terlewati, dieskalasi",
}
PROBLEMS = {"altered": "diubah", "removed": "dihapus", "inserted": "disisipkan",
            "reordered": "diubah urutannya", "undecodable": "tidak terbaca"}


def _moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=WITA)
    return moment.astimezone(WITA)


def tanggal(value: Any) -> str:
    """``24 November 2026``."""
    moment = _moment(value)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}" if moment else "—"


def tanggal_waktu(value: Any) -> str:
    """``24 November 2026 08.15 WITA``."""
    moment = _moment(value)
    if moment is None:
        return "—"
    return f"{tanggal(moment)} {moment.hour:02d}.{moment.minute:02d} WITA"


def iso(value: Any) -> str:
    moment = _moment(value)
    return moment.isoformat() if moment else ""


def overdue(value: Any, now: datetime | None = None) -> bool:
    moment = _moment(value)
    return bool(moment and moment < (now or datetime.now(WITA)))


def status_label(value: str) -> str:
    return STATUS.get(value, value)


def event_label(value: str) -> str:
    return EVENTS.get(value, value)


def problem_label(value: str) -> str:
    return PROBLEMS.get(value, value)


def ukuran(size: Any) -> str:
    """A file size for people: ``12,5 KB``."""
    number = float(size or 0)
    for unit in ("B", "KB", "MB"):
        if number < 1024 or unit == "MB":
            text = f"{number:.0f}" if unit == "B" else f"{number:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        number /= 1024
    return f"{number} MB"


def angka(value: Any, digits: int = 1) -> str:
    """A number as Indonesians write it: ``1.234,5`` (no trailing ``,0``); ``—`` for none."""
    if value is None or value == "":
        return "—"
    number = float(value)
    text = f"{number:,.{digits}f}" if digits and number != int(number) else f"{number:,.0f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def lama_kerja(minutes: Any) -> str:
    """Working time for people: ``2 jam 30 menit kerja``, ``45 menit kerja``."""
    total = int(minutes or 0)
    hours, rest = divmod(total, 60)
    parts = ([f"{angka(hours)} jam"] if hours else []) + ([f"{rest} menit"] if rest else [])
    return " ".join(parts or ["0 menit"]) + " kerja"


FILTERS = {"tanggal": tanggal, "tanggal_waktu": tanggal_waktu, "iso": iso,
           "terlambat": overdue, "status_label": status_label, "event_label": event_label,
           "problem_label": problem_label, "ukuran": ukuran, "angka": angka,
           "lama_kerja": lama_kerja}
