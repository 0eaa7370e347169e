"""[storage_per_case] Bytes stored per completed SOP 9.3 case: Alur's event store against the
same BPMN run by bare SpiffWorkflow and saved the way spiff-arena saves it.

The baseline replicates spiff-arena's instance tables (spiffworkflow-backend's models
``process_instance``, ``bpmn_process``, ``task``, ``json_data``, ``process_instance_event``,
``human_task`` and ``human_task_user``; their columns, keys and indexes) in raw SQL in the same
kind of database, and writes after the start and after each step what
``TaskService.update_all_tasks_from_spiff_tasks`` / ``save_objects_to_database`` write: every
task whose state changed in that run (its serializer dict without ``data`` and ``delta`` as
``properties_json``, its whole data by hash in ``json_data``, predicted tasks left out), the
workflow's top level, one event per task completed, a human task per ready user task. See
benchmarks/README.md for what it leaves out.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from alur.bootstrap import Services, seed_demo_users
from alur.config import PROJECT_ROOT
from benchmarks import workload
from benchmarks.context import Context
from benchmarks.stores import RawDb, Store, raw_db, services_on
from benchmarks.timing import Result, result, say
from orchestrator.commands import CompleteTask, StartCase
from orchestrator.references import references
from tests.steps import step_data

TARGET = 1.0  # no more bytes per case than spiff-arena stores for the same run
CASES = {"quick": 20, "full": 100}
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
ACTOR_ID = 1  # the baseline's user row (users are not per case)

# spiff-arena's columns and indexes (SQLAlchemy models; index=True is one index per column);
# JSON columns as SQLAlchemy's JSON type stores them: TEXT on SQLite, json on PostgreSQL
TABLES: dict[str, tuple[str, list[str]]] = {
    "process_instance": (
        "id INTEGER PRIMARY KEY, process_model_identifier VARCHAR(255) NOT NULL,"
        " process_model_display_name VARCHAR(255) NOT NULL, summary VARCHAR(255),"
        " process_initiator_id INTEGER NOT NULL, bpmn_process_definition_id INTEGER,"
        " bpmn_process_id INTEGER, spiff_serializer_version VARCHAR(50),"
        " start_in_seconds INTEGER, end_in_seconds INTEGER, task_updated_at_in_seconds INTEGER,"
        " status VARCHAR(50), updated_at_in_seconds INTEGER, created_at_in_seconds INTEGER,"
        " bpmn_version_control_type VARCHAR(50), bpmn_version_control_identifier VARCHAR(255),"
        " last_milestone_bpmn_name VARCHAR(255)",
        ["process_model_identifier", "process_model_display_name", "summary",
         "process_initiator_id", "bpmn_process_definition_id", "bpmn_process_id",
         "start_in_seconds", "end_in_seconds", "status", "last_milestone_bpmn_name"]),
    "bpmn_process": (
        "id INTEGER PRIMARY KEY, guid VARCHAR(36) UNIQUE, bpmn_process_definition_id INTEGER"
        " NOT NULL, top_level_process_id INTEGER, direct_parent_process_id INTEGER,"
        " properties_json {json} NOT NULL, json_data_hash VARCHAR(255) NOT NULL,"
        " start_in_seconds DECIMAL(17, 6), end_in_seconds DECIMAL(17, 6)",
        ["bpmn_process_definition_id", "top_level_process_id", "direct_parent_process_id",
         "json_data_hash"]),
    "task": (
        "guid VARCHAR(36) PRIMARY KEY, bpmn_process_id INTEGER NOT NULL,"
        " process_instance_id INTEGER NOT NULL, task_definition_id INTEGER NOT NULL,"
        " state VARCHAR(10) NOT NULL, properties_json {json} NOT NULL,"
        " json_data_hash VARCHAR(255) NOT NULL, python_env_data_hash VARCHAR(255) NOT NULL,"
        " runtime_info {json}, start_in_seconds DECIMAL(17, 6), end_in_seconds DECIMAL(17, 6)",
        ["guid", "bpmn_process_id", "process_instance_id", "task_definition_id", "state",
         "json_data_hash", "python_env_data_hash"]),
    "json_data": ("hash VARCHAR(255) PRIMARY KEY, data {json} NOT NULL", []),
    "process_instance_event": (
        "id INTEGER PRIMARY KEY, task_guid VARCHAR(36), process_instance_id INTEGER NOT NULL,"
        " event_type VARCHAR(50) NOT NULL, timestamp DECIMAL(17, 6) NOT NULL, user_id INTEGER",
        ["task_guid", "process_instance_id", "event_type", "timestamp", "user_id"]),
    "human_task": (
        "id INTEGER PRIMARY KEY, process_instance_id INTEGER NOT NULL,"
        " lane_assignment_id INTEGER, completed_by_user_id INTEGER, actual_owner_id INTEGER,"
        " form_file_name VARCHAR(255), ui_form_file_name VARCHAR(255),"
        " updated_at_in_seconds INTEGER, created_at_in_seconds INTEGER, task_guid VARCHAR(36),"
        " task_id VARCHAR(50), task_name VARCHAR(255), task_title VARCHAR(255),"
        " task_type VARCHAR(50), task_status VARCHAR(50),"
        " process_model_display_name VARCHAR(255), bpmn_process_identifier VARCHAR(255),"
        " lane_name VARCHAR(255), json_metadata {json}, completed BOOLEAN NOT NULL",
        ["process_instance_id", "lane_assignment_id", "completed_by_user_id",
         "actual_owner_id", "task_guid", "completed"]),
    "human_task_user": (
        "id INTEGER PRIMARY KEY, human_task_id INTEGER NOT NULL, user_id INTEGER NOT NULL,"
        " added_by VARCHAR(20), UNIQUE (human_task_id, user_id)",
        ["human_task_id", "user_id", "added_by"]),
}


def _digest(data: Any) -> tuple[str, str]:
    """(hash, text) as spiff-arena's ``JsonDataModel.json_data_dict_from_dict`` makes them."""
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha256(text.encode("utf8")).hexdigest(), text


class SpiffArenaStore:
    """spiff-arena's instance tables in a bare database, written as its save path writes."""

    def __init__(self, db: RawDb) -> None:
        self.db = db
        self.json_type = "TEXT" if db.kind == "sqlite" else "JSON"
        self.ids: Counter[str] = Counter()
        self.task_definitions: dict[str, int] = {}  # the version's, stored once (not counted)
        for name, (columns, indexes) in TABLES.items():
            db.execute(f"CREATE TABLE {db.table(name)} ({columns.format(json=self.json_type)})")
            for column in indexes:
                db.execute(f"CREATE INDEX ix_{name}_{column} ON {db.table(name)} ({column})")

    def _id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _json(self, data: Any) -> str:
        """A json_data row for ``data`` unless one has its hash (ON CONFLICT DO NOTHING)."""
        digest, text = _digest(data)
        self.db.execute(f"INSERT INTO {self.db.table('json_data')} (hash, data) VALUES (?, ?)"
                        " ON CONFLICT (hash) DO NOTHING", (digest, text))
        return digest

    def start(self, workflow: BpmnWorkflow, number: int) -> dict[str, Any]:
        """The process instance and its top-level bpmn_process, then its first save."""
        now = int(time.time())
        instance, process = self._id("process_instance"), self._id("bpmn_process")
        self.db.begin()
        self.db.execute(
            f"INSERT INTO {self.db.table('process_instance')} (id, process_model_identifier,"
            " process_model_display_name, summary, process_initiator_id,"
            " bpmn_process_definition_id, bpmn_process_id, spiff_serializer_version,"
            " start_in_seconds, status, updated_at_in_seconds, created_at_in_seconds,"
            " bpmn_version_control_type, bpmn_version_control_identifier)"
            " VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, 'user_input_required', ?, ?, 'git', ?)",
            (instance, "kpu/sop-9-3", "SOP 9.3 Pengaduan", None, ACTOR_ID, process,
             SERIALIZER.VERSION, now, now, now, "0" * 40))
        top = self._top(workflow)
        self.db.execute(
            f"INSERT INTO {self.db.table('bpmn_process')} (id, guid,"
            " bpmn_process_definition_id, properties_json, json_data_hash, start_in_seconds)"
            " VALUES (?, NULL, 1, ?, ?, ?)",
            (process, json.dumps(top), self._json(SERIALIZER.registry.convert(workflow.data)),
             time.time()))
        self._event(instance, None, "process_instance_created", ACTOR_ID)
        state = {"instance": instance, "process": process, "tasks": {}, "human": {},
                 "top": top, "data_hash": None}
        self._save(workflow, state, 0.0)
        self.db.commit()
        return state

    def step(self, workflow: BpmnWorkflow, state: dict[str, Any], since: float) -> None:
        """What a completion's save writes: the tasks changed since ``since``, and the rest."""
        self.db.begin()
        self._save(workflow, state, since)
        now = int(time.time())
        status = "complete" if workflow.is_completed() else "user_input_required"
        self.db.execute(
            f"UPDATE {self.db.table('process_instance')} SET status = ?,"
            " updated_at_in_seconds = ?, task_updated_at_in_seconds = ?,"
            " end_in_seconds = ? WHERE id = ?",
            (status, now, now, now if workflow.is_completed() else None, state["instance"]))
        if workflow.is_completed():
            self._event(state["instance"], None, "process_instance_completed", None)
        self.db.commit()

    def _top(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """bpmn_process.properties_json: the workflow's dict without tasks, data and specs."""
        dct = SERIALIZER.to_dict(workflow)
        for key in ("tasks", "data", "subprocesses", "spec", "subprocess_specs"):
            dct.pop(key, None)
        return json.loads(json.dumps(dct, cls=SERIALIZER._encoder_cls))

    def _save(self, workflow: BpmnWorkflow, state: dict[str, Any], since: float) -> None:
        table = self.db.table
        seen = set()
        for task in workflow.get_tasks():
            guid = str(task.id)
            seen.add(guid)
            if task.has_state(TaskState.PREDICTED_MASK):
                continue  # spiff-arena keeps no row for a MAYBE or LIKELY task
            if guid in state["tasks"] and task.last_state_change <= since:
                continue  # unchanged in this run
            props = json.loads(json.dumps(SERIALIZER.to_dict(task), cls=SERIALIZER._encoder_cls))
            props.pop("data", None)
            props.pop("delta", None)
            props["children"] = [str(c.id) for c in task.children
                                 if not c.has_state(TaskState.PREDICTED_MASK)]
            data_hash = self._json(SERIALIZER.registry.convert(task.data))
            env_hash = self._json({})  # the script engine's environment: empty here
            info = json.dumps(task.task_spec.task_info(task))
            values = (TaskState.get_name(task.state), json.dumps(props), data_hash, env_hash,
                      info)
            done = task.has_state(TaskState.COMPLETED | TaskState.CANCELLED)
            if guid in state["tasks"]:
                self.db.execute(
                    f"UPDATE {table('task')} SET state = ?, properties_json = ?,"
                    " json_data_hash = ?, python_env_data_hash = ?, runtime_info = ?,"
                    " end_in_seconds = ? WHERE guid = ?",
                    (*values, time.time() if done else None, guid))
            else:
                spec = self.task_definitions.setdefault(task.task_spec.name,
                                                        len(self.task_definitions) + 1)
                self.db.execute(
                    f"INSERT INTO {table('task')} (guid, bpmn_process_id, process_instance_id,"
                    " task_definition_id, state, properties_json, json_data_hash,"
                    " python_env_data_hash, runtime_info, start_in_seconds, end_in_seconds)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (guid, state["process"], state["instance"], spec, *values, time.time(),
                     time.time() if done else None))
            state["tasks"][guid] = task.state
            if done and task.last_state_change > since:
                self._event(state["instance"], guid, "task_completed"
                            if task.has_state(TaskState.COMPLETED) else "task_cancelled",
                            ACTOR_ID if guid in state["human"] else None)
            self._human(task, guid, state)
        for guid in [g for g in state["tasks"] if g not in seen]:  # pruned from the tree
            self.db.execute(f"DELETE FROM {table('task')} WHERE guid = ?", (guid,))
            del state["tasks"][guid]
        top = self._top(workflow)
        data_hash = self._json(SERIALIZER.registry.convert(workflow.data))
        if top != state["top"] or data_hash != state["data_hash"]:
            self.db.execute(f"UPDATE {table('bpmn_process')} SET properties_json = ?,"
                            " json_data_hash = ? WHERE id = ?",
                            (json.dumps(top), data_hash, state["process"]))
            state["top"], state["data_hash"] = top, data_hash

    def _human(self, task: Any, guid: str, state: dict[str, Any]) -> None:
        """A human_task (and its potential owner) per ready user task; completed after."""
        if not task.task_spec.manual:
            return
        table, now = self.db.table, int(time.time())
        if task.state == TaskState.READY and guid not in state["human"]:
            human = self._id("human_task")
            state["human"][guid] = human
            self.db.execute(
                f"INSERT INTO {table('human_task')} (id, process_instance_id,"
                " lane_assignment_id, actual_owner_id, form_file_name, ui_form_file_name,"
                " updated_at_in_seconds, created_at_in_seconds, task_guid, task_id, task_name,"
                " task_title, task_type, task_status, process_model_display_name,"
                " bpmn_process_identifier, lane_name, completed)"
                " VALUES (?, ?, 1, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'READY', ?, ?, ?, ?)",
                (human, state["instance"], f"{task.task_spec.bpmn_id}-schema.json",
                 f"{task.task_spec.bpmn_id}-uischema.json", now, now, guid, guid,
                 task.task_spec.bpmn_id, task.task_spec.bpmn_name, type(task.task_spec).__name__,
                 "SOP 9.3 Pengaduan", workload.PROCESS, task.task_spec.lane, False))
            self.db.execute(f"INSERT INTO {table('human_task_user')} (id, human_task_id,"
                            " user_id, added_by) VALUES (?, ?, ?, 'lane_assignment')",
                            (self._id("human_task_user"), human, ACTOR_ID))
        elif task.has_state(TaskState.COMPLETED) and guid in state["human"] \
                and state["tasks"].get(guid) is not None:
            self.db.execute(f"UPDATE {table('human_task')} SET completed = ?,"
                            " completed_by_user_id = ?, task_status = 'COMPLETED',"
                            " updated_at_in_seconds = ? WHERE id = ?",
                            (True, ACTOR_ID, now, state["human"][guid]))

    def _event(self, instance: int, guid: str | None, kind: str, user: int | None) -> None:
        self.db.execute(f"INSERT INTO {self.db.table('process_instance_event')} (id, task_guid,"
                        " process_instance_id, event_type, timestamp, user_id)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (self._id("process_instance_event"), guid, instance, kind, time.time(),
                         user))


Answers = dict[str, dict[str, Any]]


def _answers(services: Services) -> Answers:
    """What each step answers (the benar branch): the same data on both sides."""
    model, _ = services.orchestrator.model(workload.PROCESS)
    return {element: step_data(task["form"], **({"keputusan_pleno": "benar"}
                                               if element == workload.DECISION_TASK else {}))
            for element, task in model.tasks.items()}


def _free_text(spec: Any) -> bool:
    return (isinstance(spec, dict) and spec.get("type") == "string"
            and not {"enum", "pattern", "format", "const", "x-alur-widget"} & set(spec)
            and int(spec.get("maxLength", 1000)) >= 40)


def for_case(services: Services, answers: Answers, number: int) -> Answers:
    """The answers of case ``number``: every free-text answer names the case, as real
    answers differ from case to case (else the baseline's hash-addressed data would be
    shared by every case, which no real workload gives it)."""
    model, _ = services.orchestrator.model(workload.PROCESS)
    specs = {e: (t["form"].get("properties") or {}) for e, t in model.tasks.items()}
    return {element: {k: f"{v} (perkara {number})" if _free_text(specs[element].get(k))
                      and isinstance(v, str) else v for k, v in data.items()}
            for element, data in answers.items()}


def alur_case(services: Services, number: int, answers: Answers) -> None:
    app = services.orchestrator
    case_id = app.start_case(StartCase(workload.PROCESS, workload.case_data(number),
                                       workload.ACTOR)).case_id
    while (task := workload.the_open_task(app.get_case(case_id))) is not None:
        data = answers[task.element_id]
        app.complete_task(CompleteTask(case_id, UUID(task.task_id), workload.ACTOR, data),
                          uploaded=frozenset(references(data)))
    assert app.get_case(case_id).status == "completed"


def bare_case(spec: tuple[Any, dict[str, Any]], store: SpiffArenaStore, number: int,
              answers: Answers) -> None:
    workflow = BpmnWorkflow(*spec)
    workflow.data.update(workload.case_data(number))
    workflow.get_tasks(state=TaskState.READY)[0].data.update(workload.case_data(number))
    workflow.do_engine_steps()
    state = store.start(workflow, number)
    while not workflow.is_completed():
        since = time.time()
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(answers[task.task_spec.bpmn_id])
        task.run()
        workflow.do_engine_steps()
        store.step(workflow, state, since)


# -- measuring ------------------------------------------------------------------------------

def _sqlite_pages(path: Any) -> int:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (pages,) = con.execute("PRAGMA page_count").fetchone()
        (size,) = con.execute("PRAGMA page_size").fetchone()
        return int(pages) * int(size)
    finally:
        con.close()


def _sqlite_rows(path: Any, tables: list[str], where: str = "") -> dict[str, int]:
    """Per table: the bytes of every stored value (numbers as their text), optionally only
    the rows after a rowid."""
    con = sqlite3.connect(path)
    try:
        found = {}
        for table in tables:
            columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            total = " + ".join(f"coalesce(length(CAST({c} AS BLOB)), 0)" for c in columns)
            (value,) = con.execute(f"SELECT coalesce(sum({total}), 0) FROM {table} {where}"
                                   ).fetchone()
            found[table] = int(value)
        return found
    finally:
        con.close()


class Measure:
    """Bytes of the subject's event store or of the baseline's tables, on either kind."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @contextmanager
    def _pg(self) -> Iterator[Any]:
        import psycopg

        with psycopg.connect(self.store.base_url, autocommit=True) as conn:
            yield conn

    def event_tables(self) -> list[str]:
        if self.store.kind == "sqlite":
            con = sqlite3.connect(self.store.directory / "alur.sqlite")
            try:
                return [r[0] for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")]
            finally:
                con.close()
        with self._pg() as conn:
            return [r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
                " AND (table_name LIKE '%%events' OR table_name LIKE '%%snapshots')",
                (self.store.schema,))]

    def pages(self, tables: list[str], sqlite_file: str) -> int:
        """SQLite: the file's pages (after a WAL checkpoint); PostgreSQL: the tables'
        pg_total_relation_size (heap, indexes, TOAST)."""
        if self.store.kind == "sqlite":
            return _sqlite_pages(self.store.directory / sqlite_file)
        with self._pg() as conn:
            return sum(int(conn.execute("SELECT pg_total_relation_size(%s)",
                                        (f'"{self.store.schema}"."{t}"',)).fetchone()[0])
                       for t in tables)

    def rows(self, tables: list[str], sqlite_file: str) -> dict[str, int]:
        """Per table, the bytes its rows hold: SQLite every value's length, PostgreSQL
        ``pg_column_size`` of each row."""
        if self.store.kind == "sqlite":
            return _sqlite_rows(self.store.directory / sqlite_file, tables)
        with self._pg() as conn:
            return {t: int(conn.execute(f'SELECT coalesce(sum(pg_column_size(x.*)), 0)'
                                        f' FROM "{self.store.schema}"."{t}" x').fetchone()[0])
                    for t in tables}

    def events_by_type(self, after: int) -> tuple[Counter[str], Counter[str]]:
        """Bytes (state + topic + originator id) and count per event type after a position."""
        sizes, counts = Counter[str](), Counter[str]()
        if self.store.kind == "sqlite":
            con = sqlite3.connect(self.store.directory / "alur.sqlite")
            try:
                rows = con.execute(
                    "SELECT topic, length(state) + length(topic) + length(CAST(originator_id"
                    " AS BLOB)) FROM stored_events WHERE rowid > ?", (after,)).fetchall()
            finally:
                con.close()
        else:
            table = next(t for t in self.event_tables() if t.endswith("events"))
            with self._pg() as conn:
                rows = conn.execute(
                    f'SELECT topic, octet_length(state) + octet_length(topic) + 16'
                    f' FROM "{self.store.schema}"."{table}" WHERE notification_id > %s',
                    (after,)).fetchall()
        for topic, size in rows:
            kind = topic.rsplit(":", 1)[-1]
            sizes[kind] += int(size)
            counts[kind] += 1
        return sizes, counts


def storage_per_case(ctx: Context) -> Result:
    cases = CASES[ctx.scale.mode]
    with ctx.fresh("storage") as store, services_on(store) as services:
        seed_demo_users(services)
        sample = _answers(services)
        answers = {n: for_case(services, sample, n) for n in range(cases + 1)}
        measure = Measure(store)
        alur_case(services, 0, answers[0])  # the year's registration counter, lazily made tables
        tables = measure.event_tables()
        head = services.orchestrator.recorder.max_notification_id() or 0
        pages0, rows0 = measure.pages(tables, "alur.sqlite"), measure.rows(tables, "alur.sqlite")
        say(f"  storage_per_case: {cases} cases through Alur")
        for number in range(1, cases + 1):
            alur_case(services, number, answers[number])
        pages1, rows1 = measure.pages(tables, "alur.sqlite"), measure.rows(tables, "alur.sqlite")
        by_type, counts = measure.events_by_type(head)

        with raw_db(store, "spiff_arena") as db:
            baseline = SpiffArenaStore(db)
            parser = SpiffBpmnParser()
            parser.add_bpmn_str((PROJECT_ROOT / "processes" / workload.BPMN_FILE).read_bytes())
            spec = (parser.get_spec(workload.PROCESS),
                    parser.get_subprocess_specs(workload.PROCESS))
            bare_case(spec, baseline, 0, answers[0])  # the empty environment's json_data row
            base_tables = list(TABLES)
            bpages0 = measure.pages(base_tables, "spiff_arena.sqlite")
            brows0 = measure.rows(base_tables, "spiff_arena.sqlite")
            say(f"  storage_per_case: {cases} cases through SpiffWorkflow, saved as spiff-arena")
            for number in range(1, cases + 1):
                bare_case(spec, baseline, number, answers[number])
            bpages1 = measure.pages(base_tables, "spiff_arena.sqlite")
            brows1 = measure.rows(base_tables, "spiff_arena.sqlite")

    alur_rows = sum(rows1.values()) - sum(rows0.values())
    base_rows = sum(brows1.values()) - sum(brows0.values())
    alur_pages, base_pages = pages1 - pages0, bpages1 - bpages0
    ratio = alur_rows / base_rows
    per = {k: round(v / cases) for k, v in by_type.most_common()}
    return result(
        "storage_per_case", ctx.kind, ratio=ratio, target=f"<= {TARGET}", met=ratio <= TARGET,
        cases=cases, alur_row_bytes_per_case=round(alur_rows / cases),
        baseline_row_bytes_per_case=round(base_rows / cases),
        alur_page_bytes_per_case=round(alur_pages / cases),
        baseline_page_bytes_per_case=round(base_pages / cases),
        page_ratio=round(alur_pages / base_pages, 3) if base_pages else None,
        alur_events_per_case=round(sum(counts.values()) / cases, 1),
        alur_bytes_by_event_type=per,
        alur_events_by_type={k: round(v / cases, 1) for k, v in counts.most_common()},
        baseline_row_bytes_by_table={t: round((brows1[t] - brows0.get(t, 0)) / cases)
                                     for t in base_tables},
        alur_row_bytes_by_table={t: round((rows1[t] - rows0.get(t, 0)) / cases)
                                 for t in tables},
    )
