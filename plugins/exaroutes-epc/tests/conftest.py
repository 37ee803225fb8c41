"""The plugin's tests run inside the ExaRoutes test suite: its fixtures give a real app, on SQLite and
PostgreSQL, with every installed plugin loaded through the entry points (this one included)."""
from tests.conftest import *  # noqa: F401,F403  (app, testapp, auth, count_rows, … from the host's suite)
