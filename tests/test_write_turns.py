"""SQLite writers taking turns across threads and processes (ecoute.store.write_turns): every write
lands, reads never wait, a killed holder frees the turn, nesting does not deadlock, and waiting
gives up with SQLite's own error."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import exc, text

from ecoute.store import write_turns
from ecoute.store.db import Database
from ecoute.store.write_turns import TurnConnection, WriteTurn, turn_for, writes

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")

WRITER = textwrap.dedent(
    """
    import sys
    from sqlalchemy import text
    from ecoute.store.db import Database

    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = Database.open(url, run_migrations=False)
    for n in range(count):
        with db.session() as session:
            session.execute(text("INSERT INTO notes (who, n) VALUES (:w, :n)"), {"w": name, "n": n})
            session.execute(text("UPDATE tally SET total = total + 1"))
    print("done", flush=True)
    """
)

HOLDER = textwrap.dedent(
    """
    import sys, time
    from sqlalchemy import text
    from ecoute.store.db import Database

    db = Database.open(sys.argv[1], run_migrations=False)
    with db.session() as session:
        session.execute(text("INSERT INTO notes (who, n) VALUES ('holder', 0)"))
        print("holding", flush=True)
        time.sleep(600)
    """
)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    db = Database.open(url, run_migrations=False)
    with db.session() as session:
        session.execute(text("CREATE TABLE notes (who TEXT, n INTEGER)"))
        session.execute(text("CREATE TABLE tally (total INTEGER)"))
        session.execute(text("INSERT INTO tally VALUES (0)"))
    db.dispose()
    return url


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_what_counts_as_a_write() -> None:
    assert writes("INSERT INTO notes VALUES (1)")
    assert writes("  update notes SET n = 1")
    assert writes("\nDELETE FROM notes")
    assert writes("REPLACE INTO notes VALUES (1)")
    assert writes("WITH rows(a) AS (VALUES (?)) INSERT INTO notes SELECT a FROM rows")
    assert not writes("SELECT * FROM notes")
    assert not writes("WITH rows(a) AS (VALUES (1)) SELECT a FROM rows")
    assert not writes("PRAGMA journal_mode=WAL")


def test_file_databases_use_turns_and_the_turn_file_is_private(url: str, tmp_path: Path) -> None:
    db = Database.open(url, run_migrations=False)
    with db.session() as session:
        raw = session.connection().connection.dbapi_connection
        assert isinstance(raw, TurnConnection)
        assert raw.turn is turn_for(str(tmp_path / "turns.db"))
        session.execute(text("INSERT INTO notes VALUES ('a', 1)"))
        assert raw.holding  # from the first write to the commit
    assert not raw.holding
    mode = stat.S_IMODE(os.stat(tmp_path / "turns.db-turn").st_mode)
    assert mode & 0o077 == 0, oct(mode)
    db.dispose()


def test_writers_in_three_processes_and_four_threads_all_land(url: str) -> None:
    children = [_python(WRITER, url, f"p{n}", "150") for n in range(3)]
    db = Database.open(url, run_migrations=False)
    errors: list[BaseException] = []

    def thread_writes(name: str) -> None:
        try:
            for n in range(100):
                with db.session() as session:
                    session.execute(text("INSERT INTO notes (who, n) VALUES (:w, :n)"), {"w": name, "n": n})
                    session.execute(text("UPDATE tally SET total = total + 1"))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=thread_writes, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outputs = [child.communicate(timeout=300) for child in children]
    assert not errors, errors
    assert [child.returncode for child in children] == [0, 0, 0], [err for _out, err in outputs]
    with db.session() as session:
        assert session.scalar(text("SELECT count(*) FROM notes")) == 3 * 150 + 4 * 100
        assert session.scalar(text("SELECT total FROM tally")) == 3 * 150 + 4 * 100
        # each writer's rows all there, once
        rows = session.execute(text("SELECT who, count(DISTINCT n) FROM notes GROUP BY who")).all()
        per_writer = dict(rows)
    assert per_writer == {**{f"p{n}": 150 for n in range(3)}, **{f"t{n}": 100 for n in range(4)}}
    db.dispose()


def test_reads_go_on_while_another_process_writes_and_kill_9_frees_the_turn(url: str, tmp_path: Path) -> None:
    holder = _python(HOLDER, url)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        probe = os.open(tmp_path / "turns.db-turn", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):  # the holder has the turn
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            db = Database.open(url, run_migrations=False)
            with db.session() as session:  # reading takes no turn and does not wait
                assert session.scalar(text("SELECT count(*) FROM notes")) == 0
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=30)
            # The kernel dropped the dead holder's lock: writing goes on, and its write is gone.
            with db.session() as session:
                session.execute(text("INSERT INTO notes VALUES ('after', 1)"))
            with db.session() as session:
                assert session.execute(text("SELECT who FROM notes")).scalars().all() == ["after"]
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again once the write is done
            fcntl.flock(probe, fcntl.LOCK_UN)
            db.dispose()
        finally:
            os.close(probe)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_waiting_for_the_turn_gives_up_with_sqlites_own_error(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = _python(HOLDER, url)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(write_turns, "TIMEOUT_S", 0.3)
        db = Database.open(url, run_migrations=False)
        with pytest.raises(exc.OperationalError, match="database is locked"), db.session() as session:
            session.execute(text("INSERT INTO notes VALUES ('late', 1)"))
        # the failed attempt left the turn free for this process's next writer
        turn = turn_for(db.engine.url.database or "")
        assert turn._holder is None and turn._threads.acquire(blocking=False)
        turn._threads.release()
        db.dispose()
    finally:
        holder.kill()
        holder.wait()


def test_a_thread_holding_the_turn_may_take_it_again(tmp_path: Path) -> None:
    turn = WriteTurn(tmp_path / "nested.db")
    turn.take()
    turn.take()  # a write nested in another session's transaction, same thread: no deadlock
    turn.give()
    taken = threading.Event()

    def other() -> None:
        turn.take()
        taken.set()
        turn.give()

    thread = threading.Thread(target=other)
    thread.start()
    assert not taken.wait(0.2)  # still held once
    turn.give()
    assert taken.wait(30)
    thread.join()
