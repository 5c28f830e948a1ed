"""Expiring keys and token buckets: exact under threads, and across processes on shared stores."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any

import pytest

from contract_tests.stores.conftest import new_store
from mockserver.settings import Settings
from mockserver.state.store import Store
from mockserver.state.store import seq_key

NOW = 1_767_225_600.0  # the mock clock's time; expiry never looks at the wall clock


def test_set_get_expire_delete(store: Store) -> None:
    store.key_set("ns", "k", {"a": [1]}, NOW, ttl=10)
    store.key_set("ns", "forever", "v", NOW, ttl=None)
    got = store.key_get("ns", "k", NOW + 9.9)
    assert got == {"a": [1]}
    got["a"].append(2)  # no aliasing
    assert store.key_get("ns", "k", NOW + 9.9) == {"a": [1]}
    assert store.key_get("ns", "k", NOW + 10) is None
    assert store.key_get("other", "k", NOW) is None
    assert sorted(store.key_items("ns", NOW + 20)) == [("forever", "v")]
    store.key_delete("ns", "forever")
    assert store.key_items("ns", NOW + 20) == []
    store.key_set("ns", "k", 2, NOW + 20, None)
    store.key_set("ns2", "x", 1, NOW, None)
    store.clear_keys("ns")
    assert store.key_items("ns", NOW) == []
    assert store.key_get("ns2", "x", NOW) == 1
    store.clear_keys()
    assert store.key_get("ns2", "x", NOW) is None


def test_key_add_only_when_absent_or_expired(store: Store) -> None:
    assert store.key_add("ns", "k", 1, NOW, ttl=5) is True
    assert store.key_add("ns", "k", 2, NOW + 1, ttl=5) is False
    assert store.key_get("ns", "k", NOW + 1) == 1
    assert store.key_add("ns", "k", 3, NOW + 5, ttl=None) is True  # the first one expired
    assert store.key_add("ns", "k", 4, NOW + 1e6, ttl=None) is False
    assert store.key_get("ns", "k", NOW + 1e6) == 3


def test_key_update_reads_modifies_writes(store: Store) -> None:
    assert store.key_update("ns", "n", lambda v: (v or 0) + 1, NOW, ttl=5) == 1
    assert store.key_update("ns", "n", lambda v: (v or 0) + 1, NOW + 1, ttl=5) == 2
    assert store.key_update("ns", "n", lambda v: (v or 0) + 1, NOW + 10, ttl=5) == 1  # expired


def _race(threads: int, work: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(threads)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        outcome = work()
        with lock:
            results.append(outcome)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=30)
    return results


def test_racing_threads_add_once_and_lose_no_update(store: Store) -> None:
    added = _race(16, lambda: store.key_add("ns", "once", "x", NOW, None))
    assert added.count(True) == 1
    _race(
        16,
        lambda: [store.key_update("ns", "n", lambda v: (v or 0) + 1, NOW, None) for _ in range(10)],
    )
    assert store.key_get("ns", "n", NOW) == 160


def test_append_numbers_and_writes_in_one_step_and_numbers_survive_clear(store: Store) -> None:
    numbers = _race(8, lambda: [store.key_append("log", {"n": 1}, NOW, None) for _ in range(10)])
    assert sorted(n for got in numbers for n in got) == list(range(1, 81))
    assert all(got == sorted(got) for got in numbers)  # each thread's numbers grow
    assert store.key_sequence("log") == 80 and store.key_sequence("other") == 0
    assert [k for k, _ in sorted(store.key_items("log", NOW))] == [seq_key(n) for n in range(1, 81)]
    store.clear_keys()
    assert store.key_items("log", NOW) == [] and store.key_sequence("log") == 80
    assert store.key_append("log", "next", NOW, ttl=5) == 81
    assert store.key_get("log", seq_key(81), NOW + 4) == "next"
    assert store.key_get("log", seq_key(81), NOW + 5) is None
    assert [store.key_append("ring", n, NOW, None, keep=3) for n in range(5)] == [1, 2, 3, 4, 5]
    assert sorted(store.key_items("ring", NOW)) == [
        (seq_key(3), 2),
        (seq_key(4), 3),
        (seq_key(5), 4),
    ]


def test_token_bucket_admits_the_burst_then_refills(store: Store) -> None:
    """Robaws: bucket of 20 refilled at 15/s (Spring Cloud Gateway's RedisRateLimiter)."""
    outcomes = _race(25, lambda: store.take_tokens("cred", 15, 20, 1, NOW))
    assert [allowed for allowed, _ in outcomes].count(True) == 20
    assert min(tokens for _, tokens in outcomes) == 0
    assert store.take_tokens("cred", 15, 20, 1, NOW) == (False, 0)
    refilled = store.take_tokens("cred", 15, 20, 1, NOW + 0.2)  # 3 refilled, 1 taken
    assert refilled == (True, pytest.approx(2, abs=1e-3))
    assert store.take_tokens("other", 15, 20, 5, NOW) == (True, 15)  # buckets are per key
    assert store.take_tokens("cred", 15, 20, 1, NOW + 1000) == (True, 19)  # expired: full


def _worker(changes: dict[str, Any], rounds: int, queue: Any) -> None:
    from mockserver.engine import open_store

    store = open_store(Settings().replace(**changes))
    added = store.key_add("ns", "once", "x", NOW, None)
    for _ in range(rounds):
        store.key_update("ns", "n", lambda v: (v or 0) + 1, NOW, None)
    allowed = sum(store.take_tokens("cred", 15, 20, 1, NOW)[0] for _ in range(10))
    ids = [store.next_id("api", "things", 1) for _ in range(rounds)]
    for _ in range(rounds):
        store.key_append("log", os.getpid(), NOW, None)
    queue.put((added, allowed, ids))
    store.close()


@pytest.mark.parametrize("shared", ["sqlite", "redis"])
def test_worker_processes_share_exact_state(shared: str) -> None:
    """What ``serve --workers N`` relies on: 4 processes, one store, nothing lost or doubled."""
    from contract_tests.backends import fresh_settings

    changes = fresh_settings(shared)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_worker, args=(changes, 25, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    assert [added for added, _, _ in results].count(True) == 1
    assert sum(allowed for _, allowed, _ in results) == 20
    ids = sorted(i for _, _, got in results for i in got)
    assert ids == list(range(1, 101))
    store = new_store(shared, **{k: v for k, v in changes.items() if k != "store"})
    assert store.key_get("ns", "n", NOW) == 100
    appended = sorted(store.key_items("log", NOW))
    assert [k for k, _ in appended] == [seq_key(n) for n in range(1, 101)]
    assert store.key_sequence("log") == 100


def test_sqlite_keeps_everything_across_reopen(tmp_path: Any) -> None:
    from mockserver.engine import open_store
    from mockserver.state.query import Collection

    settings = Settings(store="sqlite", data_dir=tmp_path)
    first = open_store(settings)
    first.insert(Collection("api", "t", "r"), "1", {"id": "1"})
    first.key_set("ns", "k", 1, NOW, None)
    first.next_id("api", "r", 7)
    first.close()
    again = open_store(settings)
    assert again.get(Collection("api", "t", "r"), "1") == {"id": "1"}
    assert again.key_get("ns", "k", NOW) == 1
    assert again.next_id("api", "r", 7) == 8


def test_tally_adds_counters_and_restarts_them_for_another_epoch(store: Store) -> None:
    _race(8, lambda: [store.key_tally("t", "7", 100, {"2xx": 1, "a": 2}, NOW, 5) for _ in range(5)])
    assert store.key_get("t", "7", NOW) == {"epoch": 100, "counts": {"2xx": 40, "a": 80}}
    store.key_tally("t", "7", 100, {"4xx": 1}, NOW, 5)
    assert store.key_get("t", "7", NOW)["counts"] == {"2xx": 40, "a": 80, "4xx": 1}
    store.key_tally("t", "7", 1000, {"a": 1}, NOW, 5)  # the slot came round again: from zero
    assert store.key_get("t", "7", NOW) == {"epoch": 1000, "counts": {"a": 1}}
    assert store.key_get("t", "7", NOW + 5) is None  # expired with its TTL
    store.key_tally("t", "7", 1000, {"a": 1}, NOW + 5, None)  # an expired slot starts afresh
    assert store.key_get("t", "7", NOW + 1e6) == {"epoch": 1000, "counts": {"a": 1}}


def test_append_many_numbers_a_batch_in_one_step_and_trims_as_appends_would(store: Store) -> None:
    batches = _race(
        8, lambda: [store.key_append_many("log", [1, 2, 3], NOW, None) for _ in range(5)]
    )
    numbers = [n for got in batches for batch in got for n in batch]
    assert sorted(numbers) == list(range(1, 121))
    assert all(b == list(range(b[0], b[0] + 3)) for got in batches for b in got)  # contiguous
    assert store.key_append_many("log", [], NOW, None) == [] and store.key_sequence("log") == 120
    assert store.key_append("log", "one", NOW, None) == 121  # one sequence for both forms
    assert store.key_append_many("ring", list(range(5)), NOW, None, keep=3) == [1, 2, 3, 4, 5]
    assert store.key_append_many("ring", ["a", "b"], NOW, None, keep=3) == [6, 7]
    assert sorted(store.key_items("ring", NOW)) == [(seq_key(5), 4), (seq_key(6), "a"),
                                                    (seq_key(7), "b")]  # fmt: skip
    store.key_append_many("ring", ["x"], NOW, ttl=5, keep=3)
    assert store.key_get("ring", seq_key(8), NOW + 5) is None


def test_tally_many_applies_each_tally_in_order_in_one_step(store: Store) -> None:
    store.key_tally("t", "1", 100, {"a": 5}, NOW, 5)
    _race(4, lambda: [store.key_tally_many("t", [("1", 100, {"a": 1}), ("2", 101, {"b": 2})],
                                           NOW, 5) for _ in range(5)])  # fmt: skip
    assert store.key_get("t", "1", NOW) == {"epoch": 100, "counts": {"a": 25}}
    assert store.key_get("t", "2", NOW) == {"epoch": 101, "counts": {"b": 40}}
    store.key_tally_many("t", [("1", 160, {"a": 1}), ("1", 160, {"c": 1})], NOW, 5)  # came round
    assert store.key_get("t", "1", NOW) == {"epoch": 160, "counts": {"a": 1, "c": 1}}
    assert store.key_get("t", "1", NOW + 5) is None
    store.key_tally_many("t", [], NOW, 5)
