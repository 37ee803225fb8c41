"""The plugin's tests use the fixtures ExaRoutes ships for plugins (exaroutes.testing): a real app on
SQLite and PostgreSQL with every installed plugin loaded through the entry points (this one included)."""
import pytest

pytest.register_assert_rewrite("exaroutes.testing")

from exaroutes.testing import *  # noqa: E402,F401,F403
