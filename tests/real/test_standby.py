"""The replica alias is a real hot standby, and blog reads really run there."""

import pytest

from tests.factories import post_create, user_create
from tests.real.conftest import blog_selects, wait_for_replay

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_standby_is_in_recovery(standby_admin, primary_admin):
    assert standby_admin.execute("SELECT pg_is_in_recovery()").fetchone()[0] is True
    assert primary_admin.execute("SELECT pg_is_in_recovery()").fetchone()[0] is False
    state = primary_admin.execute("SELECT state FROM pg_stat_replication").fetchall()
    assert ("streaming",) in state


def test_blog_pages_read_from_the_standby_as_the_standby_sees_it(client, primary_admin, standby_admin):
    author = user_create()
    posts = [post_create(author=author, title=f"Streamed {n}") for n in range(3)]
    wait_for_replay(primary_admin, standby_admin)
    on_standby, on_primary = blog_selects(standby_admin), blog_selects(primary_admin)

    assert client.get("/blog/").status_code == 200
    response = client.get(posts[0].get_absolute_url())
    assert response.status_code == 200 and "Streamed 0" in response.content.decode()

    # Statement statistics kept by each server: the list (count + page) and the
    # detail ran on the standby; the primary saw no blog SELECT at all.
    assert blog_selects(standby_admin) - on_standby >= 3
    assert blog_selects(primary_admin) == on_primary
