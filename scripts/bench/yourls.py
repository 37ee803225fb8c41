"""YOURLS as a peer of the redirect benchmark: nginx -> php-fpm -> MariaDB, started from its source.

YOURLS (https://github.com/YOURLS/YOURLS) is the most deployed self-hosted shortener; each redirect
commits a click counter and a log row before its 301. Its source is not part of this repository:
pass a checkout (or a bare git directory, which is exported) with `--yourls PATH`. The peer runs
only where `php-fpm8.2` (or `php-fpm`), `nginx` and a MariaDB server are installed, e.g.
`apt-get install php-fpm php-mysql php-mbstring nginx-light mariadb-server`.

The set-up follows the comparison in shared/reports/2026-12-redirect-vs-yourls.md: php-fpm with a
static pool of 16 children, OPcache as Debian ships it, no access logs anywhere, MariaDB with its
default `innodb_flush_log_at_trx_commit = 1` (durable per commit).
"""
import contextlib
import glob
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

from harness import running

INSTALL = "apt-get install php-fpm php-mysql php-mbstring nginx-light mariadb-server"

NGINX = """worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    include /etc/nginx/mime.types;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri $uri/ /yourls-loader.php$is_args$args; }}
        location ~ \\.php$ {{
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_pass unix:{work}/php-fpm.sock;
        }}
    }}
}}
"""

FPM = """[global]
pid = {work}/php-fpm.pid
error_log = {work}/php-fpm.log
daemonize = no
[yourls]
user = www-data
group = www-data
listen = {work}/php-fpm.sock
listen.owner = www-data
listen.group = www-data
listen.mode = 0666
listen.backlog = 511
pm = static
pm.max_children = 16
"""

CONFIG = """<?php
define('YOURLS_DB_USER', 'root');
define('YOURLS_DB_PASS', '');
define('YOURLS_DB_NAME', '{database}');
define('YOURLS_DB_HOST', 'localhost');
define('YOURLS_DB_PREFIX', 'yourls_');
define('YOURLS_SITE', 'http://127.0.0.1:{port}');
define('YOURLS_LANG', '');
define('YOURLS_UNIQUE_URLS', true);
define('YOURLS_PRIVATE', true);
define('YOURLS_COOKIEKEY', '{cookie}');
$yourls_user_passwords = ['bench' => '{password}'];
define('YOURLS_URL_CONVERT', 36);
define('YOURLS_DEBUG', false);
"""


def php_fpm():
    return shutil.which("php-fpm") or next(iter(sorted(glob.glob("/usr/sbin/php-fpm*"))), None)


def available(source):
    """Why YOURLS cannot run here, or None when it can."""
    if not source:
        return "no --yourls source given"
    missing = [name for name, found in (("php-fpm", php_fpm()), ("nginx", shutil.which("nginx")),
                                        ("mysql", shutil.which("mysql"))) if not found]
    return f"missing {', '.join(missing)} ({INSTALL})" if missing else None


def export(source, target):
    """A work tree of `source`: a directory with yourls-loader.php, or a (bare) git repository."""
    if os.path.exists(os.path.join(source, "yourls-loader.php")):
        shutil.copytree(source, target)
        return
    os.makedirs(target)
    # The GeoIP database is a large blob the redirect never reads; some mirrors lack it.
    archive = subprocess.run(["git", f"--git-dir={source}", "archive", "HEAD", "--", ".",
                              ":!includes/geo/GeoLite2-Country.mmdb"], capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)


def mysql(sql):
    subprocess.run(["mysql", "-uroot", "-e", sql], check=True, capture_output=True)


def ensure_mariadb():
    """Start the MariaDB server when it is not running; True if this call started it."""
    if subprocess.run(["mysqladmin", "ping"], capture_output=True).returncode == 0:
        return False
    subprocess.Popen(["mysqld_safe"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(60):
        if subprocess.run(["mysqladmin", "ping"], capture_output=True).returncode == 0:
            return True
        time.sleep(0.5)
    raise SystemExit("MariaDB did not start")


def click_rows(database):
    """(log rows, clicks of every link): what YOURLS has recorded so far."""
    out = subprocess.run(["mysql", "-uroot", "-N", "-e",
                          f"SELECT (SELECT COUNT(*) FROM {database}.yourls_log), "
                          f"(SELECT COALESCE(SUM(clicks), 0) FROM {database}.yourls_url)"],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1])


@contextlib.contextmanager
def mariadb_database(database):
    """A fresh MariaDB database named `database`, dropped afterwards (and the server stopped again if
    this started it)."""
    started_db = ensure_mariadb()
    mysql(f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database} CHARACTER SET utf8mb4")
    try:
        yield database
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            mysql(f"DROP DATABASE IF EXISTS {database}")
        if started_db:
            subprocess.run(["mysqladmin", "shutdown"], capture_output=True)


@contextlib.contextmanager
def yourls_server(source, port, workdir):
    """Run YOURLS on 127.0.0.1:`port`; yields (path of one short link, the database name, [pids])."""
    work = os.path.join(workdir, "yourls")
    root = os.path.join(work, "www")
    os.makedirs(work)
    export(source, root)
    database = f"yourls_bench_{port}"
    password = os.urandom(8).hex()
    with open(os.path.join(root, "user", "config.php"), "w") as f:
        f.write(CONFIG.format(database=database, port=port, cookie=os.urandom(16).hex(), password=password))
    subprocess.run(["chown", "-R", "www-data:www-data", root], check=True)
    for name, text in (("nginx.conf", NGINX), ("php-fpm.conf", FPM)):
        with open(os.path.join(work, name), "w") as f:
            f.write(text.format(work=work, port=port, root=root))
    for directory in (workdir, work):       # php-fpm's children (www-data) and nginx's workers read it
        os.chmod(directory, 0o755)
    socket = os.path.join(work, "php-fpm.sock")
    with contextlib.ExitStack() as stack:
        stack.enter_context(mariadb_database(database))
        fpm = stack.enter_context(running([php_fpm(), "-F", "-y", os.path.join(work, "php-fpm.conf")],
                                          log=os.path.join(work, "php-fpm.out"), ready=lambda: os.path.exists(socket)))
        nginx = stack.enter_context(running(["nginx", "-c", os.path.join(work, "nginx.conf"), "-g", "daemon off;"],
                                            log=os.path.join(work, "nginx.out"), port=port))
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/admin/install.php",
                                                      data=b"install=1")).read()
        query = urllib.parse.urlencode({"action": "shorturl", "keyword": "bench1", "url": "https://example.com/bench",
                                        "username": "bench", "password": password, "format": "json"})
        urllib.request.urlopen(f"http://127.0.0.1:{port}/yourls-api.php?{query}").read()
        yield "/bench1", database, [fpm.pid, nginx.pid]
