import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


@pytest.fixture
def dbmaint():
    """Run dbmaint with --json; returns (exit status, the parsed output)."""

    def run(*args: str) -> tuple[int, dict]:
        out, err = StringIO(), StringIO()
        try:
            call_command("dbmaint", *args, "--json", stdout=out, stderr=err)
            status = 0
        except CommandError as exc:
            status = exc.returncode
        return status, json.loads(out.getvalue())

    return run
