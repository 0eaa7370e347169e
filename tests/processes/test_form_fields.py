"""Every step's form asks for what its decree row names, read from the decree's own text.

Each catalogue field quotes the phrase of its row's Kelengkapan/Persyaratan or Output cell it
comes from (`decree: {column, text}`, `x-decree` in the form); a decision may quote the cell it
answers; what the form deliberately does not ask for is an `exempt` entry with its reason
(tools, templates, "sda"). Here, against processes/decree/keputusan-9-2025.txt:

- always, for every process: each quote occurs in its row's cell as printed (whitespace and
  case aside), and each exemption gives a reason;
- for flowcharts marked `forms_complete: true`: every word of both cells is covered by some
  quote or exemption, and a field quoting the Output is required (or says why not).

A flowchart without the marker is skipped with the reason: the skips list what is left to do.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.processes import decree
from tests.processes.catalogue import printed

ROOT = Path(__file__).resolve().parents[2] / "processes"
COLUMNS = ("requirements", "output")
QUOTABLE = (*COLUMNS, "time")  # a count the row's time depends on (SOP 9.19: "perdata")
# words that join items of a cell and name nothing themselves
FILLER = {"dan", "atau", "serta", "dengan", "beserta", "yang", "berupa"}


def _charts() -> list[tuple[str, dict[str, Any], dict[str, Any], int]]:
    """(key, chart, its file's document, its index among the file's flowcharts)."""
    found = []
    for path in sorted(ROOT.glob("catalogue/*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for index, chart in enumerate(doc.get("flowcharts") or []):
            found.append((chart["key"], chart, doc, index))
    return found


CHARTS = _charts()
KEYS = [key for key, *_ in CHARTS]


def norm(text: str) -> str:
    return decree.squash(text).lower()


def cells(chart: dict[str, Any], doc: dict[str, Any], index: int) -> list[dict[str, str]]:
    """Each row's Kelengkapan, Output and Waktu as the decree prints them (a service without
    an SOP has no decree table: its catalogue rows are the text)."""
    if not doc.get("sop"):
        return [{"requirements": r.get("requirements") or "", "output": r.get("output") or "",
                 "time": (r.get("duration") or {}).get("text") or ""} for r in chart["rows"]]
    table = decree.flowcharts(doc["sop"])[index]
    seen: dict[str, int] = {}
    found = []
    for row in chart["rows"]:
        number = printed(row)
        seen[number] = seen.get(number, 0) + 1
        printed_row = table.row(number, seen[number])
        found.append({"requirements": printed_row.requirements, "output": printed_row.output,
                      "time": printed_row.time})
    return found


def quotes_of(row: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(who, quote) for every field, the decision and every exemption of a row."""
    found = []
    for spec in row.get("fields") or []:
        decree_quotes = spec.get("decree") or []
        for quote in [decree_quotes] if isinstance(decree_quotes, dict) else decree_quotes:
            found.append((f"field {spec.get('name') or spec.get('kind')}", quote))
    decision = row.get("decision") or {}
    quotes = decision.get("decree") or []
    found += [("decision", q) for q in ([quotes] if isinstance(quotes, dict) else quotes)]
    found += [("exempt", q) for q in row.get("exempt") or []]
    return found


def uncovered(cell: str, quotes: list[str]) -> list[str]:
    """The words of ``cell`` that no quote covers (numbering and joining words aside)."""
    text = norm(cell)
    covered = [False] * len(text)
    for quote in filter(None, map(norm, quotes)):
        for found in re.finditer(re.escape(quote), text):
            covered[found.start():found.end()] = [True] * (found.end() - found.start())
    rest = "".join(" " if hit else char for char, hit in zip(text, covered, strict=True))
    return [w for w in re.findall(r"[a-z0-9]+", rest)
            if w not in FILLER and not w.isdigit() and len(w) > 1]


@pytest.mark.parametrize("key, chart, doc, index", CHARTS, ids=KEYS)
def test_every_quote_is_the_decrees_own_words_of_its_row(key: str, chart: dict[str, Any],
                                                         doc: dict[str, Any], index: int
                                                         ) -> None:
    for row, cell in zip(chart["rows"], cells(chart, doc, index), strict=True):
        for who, quote in quotes_of(row):
            where = f"{key} row {printed(row)!r} {who}"
            assert quote.get("column") in QUOTABLE, f"{where}: column {quote.get('column')!r}"
            assert norm(quote.get("text") or ""), f"{where}: an empty quote"
            assert norm(quote["text"]) in norm(cell[quote["column"]]), (
                f"{where}: {quote['text']!r} is not in the decree's {quote['column']} cell "
                f"{cell[quote['column']]!r}")
            if who == "exempt":
                assert (quote.get("reason") or "").strip(), f"{where}: an exemption needs a reason"


@pytest.mark.parametrize("key, chart, doc, index", CHARTS, ids=KEYS)
def test_every_item_of_kelengkapan_and_output_is_asked_for_or_exempt(
        key: str, chart: dict[str, Any], doc: dict[str, Any], index: int) -> None:
    if not chart.get("forms_complete"):
        pytest.skip(f"{key}: fields not written yet (mark the flowchart forms_complete: true)")
    problems = []
    for row, cell in zip(chart["rows"], cells(chart, doc, index), strict=True):
        quotes = quotes_of(row)
        for column in COLUMNS:
            left = uncovered(cell[column], [q["text"] for _, q in quotes
                                            if q.get("column") == column])
            if left:
                problems.append(f"row {printed(row)!r} {column}: {' '.join(left)!r} of "
                                f"{cell[column]!r} is neither a field nor exempt")
        for spec in row.get("fields") or []:
            if "kind" not in spec:
                problems.append(f"row {printed(row)!r}: field {spec.get('name')} has no kind")
            elif not spec.get("decree"):
                problems.append(f"row {printed(row)!r}: field {spec['name']} quotes nothing")
    assert not problems, f"{key}:\n" + "\n".join(problems)


@pytest.mark.parametrize("key, chart, doc, index", CHARTS, ids=KEYS)
def test_what_a_step_must_produce_is_required(key: str, chart: dict[str, Any],
                                              doc: dict[str, Any], index: int) -> None:
    """A field quoting the Output is required, unless it says why not (`optional`)."""
    if not chart.get("forms_complete"):
        pytest.skip(f"{key}: fields not written yet")
    for row in chart["rows"]:
        for spec in row.get("fields") or []:
            decree_quotes = spec.get("decree") or []
            columns = {q["column"] for q in ([decree_quotes] if isinstance(decree_quotes, dict)
                                             else decree_quotes)}
            if "output" in columns and not spec.get("required"):
                assert (spec.get("optional") or "").strip(), (
                    f"{key} row {printed(row)!r}: {spec.get('name') or spec['kind']} quotes the "
                    "Output but is optional without saying why (`optional: <reason>`)")


def test_the_uncovered_words_are_what_no_quote_names() -> None:
    cell = "1) Format / sistematika KAK 2) Template SK; 3) Nota Dinas; 4) Lembar disposisi"
    assert uncovered(cell, ["Nota Dinas", "lembar DISPOSISI", "Template SK"]) == [
        "format", "sistematika", "kak"]
    assert uncovered("Hard file Soft file", ["Hard file", "Soft file"]) == []
