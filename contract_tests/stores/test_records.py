"""Records: what every backend must do the same way (memory is the reference)."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from contract_tests.backends import fresh_settings
from mockserver.engine import open_store
from mockserver.settings import Settings
from mockserver.state.query import Collection
from mockserver.state.query import Condition
from mockserver.state.query import Query
from mockserver.state.query import run_query
from mockserver.state.store import Store

WHERE = Collection("api", "t1", "things")


def test_insert_get_replace_delete_count(store: Store) -> None:
    store.insert(WHERE, "1", {"id": "1", "name": "a", "tags": ["x"]})
    store.insert(WHERE, "2", {"id": "2", "name": "b"})
    got = store.get(WHERE, "1")
    assert got == {"id": "1", "name": "a", "tags": ["x"]}
    got["tags"].append("mutated")  # a reader's copy never aliases the stored record
    assert store.get(WHERE, "1") == {"id": "1", "name": "a", "tags": ["x"]}
    store.replace(WHERE, "1", {"id": "1", "name": "c"})
    assert store.get(WHERE, "1") == {"id": "1", "name": "c"}
    assert store.count(WHERE) == 2
    assert store.delete(WHERE, "1") is True
    assert store.delete(WHERE, "1") is False
    assert store.get(WHERE, "1") is None
    assert store.count(WHERE) == 1


def test_collections_are_separate_and_clear_is_scoped(store: Store) -> None:
    other_tenant = Collection("api", "t2", "things")
    other_api = Collection("other", "t1", "things")
    store.insert_many(WHERE, [("1", {"id": "1"}), ("2", {"id": "2"})])
    store.insert(other_tenant, "1", {"id": "1", "tenant": 2})
    store.insert(other_api, "1", {"id": "1", "api": "other"})
    assert store.count(WHERE) == 2
    assert store.get(other_tenant, "1") == {"id": "1", "tenant": 2}
    store.clear_records("api")
    assert store.count(WHERE) == 0
    assert store.count(other_tenant) == 0
    assert store.get(other_api, "1") == {"id": "1", "api": "other"}
    store.clear_records()
    assert store.count(other_api) == 0


def test_next_id_starts_counts_and_resets_per_api(store: Store) -> None:
    assert [store.next_id("api", "things", 1000) for _ in range(3)] == [1000, 1001, 1002]
    assert store.next_id("api", "others", 5) == 5
    assert store.next_id("other", "things", 1) == 1
    store.clear_records("api")
    assert store.next_id("api", "things", 1000) == 1000
    assert store.next_id("other", "things", 1) == 2


def test_insert_many_overwrites_like_insert(store: Store) -> None:
    store.insert_many(WHERE, [("1", {"id": "1", "v": 1}), ("1", {"id": "1", "v": 2})])
    assert store.get(WHERE, "1") == {"id": "1", "v": 2}
    assert store.count(WHERE) == 1


# query: every backend answers exactly what query.run_query answers ------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([0.5, -1.5, 2.0]),
    st.sampled_from(["", "a", "B", "ab", "Ä", "ä", "10", "9", "20", "100", "007", "x y", "1.5"]),
)
FIELDS = ("a", "b")
DOCS = st.lists(
    st.fixed_dictionaries(
        {"a": SCALARS},
        optional={"b": SCALARS, "nested": st.fixed_dictionaries({}, optional={"a": SCALARS})},
    ),
    min_size=2,
    max_size=10,
)
CONDITIONS = st.builds(
    Condition,
    paths=st.lists(
        st.sampled_from([("a",), ("b",), ("nested", "a"), ("odd name",)]), min_size=1, max_size=2
    ).map(tuple),
    op=st.sampled_from(["eq", "in", "gte", "lte", "icontains"]),
    values=st.lists(SCALARS, min_size=1, max_size=3).map(tuple),
)
EXAMPLES = int(os.environ.get("STORE_QUERY_EXAMPLES", "300"))
QUERIES = st.builds(
    Query,
    conditions=st.lists(CONDITIONS, max_size=2).map(tuple),
    sort=st.lists(st.tuples(st.sampled_from(FIELDS), st.booleans()), max_size=2).map(
        lambda s: (*s, ("id", False))  # handlers always end on the id, as here
    ),
    offset=st.integers(0, 4),
    limit=st.one_of(st.none(), st.integers(0, 5)),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(docs=DOCS, query=QUERIES)
def test_query_matches_the_reference(
    store: Store, docs: list[dict[str, Any]], query: Query
) -> None:
    where = Collection("api", uuid.uuid4().hex, "things")  # a fresh collection per example
    records = [{**doc, "id": str(index)} for index, doc in enumerate(docs)]
    store.insert_many(where, [(r["id"], r) for r in records])
    expected = run_query(records, query)
    page = store.query(where, query)
    assert page.total == expected.total
    assert page.items == expected.items


def test_query_with_no_sort_returns_every_record(store: Store) -> None:
    store.insert_many(WHERE, [(str(i), {"id": str(i)}) for i in range(5)])
    page = store.query(WHERE, Query())
    assert page.total == 5
    assert sorted(doc["id"] for doc in page.items) == ["0", "1", "2", "3", "4"]


MIXED: list[Any] = [None, True, False, -1, 0, 3, 2.5, "", "a", "B", "Ä", "ä", "10", "9"]
MIXED += ["20", "100", "007", "x y", "1.5", "True", "3"]


def _mixed(store: Store) -> tuple[Collection, list[dict[str, Any]]]:
    where = Collection("api", uuid.uuid4().hex, "mixed")
    records = [{"id": str(i), "a": value} for i, value in enumerate(MIXED)] + [{"id": "99"}]
    store.insert_many(where, [(r["id"], r) for r in records])
    return where, records


def test_sort_order_on_mixed_types_matches_the_reference(store: Store) -> None:
    where, records = _mixed(store)
    for descending in (False, True):
        query = Query(sort=(("a", descending), ("id", False)), offset=1, limit=30)
        assert store.query(where, query) == run_query(records, query)


def test_every_op_and_value_type_filters_like_the_reference(store: Store) -> None:
    where, records = _mixed(store)
    beyond_int64 = [1 << 63, -(1 << 63) - 1, 10**30]  # a query may carry any integer
    for op in ("eq", "in", "gte", "lte", "icontains"):
        for value in [*MIXED, *beyond_int64]:
            query = Query(conditions=(Condition((("a",),), op, (value,)),), sort=(("id", False),))
            assert store.query(where, query) == run_query(records, query), (op, value)


ODD_KEYS = ["Délai", "a\x01b", "a\x00b", "a\\b", 'a"b', "tab\there", "😀", "x y"]


def test_filters_on_keys_with_any_characters_match_the_reference(store: Store) -> None:
    """Keys as clients send them in extraFields[...]: non-ASCII, control characters, quotes.
    On SQLite a NUL was a 500 and a non-ASCII key silently matched nothing."""
    where = Collection("api", uuid.uuid4().hex, "odd")
    records = [{"id": str(i), key: i % 3} for i, key in enumerate(ODD_KEYS * 2)]
    store.insert_many(where, [(r["id"], r) for r in records])
    for key in ODD_KEYS:
        for op, value in (("eq", 1), ("gte", 1), ("icontains", "1")):
            query = Query(conditions=(Condition(((key,),), op, (value,)),), sort=(("id", False),))
            assert store.query(where, query) == run_query(records, query), (key, op)


@pytest.mark.parametrize("shared", ["sqlite", "redis"])
def test_a_write_through_one_handle_is_seen_by_the_others_next_list(shared: str) -> None:
    """Two handles on one store, as two workers have: no list may serve stale records."""
    changes = fresh_settings(shared)
    first, second = (open_store(Settings().replace(**changes)) for _ in range(2))
    query = Query(sort=(("id", False),), limit=10)
    first.insert(WHERE, "1", {"id": "1"})
    assert [d["id"] for d in second.query(WHERE, query).items] == ["1"]  # second caches
    first.insert(WHERE, "2", {"id": "2"})
    first.replace(WHERE, "1", {"id": "1", "v": 2})
    assert second.query(WHERE, query).items == [{"id": "1", "v": 2}, {"id": "2"}]
    first.delete(WHERE, "2")
    assert second.query(WHERE, query).total == 1
    first.clear_records("api")
    assert second.query(WHERE, query).total == 0
    first.close()
    second.close()


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.integers(0, 6), SCALARS),
        st.tuples(st.just("delete"), st.integers(0, 6), st.none()),
        st.tuples(st.just("insert_many"), st.integers(0, 6), SCALARS),
        st.tuples(st.just("clear"), st.none(), st.none()),
    ),
    max_size=12,
)


@pytest.mark.parametrize("shared", ["sqlite", "redis"])
def test_lists_follow_any_sequence_of_writes_through_another_handle(shared: str) -> None:
    """A reader's list after every write by another handle equals the memory reference's."""
    changes = fresh_settings(shared)
    writer, reader = (open_store(Settings().replace(**changes)) for _ in range(2))
    reference = open_store(Settings())
    query = Query(sort=(("a", True), ("id", False)), offset=1, limit=4)

    @settings(max_examples=EXAMPLES // 3, deadline=None)
    @given(ops=OPS)
    def run(ops: list[tuple[str, Any, Any]]) -> None:
        for store in (writer, reference):
            store.clear_records("api")
        for op, key, value in ops:
            for store in (writer, reference):
                if op == "insert":
                    store.insert(WHERE, str(key), {"id": str(key), "a": value})
                elif op == "delete":
                    store.delete(WHERE, str(key))
                elif op == "insert_many":
                    store.insert_many(
                        WHERE, [(str(k), {"id": str(k), "a": value}) for k in range(key)]
                    )
                else:
                    store.clear_records("api")
            assert reader.query(WHERE, query) == reference.query(WHERE, query)

    run()
    writer.close()
    reader.close()
