"""The decrees' own text, located row by row: the specification that the catalogue transcribes.

Keputusan 9/2025 prints each SOP's flowchart as tab-separated tables: a header ("No | Kegiatan |
Pelaksana … | Mutu Baku … | Ket"), a second header naming the lanes and the Mutu Baku columns
(Kelengkapan/Persyaratan, Waktu, Output), then one line per row that starts with the printed
number ("4." or "4"), or with a tab where the decree prints none. A table broken over a page
repeats its headers (or not: SOP 9.22-d); a new flowchart starts under a heading of its own.
Tests read the decree's cells from here, so that a misread row in the catalogue cannot hide
behind a comparison of the BPMN with the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

DECREES = Path(__file__).resolve().parents[2] / "processes" / "decree"
SOPS = DECREES / "keputusan-9-2025.txt"
STANDARDS = DECREES / "keputusan-33-2025.txt"

_SOP_NUMBER = re.compile(r"\b(9\.\d+)\s+tahun\s+2025", re.IGNORECASE)
_HEADER = re.compile(r"^no\.?\t(?:tahap )?(?:kegiatan|aktivitas)\t", re.IGNORECASE)
_ROW = re.compile(r"^(\d+)?\.?\t(?!\t)")
_HEADING = re.compile(r"flowchart standar operasional prosedur"
                      r"|standar operasional prosedur \(sop\)", re.IGNORECASE)
_COLUMNS = {"requirements": ("kelengkapan", "persyaratan", "tindak lanjut"),
            "time": ("waktu",), "output": ("output",)}


def squash(text: str) -> str:
    """Whitespace as one space, and the decree's markup removed (for verbatim comparisons)."""
    text = re.sub(r"<[^>]+>", "", text).replace("**", " ")
    return " ".join(text.split())


@dataclass(frozen=True)
class DecreeRow:
    """One printed row: its number as printed ("" when none) and its cells, verbatim."""

    number: str
    activity: str
    requirements: str
    time: str
    output: str
    remarks: str
    lanes: tuple[str, ...]


@dataclass
class Flowchart:
    heading: str
    rows: list[DecreeRow] = field(default_factory=list)

    def row(self, number: str, occurrence: int = 1) -> DecreeRow:
        """The ``occurrence``-th row printed with ``number`` (the decree repeats some)."""
        found = [r for r in self.rows if r.number == number]
        assert len(found) >= occurrence, f"no row {number!r} (#{occurrence}) in {self.heading}"
        return found[occurrence - 1]


def text() -> str:
    return SOPS.read_text(encoding="utf-8")


def standards_text() -> str:
    return STANDARDS.read_text(encoding="utf-8")


@cache
def _sections() -> dict[str, list[str]]:
    """Each SOP's lines, from its "NOMOR SOP" line to the next one."""
    lines = text().splitlines()
    starts = [i for i, line in enumerate(lines) if "NOMOR SOP" in line]
    sections = {}
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        number = _SOP_NUMBER.search(" ".join(lines[start:start + 5]))
        assert number, f"no SOP number near line {start + 1}"
        sections[number.group(1)] = lines[start:end]
    return sections


def _positions(header: str, subheader: str) -> dict[str, int]:
    cells = [c.strip().lower() for c in subheader.split("\t")]
    positions = {}
    for name, words in _COLUMNS.items():
        at = [i for i, c in enumerate(cells) if any(w in c for w in words)]
        if at:
            positions[name] = at[0]
    last = header.rstrip("\n").split("\t")[-1].strip().lower()
    if last.startswith("ket"):
        positions["remarks"] = len(header.split("\t")) - 1
    positions["lanes"] = 2
    return positions


def _row(line: str, positions: dict[str, int]) -> DecreeRow:
    cells = line.split("\t")

    def cell(name: str) -> str:
        at = positions.get(name)
        return squash(cells[at]) if at is not None and at < len(cells) else ""

    first_mutu = min(positions.get(n, len(cells)) for n in ("requirements", "time", "output"))
    return DecreeRow(number=(_ROW.match(line).group(1) or ""), activity=squash(cells[1]),
                     requirements=cell("requirements"), time=cell("time"),
                     output=cell("output"), remarks=cell("remarks"),
                     lanes=tuple(squash(c) for c in cells[2:first_mutu]))


def _append(rows: list[DecreeRow], row: DecreeRow) -> None:
    """A row; an unnumbered line with nothing but activity text ends the row before it (a
    row broken over a page, as in SOP 9.15 row 5)."""
    alone = not (row.number or row.requirements or row.time or row.output or row.remarks
                 or any(row.lanes))
    if alone and rows:
        rows[-1] = replace(rows[-1], activity=f"{rows[-1].activity} {row.activity}")
    else:
        rows.append(row)


@cache
def flowcharts(sop: str) -> tuple[Flowchart, ...]:
    """The flowcharts of an SOP in the decree's order, each with its printed rows."""
    lines = _sections()[sop]
    charts: list[Flowchart] = []
    heading: list[str] = []
    positions: dict[str, int] | None = None
    for i, line in enumerate(lines):
        if _HEADER.match(line):
            if heading or not charts:
                charts.append(Flowchart(squash(" ".join(heading))))
                heading = []
            positions = _positions(line, lines[i + 1])
        elif positions is not None and _ROW.match(line) and not line.startswith("\t\t"):
            _append(charts[-1].rows, _row(line, positions))
        elif _HEADING.search(line) or (heading and line.strip()):
            heading.append(line)
            positions = None
        elif line.strip() and not line.startswith("\t\t") and positions is not None \
                and not _ROW.match(line):
            positions = None  # the table has ended ("Keterangan :", signatures …)
    return tuple(charts)


def flowchart(sop: str, index: int = 0) -> Flowchart:
    return flowcharts(sop)[index]
