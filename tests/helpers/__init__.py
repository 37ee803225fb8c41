"""What the suite's tests share (Warehouse's tests/common/): requests and checks, fixtures, case tables,
and the real servers and processes the tests start. A test module imports from here, never from another
test module (tests/unit/test_suite_layout.py checks that); the fixtures defined here are registered once,
as pytest plugins, by tests/conftest.py."""
