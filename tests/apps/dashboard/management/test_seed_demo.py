"""seed_demo ends with the logins of the demo accounts it created."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.dashboard import demo
from apps.dashboard.management.commands.seed_demo import Command


@pytest.mark.django_db(databases="__all__")
def test_seed_demo_prints_the_logins_that_work():
    out = StringIO()
    call_command("seed_demo", stdout=out)

    logins = out.getvalue().split("demo logins (local only):\n", 1)[1].splitlines()
    pairs = [line.split()[0:3:2] for line in logins]
    assert pairs[0] == [demo.ADMIN_USERNAME, demo.ADMIN_PASSWORD]
    assert [name for name, _ in pairs[1:]] == [username for username, *_ in demo.AUTHORS]
    User = get_user_model()
    for name, password in pairs:
        assert User.objects.get(username=name).check_password(password), name


@pytest.mark.django_db(databases="__all__")
def test_only_accounts_that_exist_are_listed():
    get_user_model().objects.create_user("alice", "alice@example.com", demo.AUTHOR_PASSWORD)

    logins = Command()._logins()

    assert "alice / " in logins
    assert "bob / " not in logins and "admin / " not in logins
