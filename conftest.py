"""Suite-wide fixtures: test databases shaped like the real topology."""

import pytest

from apps.legacy.schema import legacy_schema_install, legacy_schema_present
from manydb.testing import point_replicas_at_test_primaries


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Django's test databases, plus what Django does not create for us.

    - each replica reads its primary's test database through its own connection
      (read-only, as in production);
    - the legacy database gets its schema and sample rows, as the legacy system
      would have them (Django never migrates it).
    """
    with django_db_blocker.unblock():
        point_replicas_at_test_primaries()
        if not legacy_schema_present():
            legacy_schema_install(with_sample_data=True)
