"""The plumbing the benchmarks share, so that each script beside this one holds only its scenario.

Scripts run as `.venv/bin/python scripts/bench/NAME.py` (this folder is then on sys.path and they
`from harness import ...`); the package never imports this module. What lives here, once:

- databases: `migrated_database` (in this process: migrated, one workspace, its key),
  `postgres_database` (a fresh PostgreSQL database, dropped afterwards), `app_client` (the whole app
  in this process, through WebTest, on a migrated database);
- servers: `write_ini` (a shipped ini, or a minimal one, with the run's settings), `make_key`
  (`exaroutes-db upgrade` + `exaroutes-keys create` for the tree being served), `serve` / `running`
  (pserve, exaroutes-worker or any program as a real process: waited for, then stopped with SIGTERM
  and, if it lingers, killed), `environment` (what such a process sees), `baseline_tree` (another
  revision's package, for a comparison within one run);
- load and costs: `require_tool`, `run_wrk` / `parse_wrk`, `tree_cpu_seconds`, `py_spy`;
- the header every result needs on a shared machine: `machine()` and `load()`.

(The decode-rate benches share the pictures and readers of scanning.py instead: no servers there.)

What a person running a bench can fix (a missing tool or server, an unknown revision, a server that
does not start) ends the run with a message saying what to do, not a traceback.
"""
import contextlib
import itertools
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_EXTRA = ".venv/bin/pip install -c constraints.txt -e '.[test,bench]'"

_logs = itertools.count(1)


# the machine ---------------------------------------------------------------------------------------

def load():
    """The 1-minute load average: beside every number, since the machine is shared."""
    return os.getloadavg()[0]


def machine():
    """One line for a results header: CPU model and count, Python, and the load right now."""
    model = platform.machine()
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), model)
    return f"{model}, {os.cpu_count()} CPUs, python {platform.python_version()}, load (1 min) {load():.2f}"


def require_tool(program, apt=None, hint=None):
    """The path of `program` (this venv's bin first). When it is missing: installed with
    `apt-get install APT` when we are root and have apt-get (as scripts/test does), otherwise the run
    stops with the command that installs it (`hint`, or the apt-get line)."""
    search = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    if found := shutil.which(program, path=search):
        return found
    command = hint or f"apt-get install {apt}"
    if apt and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"{program} is missing: {command}", file=sys.stderr)
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *apt.split()], capture_output=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if found := shutil.which(program, path=search):
            return found
    raise SystemExit(f"this bench needs {program}, which is not installed: {command}")


# databases -----------------------------------------------------------------------------------------

def migrated_database(database_url, workspace="bench"):
    """(engine, raw API key) of a database brought to the newest migration, with `workspace` in it,
    made in this process (with whatever `exaroutes` this process imports)."""
    import transaction

    from exaroutes.auth.keys import create_key, get_or_create_workspace
    from exaroutes.migrations import upgrade
    from exaroutes.models import get_engine, get_session_factory, get_tm_session

    engine = get_engine({"sqlalchemy.url": database_url})
    upgrade(engine)
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        dbsession = get_tm_session(get_session_factory(engine), tm)
        key = create_key(dbsession, get_or_create_workspace(dbsession, workspace))
    return engine, key


def app_client(database_url, settings=(), environ=(("HTTP_HOST", "localhost"),)):
    """(WebTest client, raw API key): the whole app (pyramid_tm and every layer but waitress) in this
    process on a freshly migrated `database_url`, with `settings` beside the URL."""
    import webtest

    from exaroutes import main

    engine, key = migrated_database(database_url)
    app = main({}, dbengine=engine, **{"sqlalchemy.url": database_url, **dict(settings)})
    return webtest.TestApp(app, extra_environ=dict(environ)), key


@contextlib.contextmanager
def postgres_database():
    """The URL of a new, empty PostgreSQL database on the local server; dropped (connections and all)
    on the way out."""
    import psycopg

    name = f"exaroutes_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0]
        raise SystemExit(f"this bench needs PostgreSQL at {ADMIN_URL} (trust auth), which did not answer: {reason}")
    try:
        yield urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ini files and served trees ------------------------------------------------------------------------

MINIMAL_INI = """[app:main]
use = egg:exaroutes

[server:main]
use = egg:exaroutes#waitress
host = 127.0.0.1
threads = 8

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def set_option(text, section, name, value):
    """`text` (an ini) with `name = value` in `[section]`: the line replaced where it is, else added
    right under the section's header."""
    header = re.search(rf"^\[{re.escape(section)}\]\n", text, re.M)
    if header is None:
        raise ValueError(f"no [{section}] section")
    end = re.compile(r"^\[", re.M).search(text, header.end())
    end = end.start() if end else len(text)
    body, found = re.subn(rf"^{re.escape(name)} *=.*$", f"{name} = {value}", text[header.end():end], flags=re.M)
    if not found:
        body = f"{name} = {value}\n" + body
    return text[:header.end()] + body + text[end:]


def write_ini(path, settings=(), *, source=None, tree=ROOT, port=None, threads=None, quiet=False, loggers=()):
    """Write the ini of one run to `path` and return `path`.

    `source` names a shipped ini of `tree` (development.ini, production.ini) to copy, so the run sees
    the settings as shipped; without one, a minimal ini (the app's defaults, 8 threads, WARN logging).
    `settings` ({name: value}) go into [app:main], `port` and `threads` into [server:main]; `quiet`
    turns the shipped DEBUG/INFO loggers down to WARN; `loggers` ({logger name: level}) adds loggers.
    """
    text = (Path(tree) / source).read_text() if source else MINIMAL_INI
    for name, value in dict(settings).items():
        text = set_option(text, "app:main", name, value)
    for name, value in (("port", port), ("threads", threads)):
        if value is not None:
            text = set_option(text, "server:main", name, value)
    if quiet:
        text = re.sub(r"^level = (DEBUG|INFO)$", "level = WARN", text, flags=re.M)
    for qualname, level in dict(loggers).items():
        key = "logger_" + qualname.replace(".", "_")
        keys = re.search(r"^keys = (.*)$", text[text.index("[loggers]"):], re.M).group(1)
        text = set_option(text, "loggers", "keys", f"{keys}, {key[7:]}")
        text += f"\n[{key}]\nlevel = {level}\nhandlers =\nqualname = {qualname}\n"
    Path(path).write_text(text)
    return path


def environment(pythonpath=None, **variables):
    """What a served process sees: this environment without EXAROUTES_* (a setting left in the shell
    would override the ini), plus `variables`; `pythonpath` (a baseline tree) replaces PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXAROUTES_")}
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    env.update({k: str(v) for k, v in variables.items()})
    return env


def baseline_tree(revision, directory, paths=("exaroutes",)):
    """`paths` as they are at git `revision`, unpacked into `directory` (returned): put first on
    PYTHONPATH, the baseline's package runs with this tree's libraries and settings.

    A revision this clone does not have is a one-line error: a clone holds only the history of the
    branch it was cloned from, so a commit that was rebased away or never landed is not there.
    """
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
                           capture_output=True, text=True)
    if found.returncode != 0:
        raise SystemExit(f"baseline {revision!r} is not a commit of {ROOT} (`git log --oneline` lists those there are)")
    Path(directory).mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", found.stdout.strip(), *paths],
                             capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"git archive {revision} {' '.join(paths)}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive.stdout, check=True)
    return directory


def cli(program, *args, env=None):
    """Run one of this venv's commands to completion; its stdout. A failure stops the run with its stderr."""
    done = subprocess.run([str(BIN / program), *map(str, args)], env=env or environment(), cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{program} {' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def make_key(ini, env=None, workspace="bench"):
    """Migrate the ini's database and create an API key, with the commands a person would use
    (exaroutes-db, exaroutes-keys); with a baseline's `env`, that tree's code does both. The raw key."""
    cli("exaroutes-db", "upgrade", ini, env=env)
    return cli("exaroutes-keys", "create", ini, "--workspace", workspace, env=env).strip()


# processes -----------------------------------------------------------------------------------------

def answers(port):
    """True once something answers HTTP on 127.0.0.1:`port` (any status: a 404 is an answer)."""
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def stop(process, timeout=20):
    """SIGTERM (our servers drain and exit 0 on it), then a kill if it is still there after `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running(argv, *, log, port=None, ready=None, env=None, cwd=ROOT, timeout=60):
    """`argv` as a real process writing to the file `log` (a pipe nobody reads would fill up and stall
    it), yielded once it answers HTTP on `port` and `ready()` is true; stopped on the way out."""
    with open(log, "ab") as output:
        process = subprocess.Popen([str(a) for a in argv], stdout=output, stderr=output, env=env or environment(),
                                   cwd=cwd)
    try:
        deadline = time.monotonic() + timeout
        while not ((port is None or answers(port)) and (ready is None or ready())):
            if process.poll() is not None or time.monotonic() > deadline:
                what = f"exited with {process.returncode}" if process.poll() is not None else "did not get ready"
                tail = Path(log).read_text(errors="replace")[-2000:]
                raise SystemExit(f"{' '.join(map(str, argv))} {what}"
                                 f"{f' (port {port})' if port else ''}; the end of {log}:\n{tail}")
            time.sleep(0.1)
        yield process
    finally:
        stop(process)


def serve(ini, port=None, env=None, *, program="pserve", log=None, ready=None, args=()):
    """`program ini` (pserve, or exaroutes-worker with no port) from this venv, as `running` runs it;
    its output goes to `log` (default: a numbered file beside the ini)."""
    log = log or Path(ini).with_name(f"{Path(ini).stem}-{program}-{next(_logs)}.log")
    return running([BIN / program, ini, *args], log=log, port=port, ready=ready, env=env)


def log_says(log, text):
    """A `ready` test: true once `text` stands in the file `log`."""
    return lambda: Path(log).exists() and text in Path(log).read_text(errors="replace")


# load and costs ------------------------------------------------------------------------------------

def run_wrk(url, duration, connections, headers=(), threads=2):
    """One wrk run (`--latency`) against `url`, parsed by `parse_wrk`."""
    wrk = require_tool("wrk", apt="wrk")
    argv = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in dict(headers).items():
        argv += ["-H", f"{name}: {value}"]
    done = subprocess.run([*argv, url], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"wrk against {url} failed: {done.stderr.strip() or done.stdout.strip()}")
    return parse_wrk(done.stdout)


WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def wrk_ms(text):
    """A wrk latency ('812.00us', '3.41ms', '1.02s') in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * WRK_UNITS[unit]


def parse_wrk(output):
    """wrk's report as numbers: requests, rps, p50/p99 (ms), non3xx (wrk counts answers outside
    200-399), socket_errors (its text, '' when there were none)."""
    def field(pattern):
        found = re.search(pattern, output)
        if found is None:
            raise ValueError(f"no {pattern!r} in wrk's output:\n{output}")
        return found.group(1)

    non3xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"requests": int(field(r"(\d+) requests in")), "rps": float(field(r"Requests/sec:\s+([\d.]+)")),
            "p50": wrk_ms(field(r"\s50%\s+([\d.]+\w+)")), "p99": wrk_ms(field(r"\s99%\s+([\d.]+\w+)")),
            "non3xx": int(non3xx.group(1)) if non3xx else 0,
            "socket_errors": socket_errors.group(1).strip() if socket_errors else ""}


def tree_cpu_seconds(pids):
    """CPU seconds used so far by `pids` and all their descendants (php-fpm children, nginx workers)."""
    total, todo, seen = 0.0, list(pids), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in os.listdir(f"/proc/{pid}/task"):     # a child started by any thread, not only the main one
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo.extend(int(child) for child in f.read().split())
    return total


@contextlib.contextmanager
def py_spy(processes, directory, label):
    """A py-spy profile (collapsed stacks, `spy_summary.py` reads them) of each process while the
    block runs, written to DIRECTORY/LABEL-N.txt when it ends."""
    program = require_tool("py-spy", hint=BENCH_EXTRA)
    spies = [subprocess.Popen([program, "record", "--format", "raw", "--rate", "200", "--pid", str(p.pid),
                               "--output", os.path.join(directory, f"{label}-{i}.txt")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i, p in enumerate(processes)]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)     # py-spy writes its profile on SIGINT
            spy.wait(30)
