"""pghero's rule for duplicate indexes, and the text tables dbmaint prints."""

from manydb.maintenance.checks import duplicate_indexes
from manydb.maintenance.report import table


def index(name, columns, unique=False, method="btree", on="t"):
    return {"table": on, "name": name, "columns": columns, "unique": unique, "method": method}


def test_an_index_that_starts_another_is_covered_by_it():
    found = duplicate_indexes([index("a", ["x"]), index("ab", ["x", "y"])])
    assert found == [{"table": "t", "index": "a", "covered_by": "ab"}]


def test_of_two_identical_indexes_one_is_reported():
    assert len(duplicate_indexes([index("one", ["x"]), index("two", ["x"])])) == 1


def test_a_unique_index_is_kept_unless_an_identical_unique_one_exists():
    assert duplicate_indexes([index("u", ["x"], unique=True), index("xy", ["x", "y"])]) == []
    assert len(duplicate_indexes([index("u1", ["x"], unique=True), index("u2", ["x"], unique=True)])) == 1


def test_other_tables_and_other_kinds_of_index_do_not_cover():
    assert duplicate_indexes([index("a", ["x"]), index("b", ["x", "y"], on="other")]) == []
    assert duplicate_indexes([index("brin", ["x"], method="brin"), index("xy", ["x", "y"])]) == []


def test_a_table_is_aligned_under_its_headings():
    text = table([("name", "name"), ("bytes", "size")], [{"name": "analytics_event", "bytes": 8192}, {"name": "x"}])
    lines = text.splitlines()
    assert lines[0].split() == ["name", "size"]
    assert lines[1].startswith("-" * len("analytics_event"))
    assert lines[2].split() == ["analytics_event", "8192"] and lines[3].split() == ["x"]
