"""What Alur does follows the decree's own text, read from the decree (processes/decree/), not
from our catalogue: a misread row cannot hide behind a BPMN-to-catalogue comparison."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from orchestrator.durations import step_duration
from orchestrator.engine import executable_process_ids, load_model
from orchestrator.roles import RoleRegistry
from orchestrator.worktime import Calendar, Duration, parse_duration
from tests.processes import decree
from tests.processes.catalogue import flowcharts, own

ROOT = Path(__file__).resolve().parents[2] / "processes"
ROLES = RoleRegistry.load(ROOT / "roles.yaml")
CHARTS = flowcharts()
WITA = ZoneInfo("Asia/Makassar")
MODELS = {key: load_model(key, path.read_bytes(), ROLES)
          for path in sorted((ROOT / "bpmn").glob("sop-*.bpmn"))
          for key in executable_process_ids(path.read_bytes())}
# spelled-out numbers of Keputusan 33/2025 ("tiga hari kerja")
WORDS = {"dua": 2, "tiga": 3, "tujuh": 7, "sepuluh": 10, "empat belas": 14}


def sop_of(key: str) -> str:
    return ".".join(key.split("_")[1:3])


def decree_chart(key: str) -> decree.Flowchart:
    """The decree's table for a process: the SOP's flowcharts in order (sop_9_22_c = 3rd)."""
    sop = sop_of(key)
    keys = sorted((k for k in MODELS if sop_of(k) == sop), key=lambda k: (len(k), k))
    return decree.flowcharts(sop)[keys.index(key)]


def task(key: str, number: str, occurrence: int = 1) -> dict:
    """The BPMN user task that models the decree's row printed ``number`` (its activity too)."""
    row = decree_chart(key).row(number, occurrence)
    found = [t for t in own(MODELS[key].tasks, key).values()
             if t["properties"].get("row") == number
             and decree.squash(t["properties"]["activity"]) == row.activity]
    assert len(found) == 1, f"{key}: {len(found)} tasks model row {number!r} ({row.activity})"
    return found[0]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WITA)


# -- every row ------------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(MODELS))
def test_each_task_carries_its_decree_rows_printed_number_and_cells(key: str) -> None:
    """Number as printed (repeated or empty where the decree does so), activity, Kelengkapan,
    Waktu, Output and Keterangan, verbatim; one task per printed row."""
    rows = decree_chart(key).rows
    assert len(own(MODELS[key].tasks, key)) == len(rows), f"{key}: one task per row of the decree"
    for number in {r.number for r in rows}:
        for occurrence, row in enumerate((r for r in rows if r.number == number), 1):
            props = task(key, number, occurrence)["properties"]
            assert decree.squash(props["requirements"]) == row.requirements, (key, number)
            assert decree.squash(props["duration"]) == row.time, (key, number)
            assert decree.squash(props["output"]) == row.output, (key, number)
            assert decree.squash(props.get("remarks", "")) == row.remarks, (key, number)


@pytest.mark.parametrize("key", sorted(MODELS))
def test_normalised_working_time_is_what_the_decree_text_says(key: str) -> None:
    """The catalogue's `working` and the calendar's reading of the decree's Waktu agree."""
    units = {"m": "minutes", "h": "minutes", "d": "days"}
    for catalogue_row, row in zip(CHARTS[key]["rows"], decree_chart(key).rows, strict=True):
        working = (catalogue_row.get("duration") or {}).get("working")
        if not working:
            continue
        amount, unit = int(working[:-1]), working[-1]
        expected = Duration(**{units[unit]: amount * (60 if unit == "h" else 1)})
        assert parse_duration(row.time) == expected, (key, row.number, row.time)


def test_a_linked_flowcharts_rows_run_inside_the_request_as_the_decree_prints_them() -> None:
    """SOP 9.22's 'tidak lengkap' and 'ditolak' tables run inside the request's own process
    (one case, one service time): their tasks are the decree's rows of those tables, printed
    numbers kept, and the same as the tables' own processes' tasks."""
    linked = [t for t in MODELS["sop_9_22"].tasks.values() if "flowchart" in t["properties"]]
    assert {t["properties"]["flowchart"] for t in linked} == {"sop_9_22_b", "sop_9_22_c"}
    for key in ("sop_9_22_b", "sop_9_22_c"):
        inside = sorted((t["properties"]["row"], t["lane"], json.dumps(
            {k: v for k, v in t["properties"].items() if k != "flowchart"}, sort_keys=True))
            for t in linked if t["properties"]["flowchart"] == key)
        alone = sorted((t["properties"]["row"], t["lane"], json.dumps(t["properties"],
                                                                      sort_keys=True))
                       for t in MODELS[key].tasks.values())
        assert inside == alone, key
        assert [r for r, *_ in inside] == [r.number for r in decree_chart(key).rows]


# -- 1. a due time that depends on the case's data (9.22 row 4, 9.22-c row 2) ---------------

@pytest.mark.parametrize("key, number", [("sop_9_22", "4"), ("sop_9_22_c", "2")])
def test_ppid_notice_takes_three_days_for_ongoing_elections_else_ten(key: str,
                                                                      number: str) -> None:
    text = decree_chart(key).row(number).time
    match = re.fullmatch(r"(\d+) hari sejak .*informasi kelembagaan .*telah berlalu atau "
                         r"(\d+) hari terkait dengan informasi pemilu dan pemilihan yang "
                         r"sedang berjalan", text)
    assert match, text
    other, elections = (int(n) for n in match.groups())
    props = task(key, number)["properties"]
    assert step_duration(props, {"jenis_informasi": "pemilu"}) == Duration(days=elections)
    assert step_duration(props, {"jenis_informasi": "lainnya"}) == Duration(days=other)
    assert parse_duration(props["duration"]) == Duration(days=other)  # why rules are needed


# -- 4. the decree's printed row numbers -----------------------------------------------------

def test_sop_9_16_keeps_the_decrees_two_rows_numbered_5() -> None:
    printed = [r.number for r in decree_chart("sop_9_16").rows]
    assert printed.count("5") == 2
    assert sorted(t["properties"]["row"] for t in MODELS["sop_9_16"].tasks.values()) == \
        sorted(printed)
    assert task("sop_9_16", "5", 2)["properties"]["activity"] == \
        "Pengisian laporan kejadian pada buku kejadian"


def test_sop_9_6_rows_6_to_8_are_the_decrees_and_its_unnumbered_rows_have_no_number() -> None:
    printed = [r.number for r in decree_chart("sop_9_6").rows]
    assert sorted(t["properties"]["row"] for t in MODELS["sop_9_6"].tasks.values()) == \
        sorted(printed)
    assert printed.count("") == 5
    assert decree.squash(task("sop_9_6", "8")["properties"]["activity"]).startswith(
        "Memeriksa, mengoreksi, dan menandatangani surat jawaban")


# -- 5. a time per record (9.19 row 3) --------------------------------------------------------

def test_sop_9_19_row_3_takes_its_minutes_per_record_entered_at_row_2() -> None:
    match = re.fullmatch(r"(\d+) menit per ?data", decree_chart("sop_9_19").row("3").time)
    assert match, "the decree gives a time per record"
    per_record = int(match.group(1))
    props = task("sop_9_19", "3")["properties"]
    assert step_duration(props, {"jumlah_data": 40}) == Duration(minutes=40 * per_record)
    assert step_duration(props, {}) is None, "never the time of one record"
    assert f"{per_record} menit per data" in props["duration_reading"]
    count = json.loads(props["durations"])[0]["per"]
    form = task("sop_9_19", "2")["form"]
    assert count in form["required"] and form["properties"][count]["type"] == "integer"


# -- 6. the decrees' conflicts are recorded, quoting both texts ------------------------------

def _quote_is_the_decrees(quote: dict) -> None:
    if "at" in quote:
        where = quote["at"]
        row = decree_chart(where["flowchart"]).row(str(where["row"]))
        assert getattr(row, where["column"]) == decree.squash(quote["text"]), quote["source"]
    else:
        assert quote["decree"] == "33/2025"
        assert decree.squash(quote["text"]) in decree.squash(decree.standards_text())


def test_every_recorded_conflict_quotes_the_decrees_verbatim() -> None:
    recorded = [(k, c) for k, chart in CHARTS.items() for c in chart.get("conflicts") or []]
    assert {k for k, _ in recorded} >= {"sop_9_4", "sop_9_22"}
    for _, conflict in recorded:
        assert len(conflict["quotes"]) >= 2 and conflict["summary"] and conflict["reading"]
        for quote in conflict["quotes"]:
            _quote_is_the_decrees(quote)


def _conflict_quoting(key: str, *texts: str) -> dict:
    for conflict in CHARTS[key].get("conflicts") or []:
        quoted = {decree.squash(q["text"]) for q in conflict["quotes"]}
        if all(decree.squash(t) in quoted for t in texts):
            return conflict
    raise AssertionError(f"{key}: no conflict quotes {texts}")


def test_sop_9_4_row_2_activity_and_time_column_disagree_and_that_is_recorded() -> None:
    row = decree_chart("sop_9_4").row("2")
    in_text = re.search(r"paling lambat (\d+) hari kerja", row.activity)
    assert in_text and parse_duration(row.time) == Duration(days=1)
    assert int(in_text.group(1)) != 1
    assert _conflict_quoting("sop_9_4", row.activity, row.time)["rows"] == ["2"]


def _standard_days(sentence_start: str) -> tuple[int, int]:
    """Days and extension days of one PPID service-time sentence of Keputusan 33/2025."""
    text = decree.squash(decree.standards_text())
    match = re.search(re.escape(sentence_start) + r" akan diberikan dalam jangka waktu "
                      r"([a-z ]+?) hari kerja, dan dapat diperpanjang selama ([a-z ]+?) hari kerja",
                      text)
    assert match, sentence_start
    return WORDS[match.group(1)], WORDS[match.group(2)]


def test_sop_9_22_worst_case_exceeds_the_service_standard_and_that_is_recorded() -> None:
    main, incomplete = decree_chart("sop_9_22"), decree_chart("sop_9_22_b")
    other = int(re.match(r"(\d+) hari", main.row("4").time).group(1))
    minutes = sum(parse_duration(main.row(n).time).minutes for n in ("1", "2"))
    days = parse_duration(main.row("3").time).days + other
    loop = days + sum(parse_duration(incomplete.row(n).time).days for n in ("1", "2")) \
        + parse_duration(main.row("3").time).days
    standard, extension = _standard_days("Informasi lain")
    assert (days, minutes) == (13, 25) and days > standard
    assert loop == 20 and loop > standard + extension
    conflict = _conflict_quoting("sop_9_22", main.row("3").time, main.row("4").time,
                                 incomplete.row("1").time, incomplete.row("2").time)
    assert any(q.get("decree") == "33/2025" and "sepuluh hari kerja" in q["text"]
               for q in conflict["quotes"])


# -- 8. several flowcharts of one SOP have names that tell them apart ------------------------

@pytest.mark.parametrize("sop", ["9.1", "9.2", "9.22"])
def test_each_flowchart_of_an_sop_is_named_after_its_own_heading(sop: str) -> None:
    keys = [k for k in MODELS if sop_of(k) == sop]
    assert len(keys) == len(decree.flowcharts(sop)) > 1
    names = [MODELS[k].name for k in keys]
    assert len(set(names)) == len(names), names
    for key in keys:
        heading = decree_chart(key).heading.lower()
        assert decree.squash(MODELS[key].name).lower() in heading, (key, heading)


# -- 9. "1 Bulan" (9.7 row 4) -------------------------------------------------------------

def test_one_month_is_the_same_date_a_month_later_on_a_working_day() -> None:
    props = task("sop_9_7", "4")["properties"]
    assert props["duration"] == decree_chart("sop_9_7").row("4").time == "1 Bulan"
    month = step_duration(props, {})
    assert month == Duration(months=1)
    calendar = Calendar()
    assert calendar.add(at("2025-09-30T10:00"), month) == at("2025-10-30T10:00")
    # 31 January: February has no 31st, so its last day (Friday 28th)
    assert calendar.add(at("2025-01-31T10:00"), month) == at("2025-02-28T10:00")
    # 31 October: 30 November is a Sunday: Monday 1 December
    assert calendar.add(at("2025-10-31T10:00"), month) == at("2025-12-01T10:00")


def test_a_range_counts_its_upper_bound() -> None:
    """SOP 9.15 row 5: '60 s.d. 120 Menit' is late only after 120 minutes."""
    props = task("sop_9_15", "5")["properties"]
    assert props["duration"] == decree_chart("sop_9_15").row("5").time
    assert step_duration(props, {}) == Duration(minutes=120)
