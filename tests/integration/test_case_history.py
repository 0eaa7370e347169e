"""Each step's own record survives the store, on both stores: a case snapshotted before steps
and comments were kept (its snapshot lacks them) shows its whole history after a restart, and
keeps adding to it; comments never change the engine's state."""

from __future__ import annotations

from alur.bootstrap import bootstrap, deploy_all, seed_demo_users
from alur.config import Config
from orchestrator.commands import AddComment, StartCase
from orchestrator.engine.runtime import compacted
from tests.starts import complaint
from tests.steps import complete_step

ADMIN_LANES = frozenset({"pelapor", "admin", "sekretaris", "unit_pengaduan", "rapat_pleno"})


def test_a_snapshot_from_before_the_history_still_gives_every_step(config: Config) -> None:
    first = bootstrap(config)
    deploy_all(first)
    seed_demo_users(first)
    app = first.orchestrator
    actor = first.roles.actor("walker", ADMIN_LANES)
    case_id = app.start_case(StartCase("sop_9_3", complaint(subjek="Uji"), actor)).case_id
    for note in ("pertama", "kedua"):
        complete_step(app, case_id, actor, catatan=note)
    app.add_comment(AddComment(case_id, actor, "alasan dikembalikan"))
    legacy = app.get_case(case_id)
    engine_state = compacted(legacy.checkpoint)
    for name in ("steps", "comments", "history_version"):  # as a snapshot of before
        del legacy.__dict__[name]
    assert app.snapshots is not None
    app.snapshots.put([app.snapshot_signer.take(legacy)])
    first.close()

    again = bootstrap(config)  # a new process: nothing cached, the snapshot is trusted
    try:
        app = again.orchestrator
        case = app.get_case(case_id)
        assert [s["data"]["catatan"] for s in case.steps] == ["pertama", "kedua"]
        assert [c["text"] for c in case.comments] == ["alasan dikembalikan"]
        assert compacted(case.checkpoint) == engine_state  # the comment did not touch the engine
        assert len(case.open_tasks) == 1
        complete_step(app, case_id, actor, catatan="ketiga")
        assert [s["data"]["catatan"] for s in app.get_case(case_id).steps] == [
            "pertama", "kedua", "ketiga"]
    finally:
        again.close()
