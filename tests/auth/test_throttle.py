"""The throttle's arithmetic and its rows: free allowance, doubling locks, forgetting, clearing."""

from datetime import timedelta

from ecoute.auth import throttle
from ecoute.auth.models import LoginThrottle
from factories import BASE_TIME


def test_locks_start_after_the_allowance_and_double_up_to_the_cap():
    policy = throttle.Policy(free=5, first_lock_s=1, max_lock_s=900, forget_after=timedelta(hours=1))

    assert [policy.lock_for(n) for n in range(1, 10)] == [0, 0, 0, 0, 0, 1, 2, 4, 8]
    assert policy.lock_for(40) == 900


def test_failures_count_up_lock_and_are_seen_by_retry_after(db):
    key = throttle.account_key("Someone@Example.org ")
    with db.session() as session:
        waits = [throttle.record_failure(session, key, throttle.ACCOUNT, BASE_TIME) for _ in range(7)]
        locked = throttle.retry_after(session, [key, throttle.address_key("192.0.2.1")], BASE_TIME)
        after = throttle.retry_after(session, [key], BASE_TIME + timedelta(seconds=3))

    assert waits == [0, 0, 0, 0, 0, 1, 2]
    assert locked == 2
    assert after == 0
    assert key == throttle.account_key("someone@example.org")  # the typed e-mail, normalised


def test_a_key_quiet_for_long_enough_starts_afresh_and_a_clear_removes_it(db):
    key = throttle.address_key("192.0.2.7")
    with db.session() as session:
        for _ in range(25):
            throttle.record_failure(session, key, throttle.ADDRESS, BASE_TIME)
        later = BASE_TIME + throttle.ADDRESS.forget_after + timedelta(seconds=1)
        fresh = throttle.record_failure(session, key, throttle.ADDRESS, later)
        row = session.query(LoginThrottle).filter_by(key=key).one()
        failures_after_forgetting = row.failures
        throttle.clear(session, key)
        remaining = session.query(LoginThrottle).count()

    assert fresh == 0
    assert failures_after_forgetting == 1
    assert remaining == 0


def test_keys_forgotten_by_every_policy_are_pruned_but_running_locks_stay(db):
    old, locked = throttle.address_key("192.0.2.8"), throttle.account_key("victim@example.org")
    with db.session() as session:
        throttle.record_failure(session, old, throttle.ADDRESS, BASE_TIME)
        for _ in range(40):  # locked, and (below) until three days later
            throttle.record_failure(session, locked, throttle.ACCOUNT, BASE_TIME)
        session.query(LoginThrottle).filter_by(key=locked).update(
            {"locked_until": BASE_TIME + timedelta(days=3)}
        )
        pruned = throttle.forget_old(session, BASE_TIME + timedelta(days=2))
        left = [row.key for row in session.query(LoginThrottle)]

    assert pruned == 1
    assert left == [locked]
