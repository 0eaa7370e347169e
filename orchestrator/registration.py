"""Registration numbers and registers: a gap-free sequence per register and year, issued on
the write side.

The counter is its own aggregate saved in the same transaction as the new case, so two cases
started at once cannot get the same number: one save loses on the counter's version and retries.
Each issue records the case that got the number, so a register is a projection of the log.

A *register* is a book the decrees name (buku agenda surat masuk, buku registrasi pengaduan,
buku register permintaan informasi publik …): ``processes/catalogue/registers.yaml`` gives its
key, name, the processes whose cases it numbers (one sequence even when it spans processes) and
the format of its numbers. A process no register names numbers its cases in a sequence of its
own (the register's key is then the process key), as before registers existed.

A register of *documents* (``documents: true``: the buku agenda of outgoing letters, of nota
dinas, of decrees) numbers the letters that cases generate from templates, not cases: the same
counter, its ``Issued`` event naming the case and the ``document`` (the template).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from orchestrator.hashchain import ChainedAggregate
from orchestrator.yaml_files import load_yaml

DEFAULT_FORMAT = "{code}/{number:05d}/{year}"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def counter_id(key: str, year: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:registration:{key}:{year}")


class RegistrationCounter(ChainedAggregate):
    """The last number issued in one register (or one process) in one year."""

    @staticmethod
    def create_id(key: str, year: int) -> UUID:
        return counter_id(key, year)

    @event("Created")
    def __init__(self, key: str, year: int) -> None:
        self.key = key
        self.year = year
        self.last = 0

    # case_id: which case the number went to (empty on numbers issued before it was recorded);
    # document: the template of the letter it numbers (a register of documents), else empty
    @event("Issued")
    def issue(self, number: int, case_id: str = "", document: str = "") -> None:
        self.last = number


def process_code(key: str) -> str:
    """sop_9_3 → 9.3, sop_9_22_b → 9.22-b, svc_ppid → ppid."""
    match = re.fullmatch(r"sop_(\d+)_(\d+)(?:_([a-z]))?", key)
    if match:
        major, minor, variant = match.groups()
        return f"{major}.{minor}" + (f"-{variant}" if variant else "")
    return key.removeprefix("svc_").replace("_", "-")


def format_number(key: str, year: int, number: int, month: int = 1,
                  pattern: str = DEFAULT_FORMAT) -> str:
    """A registration number: ``pattern`` with {number}, {year}, {month}, {month_roman} and
    {code} (the process's SOP code, 9.3 or 9.22-b); the office's own naming rules may write
    them in Indonesian: {no}, {tahun}, {bulan}, {bulan_romawi}, {kode}."""
    month_text, roman, code = f"{month:02d}", ROMAN[month - 1], process_code(key)
    return pattern.format(number=number, year=year, month=month_text, month_roman=roman,
                          code=code, no=number, tahun=year, bulan=month_text,
                          bulan_romawi=roman, kode=code)


@dataclass(frozen=True)
class Register:
    """A book of entries numbered without gaps per year, over one or more processes."""

    key: str
    name: str
    processes: tuple[str, ...]
    format: str = DEFAULT_FORMAT
    description: str = ""
    decree: tuple[dict[str, str], ...] = ()  # where the decrees name the book
    documents: bool = False  # numbers the letters cases generate (templates), not cases

    @property
    def named(self) -> bool:
        """A register the decrees name (listed on /register), not a process's own sequence."""
        return bool(self.name)

    def number(self, process: str, year: int, number: int, month: int) -> str:
        return format_number(process, year, number, month, self.format)


class Registers:
    """Which register numbers the cases of each process."""

    def __init__(self, registers: list[Register]) -> None:
        self.named = {r.key: r for r in registers}
        self._by_process = {p: r for r in registers for p in r.processes}
        _check(registers)

    def for_process(self, process: str) -> Register:
        """The register of the process, or the process's own numbering."""
        return self._by_process.get(process) or Register(process, "", (process,))

    def get(self, key: str) -> Register | None:
        return self.named.get(key)

    @classmethod
    def load(cls, catalogue: Path) -> Registers:
        path = catalogue / "registers.yaml"
        if not path.exists():
            return cls([])
        doc: dict[str, Any] = load_yaml(path) or {}
        return cls([Register(r["key"], r["name"], tuple(r.get("processes") or ()),
                             r.get("format", DEFAULT_FORMAT), r.get("description", ""),
                             tuple(_quotes(r.get("decree"))), bool(r.get("documents")))
                    for r in doc.get("registers") or []])

    def of_documents(self, key: str) -> Register | None:
        """A register of documents by key (None for a register of cases or none at all)."""
        register = self.named.get(key)
        return register if register and register.documents else None


def _quotes(decree: Any) -> list[dict[str, str]]:
    return [decree] if isinstance(decree, dict) else list(decree or [])


def _check(registers: list[Register]) -> None:
    """A format must number (it holds {number}) and render; a process has one register; no
    two registers may issue the same number (the registration is the case's public handle)."""
    seen: dict[str, str] = {}
    for register in registers:
        if "{number" not in register.format and "{no" not in register.format:
            raise ValueError(f"register {register.key}: format needs {{number}} or {{no}}")
        if register.documents and register.processes:
            raise ValueError(f"register {register.key}: a register of documents numbers "
                             "letters, not the cases of processes")
        if [r.key for r in registers].count(register.key) > 1:
            raise ValueError(f"register {register.key}: the key is taken")
        for process in register.processes:
            if process in seen:
                raise ValueError(f"process {process} is in registers {seen[process]} and "
                                 f"{register.key}")
            seen[process] = register.key
        samples = {register.number(p, 2025, 1, 1) for p in register.processes or ("",)}
        others = {r.number(p, 2025, 1, 1) for r in registers if r is not register
                  for p in r.processes or ("",)}
        if samples & others:
            raise ValueError(f"register {register.key}: its numbers look like another's")


# the event classes the @event decorators made, for readers of the log (the registers view)
COUNTER_CREATED: type[Any] = vars(RegistrationCounter)["Created"]
NUMBER_ISSUED: type[Any] = vars(RegistrationCounter)["Issued"]
