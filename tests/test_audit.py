"""The audit chain: events are written with their action, and `lantai audit verify` names every
row that was edited, deleted, reordered or cut off after the fact.

Tampering is done the way an intruder with database access would do it: raw SQL. On
PostgreSQL the append-only trigger is switched off first (as a table owner could), because
the chain is exactly the defence that must still catch it.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import translation

from lantai.accounts import services as account_services
from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.audit.models import AuditEvent, ChainHead
from lantai.audit.services import AuditChainBroken
from lantai.audit.verify import verify_chain
from lantai.cli import main


def _write_events(count: int, actor: Actor | None = None) -> list[AuditEvent]:
    actor = actor or Actor.system("test")
    events = []
    for i in range(count):
        with transaction.atomic():
            events.append(
                audit.record(
                    actor,
                    "test.step",
                    object_type="档案",
                    object_id=f"A-{i}",
                    before={"题名": f"旧 {i}"},
                    after={"题名": f"新 {i}", "n": i},
                    message="测试事件",
                )
            )
    return events


def _tamper(sql: str, params: tuple = ()) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
            cursor.execute("ALTER TABLE audit_chainhead DISABLE TRIGGER audit_head_keep")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
            cursor.execute("ALTER TABLE audit_chainhead ENABLE TRIGGER audit_head_keep")


def _verify_cli(capsys) -> tuple[int, str]:
    code = main(["audit", "verify", "--quiet"])
    return code, capsys.readouterr().out


def _kinds(report) -> set[tuple[int, str]]:
    return {(p.seq, p.kind) for p in report.problems}


def test_events_are_chained_and_clean_log_verifies(db, capsys):
    events = _write_events(5)
    assert [e.seq for e in events] == list(range(1, 6))
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash
        assert later.seq == earlier.seq + 1
    head = ChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (events[-1].seq, events[-1].hash)
    code, out = _verify_cli(capsys)
    assert code == 0, out
    assert "审计日志完好" in out
    assert events[-1].hash in out  # the head is printed so it can be written down elsewhere


def test_real_actions_write_events_that_verify(db, system, capsys):
    user = account_services.create_user(system, username="zhang", password="Zhang@2026x", display_name="张三")
    assert AuditEvent.objects.filter(action="accounts.user_created", object_id=str(user.public_id)).exists()
    code, out = _verify_cli(capsys)
    assert code == 0, out


def test_sql_update_of_one_row_is_named(db, capsys):
    events = _write_events(6)
    target = events[3].seq
    _tamper("UPDATE audit_auditevent SET message = %s WHERE seq = %s", ("改过了", target))
    code, out = _verify_cli(capsys)
    assert code == 3
    assert "审计日志被篡改" in out
    assert f"#{target} [edited]" in out
    # The link of the next row still matches the stored hash: only the edited row is named.
    assert f"#{target + 1} [" not in out
    report = verify_chain()
    assert _kinds(report) == {(target, "edited")}


def test_sql_update_of_json_detail_is_named(db):
    events = _write_events(3)
    _tamper(
        "UPDATE audit_auditevent SET after = %s WHERE seq = %s",
        ('{"题名": "新 1", "n": 99}', events[1].seq),
    )
    assert _kinds(verify_chain()) == {(events[1].seq, "edited")}


def test_updating_row_and_its_hash_breaks_the_next_link(db):
    """An intruder who also recomputes the edited row's hash is caught by the next row."""
    events = _write_events(5)
    target = AuditEvent.objects.get(seq=events[2].seq)
    target.message = "伪造"
    forged = audit.compute_hash(target.prev_hash, target)
    _tamper(
        "UPDATE audit_auditevent SET message = %s, hash = %s WHERE seq = %s", ("伪造", forged, target.seq)
    )
    assert _kinds(verify_chain()) == {(target.seq + 1, "broken_link")}


def test_deleted_middle_row_is_reported_with_its_seq_range(db, capsys):
    events = _write_events(7)
    gone = events[3].seq
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", (gone,))
    report = verify_chain()
    assert (gone + 1, "missing") in _kinds(report)
    missing = next(p for p in report.problems if p.kind == "missing")
    with translation.override("en"):
        assert f"Events {gone} to {gone} are missing" in verify_chain().problems[0].message
    assert f"第 {gone} 至 {gone} 条事件缺失" in missing.message  # Chinese by default
    code, out = _verify_cli(capsys)
    assert code == 3 and f"#{gone + 1} [missing]" in out


def test_swapped_rows_are_reported(db):
    events = _write_events(6)
    a, b = events[2].seq, events[3].seq
    _tamper("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", (a,))
    _tamper("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", (a, b))
    _tamper("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", (b,))
    kinds = _kinds(verify_chain())
    assert {(a, "broken_link"), (b, "broken_link")} <= kinds
    assert {s for s, _ in kinds} <= {a, b, b + 1}


def test_swapped_timestamps_are_reported(db):
    events = _write_events(4)
    a, b = AuditEvent.objects.get(seq=events[1].seq), AuditEvent.objects.get(seq=events[2].seq)
    _tamper("UPDATE audit_auditevent SET occurred_at = %s WHERE seq = %s", (b.occurred_at, a.seq))
    _tamper("UPDATE audit_auditevent SET occurred_at = %s WHERE seq = %s", (a.occurred_at, b.seq))
    assert _kinds(verify_chain()) == {(a.seq, "edited"), (b.seq, "edited")}


def test_deleted_tail_is_reported_via_the_chain_head(db, capsys):
    events = _write_events(6)
    first_gone, last = events[4].seq, events[5].seq
    _tamper("DELETE FROM audit_auditevent WHERE seq >= %s", (first_gone,))
    report = verify_chain()
    assert _kinds(report) == {(last, "tail_missing")}
    assert f"第 {first_gone} 至 {last} 条" in report.problems[0].message
    code, out = _verify_cli(capsys)
    assert code == 3 and "[tail_missing]" in out


def test_deleted_tail_and_head_is_reported_and_writes_refused(db):
    events = _write_events(4)
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", (events[-1].seq,))
    _tamper("DELETE FROM audit_chainhead")
    assert _kinds(verify_chain()) == {(events[-2].seq, "head_missing")}
    # Starting a fresh chain over the old one would hide the cut: audited actions fail closed.
    with pytest.raises(AuditChainBroken) as err, transaction.atomic():
        audit.record(Actor.system("test"), "test.after_cut")
    assert err.value.code == "audit.chain_head_missing"


def test_event_inserted_beyond_the_head_is_reported(db):
    events = _write_events(3)
    last = AuditEvent.objects.get(seq=events[-1].seq)
    forged = AuditEvent(
        seq=last.seq + 1,
        occurred_at=last.occurred_at,
        actor_kind="user",
        actor_name="intruder",
        action="accounts.user_created",
        prev_hash=last.hash,
    )
    forged.hash = audit.compute_hash(last.hash, forged)
    forged.save(force_insert=True)  # inserts are allowed; only the head was not moved
    assert _kinds(verify_chain()) == {(last.seq + 1, "beyond_head")}


def test_edited_chain_head_is_reported(db):
    events = _write_events(3)
    _tamper("UPDATE audit_chainhead SET last_hash = %s", ("f" * 64,))
    assert _kinds(verify_chain()) == {(events[-1].seq, "head_mismatch")}


def test_rolled_back_action_leaves_no_event(db, system):
    _write_events(2)
    before = AuditEvent.objects.count()
    head = ChainHead.objects.get(pk=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        account_services.create_user(system, username="li", password="Li@2026xyzw", display_name="李四")
        assert AuditEvent.objects.count() > before  # the event was written in the transaction …
        raise RuntimeError("the action fails after its event was written")
    assert AuditEvent.objects.count() == before  # … and went away with it
    assert ChainHead.objects.get(pk=1).last_seq == head.last_seq
    assert verify_chain().ok
    _write_events(1)  # the chain continues without a gap
    assert verify_chain().ok


def test_refusal_is_recorded_after_rollback(db, system):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(system, "test.change")
        raise RuntimeError
    event = audit.record_failure(system, "test.change", message="被拒绝")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert AuditEvent.objects.filter(action="test.change").count() == 1
    assert verify_chain().ok


def test_verify_cli_subprocess_shows_progress_and_names_row(subprocess_env):
    events = _write_events(30)
    done = subprocess.run(
        [sys.executable, "-m", "lantai", "audit", "verify"],
        env=subprocess_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "核验审计日志" in done.stderr and "30/30" in done.stderr  # tqdm progress bar
    _tamper("UPDATE audit_auditevent SET actor_name = %s WHERE seq = %s", ("某人", events[9].seq))
    done = subprocess.run(
        [sys.executable, "-m", "lantai", "audit", "verify", "--quiet"],
        env=subprocess_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3
    assert f"事件 event #{events[9].seq} [edited]" in done.stdout


def test_two_threads_never_fork_the_chain(transactional_db):
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(25):
                with transaction.atomic():
                    audit.record(Actor.system(name), "test.concurrent", object_id=f"{name}-{i}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(f"t{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 51))
    assert verify_chain().ok


WRITER = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
import django
django.setup()
from django.db import transaction
from lantai.accounts.actor import Actor
from lantai.audit import services
for i in range(int(sys.argv[2])):
    with transaction.atomic():
        services.record(Actor.system(sys.argv[1]), "test.concurrent", object_id=f"{sys.argv[1]}-{i}")
"""


@pytest.mark.postgres_only
def test_two_processes_never_fork_the_chain(subprocess_env):
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, f"p{n}", "60"], env=subprocess_env) for n in range(2)
    ]
    assert [p.wait() for p in procs] == [0, 0]
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 121))
    assert AuditEvent.objects.filter(object_id__startswith="p0-").count() == 60
    assert verify_chain().ok


@pytest.mark.postgres_only
def test_postgres_trigger_refuses_update_and_delete(db):
    events = _write_events(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=events[0].seq).update(message="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=events[0].seq).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChainHead.objects.all().delete()
    assert verify_chain().ok
