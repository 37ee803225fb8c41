"""Which host may answer for which code: the redirect's one host check, and the TLS proxy's question.

The rule (DESIGN.md §8): a request whose `Host` is a verified custom domain resolves only that
domain's codes; any other host resolves only codes without a custom domain. The code carries its
hostname (`QrCode.domain`, in the code cache), so the two common cases cost no query at all:
- a code on a custom domain answers exactly when `Host` is that domain;
- a code without one, asked for on the redirect base's own host, answers.
Only a code without a custom domain asked for on some *other* host needs to know whether that host
is somebody's verified domain; that answer is cached per host like codes are (`VerifiedHosts`,
same lifetime), so a host costs at most one indexed query per lifetime and process.

`Host` is never used to build a URL here (redirect URLs come from the configured base or the
code's stored domain); it only selects which codes may answer.
"""
import threading
import time
from urllib.parse import urlsplit

from exaroutes.domains.hostnames import request_hostname
from exaroutes.domains.service import is_verified_anywhere


class VerifiedHosts:
    """A per-process cache of "is this hostname a verified custom domain?", `ttl` seconds old at most.

    A verification or deletion in this process drops the entry at once (`invalidate`); other
    processes see it after at most `ttl` seconds. Bounded like the code cache: random `Host`
    headers cannot grow it without limit.
    """

    def __init__(self, session_factory, ttl, max_entries=10_000):
        self.session_factory = session_factory
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries = {}
        self._lock = threading.Lock()

    def load(self, hostname):
        with self.session_factory() as session:
            return is_verified_anywhere(session, hostname)

    def is_verified(self, hostname):
        if not hostname:
            return False
        if self.ttl <= 0:
            return self.load(hostname)
        entry = self._entries.get(hostname)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        verified = self.load(hostname)
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[hostname] = (now + self.ttl, verified)
        return verified

    def invalidate(self, hostname):
        with self._lock:
            self._entries.pop(hostname, None)


def forget_after_commit(request, hostname):
    """After this request's transaction commits (a verification, a deletion), this process's cache
    must not keep its old answer for `hostname`."""
    verified_hosts = request.registry["verified_hosts"]
    request.tm.get().addAfterCommitHook(lambda committed: committed and verified_hosts.invalidate(hostname))


class HostRule:
    """`may_answer(environ, code)`: the redirect's host check against the cached code."""

    def __init__(self, redirect_base, verified_hosts):
        self.base_host = (urlsplit(redirect_base).hostname or "").lower()
        self.verified_hosts = verified_hosts

    def may_answer(self, environ, code):
        host = request_hostname(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
        if code.domain is not None:
            return host == code.domain
        if host == self.base_host:
            return True
        return not self.verified_hosts.is_verified(host)
