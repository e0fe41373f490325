import pytest

from .support import embedded_alias, forget_moves


@pytest.fixture
def embedded(tmp_path):
    """An extra alias: an SQLite file of its own, whatever the suite's topology."""
    yield from embedded_alias(tmp_path)


@pytest.fixture
def targets(transactional_db):
    """The tables a move creates are dropped after the test, whatever it did."""
    yield ("analytics", "cache", "default")
    forget_moves()
