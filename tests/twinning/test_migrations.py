"""The migrations build an empty database from scratch, data migrations included (the test
suite itself builds its database without them, for speed)."""

import os
import sqlite3
from contextlib import closing

from tests.twinning.test_security import run_manage


def test_migrate_builds_an_empty_database_with_the_staff_groups(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    environment = os.environ | {"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}"}

    result = run_manage("migrate", "--no-input", env=environment)

    assert result.returncode == 0, result.stdout + result.stderr
    with closing(sqlite3.connect(database)) as connection:
        groups = dict(
            connection.execute(
                "SELECT g.name, count(p.id) FROM auth_group g"
                " JOIN auth_group_permissions p ON p.group_id = g.id GROUP BY g.name"
            ).fetchall()
        )
    assert set(groups) == {"Editors", "Programme managers"}
    assert all(count > 10 for count in groups.values()), groups
