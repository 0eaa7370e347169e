"""Two API processes and two projection runners on one PostgreSQL behave as one system.

Six client threads walk cases of three processes through both APIs, each step done by the demo
user of the task's lane, writing through one API and reading its inbox through the other
(read-your-writes across processes). Both ``alur projections run`` processes start together:
one holds the inbox projection's advisory lock, the other stands by; the active one is killed
with SIGKILL in the middle of the load and the standby, never restarted, takes over. Then the
database drops every connection of that last runner (as a restart would): it reconnects by
itself and the next cases' tasks still reach the inboxes.

Afterwards, with the standby still running: the projection's position is the log's head, its
rows are exactly what a rebuild from the whole log gives (no duplicate or lost effects), and
every demo user's inbox is the same through either API and is what the write side says is open.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

import pytest

from alur.bootstrap import Services, bootstrap
from alur.config import Config, eventsourcing_env
from orchestrator.case import Case
from orchestrator.engine import load_model
from orchestrator.roles import RoleRegistry
from projections.queries import InboxQueries
from projections.runner import Projections
from tests.integration.cluster import ROOT, Cluster, call, complete, healthz, login, request
from tests.starts import start_data
from tests.steps import step_data

pytestmark = pytest.mark.parametrize(
    "config", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)

STARTERS = {"sop_9_3": "admin", "sop_9_13": "sekretaris", "sop_9_7": "staf_kul"}
LANES = ("pelapor", "admin", "sekretaris", "unit_pengaduan", "rapat_pleno",  # sop_9_3
         "kasubbag", "anggota_kpu", "staf",  # sop_9_13 (and sekretaris)
         "staf_kul", "kasubbag_kul")  # sop_9_7
READER = "inspektur"
_ROLES = RoleRegistry.load(ROOT / "processes" / "roles.yaml")
START_DATA = {key: start_data(load_model(key, (ROOT / "processes" / "bpmn" / (
    key.replace("sop_", "sop-").replace("_", ".") + ".bpmn")).read_bytes(), _ROLES))
    for key in STARTERS}
RUNNERS = ("runner0", "runner1")
THREADS, CASES_PER_THREAD = 6, 5
STEPS = (99, 2, 0, 4, 1, 99, 3)  # how far case n is walked: STEPS[n % 7] (99: to its end)
KILL_AFTER = 25  # completed steps before the active runner is killed (about a third)
WAIT = 30.0
T = TypeVar("T")


def _until(what: str, probe: Callable[[], T | None], timeout: float = WAIT) -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def cluster(config: Config) -> Iterator[Cluster]:
    cluster = Cluster(config)
    try:
        cluster.start("server0")  # deploys and seeds; the others find nothing to do
        for name in ("server1", *RUNNERS):  # the runners at once: one takes the lock
            cluster.start(name, wait=False)
        cluster.wait_healthy("server1")
        cluster.wait_caught_up()
        yield cluster
    finally:
        cluster.stop()


class LockWatch(threading.Thread):
    """Samples, every 50 ms, which processes hold the inbox projection's advisory lock."""

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(daemon=True)
        self.cluster = cluster
        self.samples: list[list[str]] = []
        self.done = threading.Event()

    def run(self) -> None:
        with self.cluster.connect() as conn:
            while not self.done.wait(0.05):
                self.samples.append(self.cluster.lock_holders(conn))


class Load:
    """Client threads walking cases; thread t writes through one API and reads the other."""

    def __init__(self, ports: list[int], tokens: dict[str, str]) -> None:
        self.ports, self.tokens = ports, tokens
        self.cases: list[str] = []
        self.errors: list[BaseException] = []
        self.halfway = threading.Event()  # KILL_AFTER steps done (or a thread failed)
        self._steps = itertools.count(1)

    def run(self, thread: int) -> None:
        try:
            for i in range(CASES_PER_THREAD):
                self.walk(thread, thread * CASES_PER_THREAD + i)
        except BaseException as exc:  # re-raised by the test
            self.errors.append(exc)
            self.halfway.set()

    def walk(self, thread: int, n: int) -> None:
        write, read = self.ports[thread % 2], self.ports[(thread + 1) % 2]
        process = list(STARTERS)[n % len(STARTERS)]
        status, case = call(write, "/cases", {"process": process,
                                              "data": START_DATA[process]},
                            self.tokens[STARTERS[process]])
        assert status == 201, case
        self.cases.append(case["id"])
        position = case["position"]
        for _ in range(STEPS[n % len(STEPS)]):
            if case["status"] != "active":
                break
            task = case["open_tasks"][0]
            token = self.tokens[task["lane"]]
            self._await_in_inbox(read, task, position)
            status, claimed = call(write, f"/tasks/{task['id']}/claim",
                                   {"case_version": case["case_version"]}, token)
            assert status == 200, claimed
            data = step_data(task["form"], catatan=f"langkah {task['element_id']} kasus {n}")
            if "keputusan_pleno" in task["form"]["properties"]:
                data["keputusan_pleno"] = "benar" if n % 4 < 2 else "tidak_benar"
            status, done = complete(write, f"/tasks/{task['id']}", data, token,
                                    claimed["case_version"])
            assert status == 200, done
            position = done["position"]
            if next(self._steps) == KILL_AFTER:
                self.halfway.set()
            status, case = call(read, f"/cases/{case['id']}", token=self.tokens[READER])
            assert status == 200, case
        if n % 2 and case["status"] == "active":  # leave every other case's task claimed
            task = case["open_tasks"][0]
            self._await_in_inbox(read, task, position)
            status, claimed = call(write, f"/tasks/{task['id']}/claim", {},
                                   self.tokens[task["lane"]])
            assert status == 200, claimed

    def _await_in_inbox(self, port: int, task: dict[str, Any], position: int) -> None:
        """The lane's user sees the task once the projection has reached ``position``: a
        fresh answer without it is an inconsistency; a stale one (the runner is being
        replaced) is asked again, the server itself waiting up to its READ_WAIT."""
        deadline = time.monotonic() + WAIT
        while True:
            status, rows, headers = request(
                port, f"/inbox?after={position}&limit=200", token=self.tokens[task["lane"]])
            assert status == 200, rows
            if any(row["id"] == task["id"] for row in rows):
                return
            assert headers["X-Alur-Stale"] == "true", f"fresh inbox lacks {task['id']}: {rows}"
            assert time.monotonic() < deadline, f"{task['id']} not in the inbox in time"


def test_two_apis_and_two_runners_behave_as_one_system(cluster: Cluster,
                                                       config: Config) -> None:
    tokens = {user: login(cluster.ports[i % 2], user)
              for i, user in enumerate((*LANES, READER))}
    # a combined lane (9.13's "Sekretaris/Ketua KPU") is worked by a holder of a member role
    tokens["ketua_sekretaris"] = tokens["sekretaris"]
    watch = LockWatch(cluster)
    watch.start()
    with cluster.connect() as conn:
        (active,) = _until("a runner to take the lock", lambda: cluster.lock_holders(conn))
        assert active in RUNNERS
        (standby,) = set(RUNNERS) - {active}
        assert cluster.alive(standby) and standby in cluster.connected(conn)

        # 1. load through both APIs; SIGKILL the active runner a third of the way in
        load = Load(cluster.ports, tokens)
        threads = [threading.Thread(target=load.run, args=(t,), daemon=True)
                   for t in range(THREADS)]
        for thread in threads:
            thread.start()
        assert load.halfway.wait(WAIT), "the load did not get going"
        cluster.kill(active)
        _until("the standby to take over", lambda: cluster.lock_holders(conn) == [standby])
        for thread in threads:
            thread.join(WAIT * 2)
        assert not any(thread.is_alive() for thread in threads), "the load did not finish"
        if load.errors:
            raise load.errors[0]
        assert len(load.cases) == THREADS * CASES_PER_THREAD

        # 2. the database drops every connection of the last runner: it reconnects by itself
        assert cluster.drop_connections(conn, standby) > 0
        for n in (THREADS * CASES_PER_THREAD + 1, THREADS * CASES_PER_THREAD + 2):
            load.walk(n % THREADS, n)  # walked some steps: each waits for its task's inbox
        _until("the standby to hold the lock again",
               lambda: cluster.lock_holders(conn) == [standby])
        assert cluster.alive(standby)  # never restarted
    watch.done.set()
    watch.join()

    # 3. one runner at a time: the killed one, then the standby, never both
    assert watch.samples and all(len(holders) <= 1 for holders in watch.samples)
    held = [holders[0] for holders in watch.samples if holders]
    assert [who for who, _ in itertools.groupby(held)] == [active, standby]

    services = bootstrap(replace(config, secret_key="cluster", projections_in_process=False,
                                 pg_pool_size=1, pg_max_overflow=4))
    try:
        head = _check_caught_up(services, cluster)
        _check_no_duplicate_effects(services, cluster, load.cases)
        _check_inboxes(cluster, tokens, load.cases, head)
    finally:
        services.close()


def _check_caught_up(services: Services, cluster: Cluster) -> int:
    """The standby's position reaches the log's head; both APIs report no lag."""
    app = services.orchestrator
    head = app.recorder.max_notification_id()
    view = services.projections.view("inbox")
    view.wait(app.name, head, timeout=WAIT)
    assert view.max_tracking_id(app.name) == head
    for port in cluster.ports:
        health = healthz(port)
        shown = {p["name"]: (p["position"], p["lag"]) for p in health["projections"]}
        assert shown["inbox"] == (head, 0), health  # the others follow the log as well
        assert all(lag == 0 for _, lag in shown.values()), health
    return head


def _check_no_duplicate_effects(services: Services, cluster: Cluster, cases: list[str]) -> None:
    """One row per case and per activated task, and the rows a rebuild from the log gives."""
    app = services.orchestrator
    view = services.inbox.view
    for table, key in (("inbox_cases", "case_id"), ("inbox_tasks", "task_id")):
        assert view.rows(f"SELECT {key} FROM {table} GROUP BY {key} HAVING COUNT(*) > 1") == []
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(
        start=1, limit=app.recorder.max_notification_id())]
    live = services.inbox.dump()
    assert sorted(c["case_id"] for c in live["cases"]) == sorted(cases)
    assert sorted(t["task_id"] for t in live["tasks"]) \
        == sorted(e.task_id for e in events if isinstance(e, Case.TaskActivated))
    assert live == _rebuilt(services, cluster)


def _rebuilt(services: Services, cluster: Cluster) -> dict[str, list[dict[str, Any]]]:
    """What ``alur projections rebuild`` gives, replayed into a sibling schema so that the
    running runner keeps its own tables."""
    config = services.config
    schema = parse_qs(urlparse(config.database_url).query)["schema"][0]
    sibling = replace(config, database_url=config.database_url.replace(
        f"schema={schema}", f"schema={schema}_rebuild"))
    with cluster.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}_rebuild"')
    fresh = Projections(services.orchestrator, services.specs,
                        lambda name: eventsourcing_env(sibling, name))
    try:
        fresh.rebuild("inbox")
        app = services.orchestrator
        assert fresh.view("inbox").max_tracking_id(app.name) \
            == app.recorder.max_notification_id()
        return InboxQueries(fresh.view("inbox")).dump()
    finally:
        fresh.close()
        with cluster.connect() as conn:
            conn.execute(f'DROP SCHEMA "{schema}_rebuild" CASCADE')


def _check_inboxes(cluster: Cluster, tokens: dict[str, str], cases: list[str],
                   head: int) -> None:
    """Every demo user's inbox is the same through both APIs and is what is open."""
    a, b = cluster.ports
    open_tasks: list[dict[str, Any]] = []
    for case_id in cases:
        status, case = call(a, f"/cases/{case_id}", token=tokens[READER])
        assert status == 200, case
        assert call(b, f"/cases/{case_id}", token=tokens[READER]) == (200, case)
        open_tasks += case["open_tasks"]
    assert open_tasks and any(t["claimed_by"] for t in open_tasks)
    seen = 0
    for user in LANES:
        expected = sorted(t["id"] for t in open_tasks  # combined lanes too (9.13's)
                          if t["lane"] in _ROLES.expand({user})
                          and t["claimed_by"] in (None, user))
        answers = []
        for port in (a, b):
            status, rows, headers = request(port, f"/inbox?after={head}&limit=200",
                                            token=tokens[user])
            assert status == 200, rows
            assert headers["X-Alur-Stale"] == "false"
            assert int(headers["X-Total-Count"]) == len(rows)
            answers.append(sorted(rows, key=lambda row: row["id"]))
        assert answers[0] == answers[1], user
        assert [row["id"] for row in answers[0]] == expected, user
        seen += len(expected)
    assert seen == len(open_tasks)  # every open task is in some demo user's inbox


def test_processes_starting_together_create_the_store_in_turn(config: Config) -> None:
    """gunicorn workers and runners start at the same moment: creating the store's tables,
    types and functions at once (duplicate pg_type rows, "tuple concurrently updated") must
    not make any of them fail, on an empty schema or an existing one."""
    for _ in range(2):
        barrier = threading.Barrier(4)

        def boot(_: int, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            bootstrap(replace(config, pg_pool_size=1, pg_max_overflow=1)).close()

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(boot, range(4)))
