"""The benchmark scripts still import and parse their options, and the harness reads wrk right.

Benches are run by hand, rarely: without this, a refactor of the package that breaks one is found
the next time someone needs its numbers. No server starts here; the wrk reports are real ones,
recorded from wrk 4 against scripts/bench/bare_app.py.
"""
import importlib.util
import pathlib
import sys

import pytest

BENCH = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "bench"
#: modules the scripts import; they have no command line of their own
LIBRARIES = {"harness.py", "scanning.py", "yourls.py"}

WRK_REDIRECTS = """Running 1s test @ http://127.0.0.1:8291/r/x
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.42ms   12.98ms  91.70ms   87.72%
    Req/Sec     1.10k     0.88k    2.87k    75.00%
  Latency Distribution
     50%    2.46ms
     75%    9.77ms
     90%   25.10ms
     99%   63.80ms
  2233 requests in 1.05s, 420.87KB read
Requests/sec:   2135.45
Transfer/sec:    402.48KB
"""
WRK_NOT_FOUND = """Running 1s test @ http://127.0.0.1:8291/nothing
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.60ms    4.19ms  30.60ms   87.25%
    Req/Sec     1.03k   361.78     1.83k    60.00%
  Latency Distribution
     50%    3.20ms
     75%    5.98ms
     90%    9.62ms
     99%   21.80ms
  2081 requests in 1.03s, 410.79KB read
  Non-2xx or 3xx responses: 2081
Requests/sec:   2016.88
Transfer/sec:    398.13KB
"""


@pytest.fixture
def bench_module(monkeypatch):
    """Load a script of scripts/bench as a module, with that folder on sys.path as when it runs;
    sys.path and the modules loaded from the folder are put back afterwards."""
    monkeypatch.syspath_prepend(str(BENCH))

    def load(name):
        spec = importlib.util.spec_from_file_location(f"bench_{name[:-3]}", BENCH / name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    yield load
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(str(BENCH)):
            del sys.modules[name]


@pytest.mark.parametrize("name", sorted(path.name for path in BENCH.glob("*.py")))
def test_every_bench_script_imports_and_answers_help(name, bench_module, capsys):
    module = bench_module(name)
    runnable = 'if __name__ == "__main__":' in (BENCH / name).read_text()
    assert runnable == (name not in LIBRARIES), "a script runs from the command line; a library does not"
    if not runnable:
        return
    with pytest.raises(SystemExit) as exit:
        module.main(["--help"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.startswith("usage: ")


def test_wrk_report_is_read_as_numbers(bench_module):
    harness = bench_module("harness.py")
    assert harness.parse_wrk(WRK_REDIRECTS) == {
        "requests": 2233, "rps": 2135.45, "p50": 2.46, "p99": 63.8, "non3xx": 0, "socket_errors": ""}
    assert harness.parse_wrk(WRK_NOT_FOUND)["non3xx"] == 2081


def test_wrk_latencies_in_every_unit_become_milliseconds(bench_module):
    harness = bench_module("harness.py")
    assert [harness.wrk_ms(text) for text in ("812.00us", "3.41ms", "1.02s", "1.50m")] == pytest.approx(
        [0.812, 3.41, 1020.0, 90_000.0])


def test_a_report_without_the_latency_table_is_an_error_not_a_zero(bench_module):
    harness = bench_module("harness.py")
    without_latency = WRK_REDIRECTS.replace("     50%    2.46ms\n", "")
    with pytest.raises(ValueError, match="50%"):
        harness.parse_wrk(without_latency)


def test_a_run_ini_sets_settings_where_they_stand_and_only_in_their_section(bench_module, tmp_path):
    harness = bench_module("harness.py")
    ini = harness.write_ini(tmp_path / "run.ini", {"exaroutes.rate_limit.scan": "off", "exaroutes.new": "1"},
                            source="development.ini", port=8999, threads=4, quiet=True,
                            loggers={"huey.consumer": "INFO"})
    text = ini.read_text()
    shipped = (harness.ROOT / "development.ini").read_text()
    app = text[text.index("[app:main]"):text.index("[server:main]")]
    server = text[text.index("[server:main]"):text.index("[loggers]")]
    assert "exaroutes.rate_limit.scan = off\n" in app and "exaroutes.rate_limit.scan = 600" not in text
    assert "exaroutes.new = 1\n" in app
    assert "port = 8999\n" in server and "threads = 4\n" in server and "threads = 4" not in app
    assert "level = DEBUG" in shipped and "level = DEBUG" not in text
    assert "keys = root, exaroutes, sqlalchemy, alembic, huey_consumer\n" in text
    assert text.endswith("[logger_huey_consumer]\nlevel = INFO\nhandlers =\nqualname = huey.consumer\n")
