import pytest

from tests.factories import user_create


@pytest.fixture
def staff(db):
    """A staff member: the dashboard's site-wide sections are theirs to see."""
    return user_create(username="sam", first_name="Sam", is_staff=True)
