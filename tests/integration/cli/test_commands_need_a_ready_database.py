"""Bad input for the governance commands (issue 9): on a database that was never set up, or
cannot be reached, `verify-audit`, `export-patient` and `purge` each say so plainly, exit 1,
print no traceback and create nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

COMMANDS = [
    (["portal", "verify-audit"], "The audit trail was not checked"),
    (["portal", "export-patient", "9434765919"], "Nothing was exported"),
    (["portal", "purge"], "Nothing was removed"),
]


@pytest.mark.parametrize(("args", "nothing_done"), COMMANDS)
def test_a_database_never_set_up_is_named_and_left_alone(make_app, tmp_path, args, nothing_done):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    result = make_app(database_url=url).test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert f"{nothing_done}: the database is not set up for this version of the portal (at migration none," in result.output
    assert "Run `flask portal db-upgrade` first." in result.output and "Traceback" not in result.output
    engine = create_engine(url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


@pytest.mark.parametrize(("args", "nothing_done"), COMMANDS)
def test_an_unreachable_database_is_named(make_app, tmp_path, args, nothing_done):
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.sqlite3'}"
    result = make_app(database_url=url).test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert f"{nothing_done}: the database cannot be reached. Check DATABASE_URL." in result.output
