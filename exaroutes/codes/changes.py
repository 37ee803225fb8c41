"""One hook for "this code changed": every web process stops serving the old version within milliseconds.

The redirect reads codes through a per-process cache (exaroutes.scan.code_cache). Whatever it uses
from a code (destination, status, expiry and scan limits today; routing rules, variants, domains
as they come) is changed by some transaction, and that change must reach every process, not just
the one that made it. Call `code_changed(session, short_id)` wherever such a change is written:

- an UPDATE of a `qr_codes` row calls it by itself (the ORM event below): PUT, status, limits,
  protections, dashboard edits, console scripts;
- a feature keeping the code's redirect data in a table of its own (rules, variants, domains) calls
  it when it writes that table, in the same session.

It drops the entry in this process at once (so a read in the same request already sees the change),
and when the session commits, again here and in every other process, through `registry["change_feed"]`
(Redis publish/subscribe, exaroutes.scan.change_feed) when one is configured. A rolled-back change
publishes nothing: there is nothing to see.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from exaroutes.models import QrCode

CHANGED = "exaroutes.changed_codes"


def registry_of(session):
    """The Pyramid registry of the request (or task) this session belongs to, if any."""
    if session is None:
        return None
    request = session.info.get("request")
    return request.registry if request is not None else session.info.get("registry")


def code_changed(session, short_id):
    """`short_id`'s redirect data changed in this session's transaction (call it in the session that writes
    the change: a session that wrote nothing is rolled back, not committed, and publishes nothing)."""
    session.info.setdefault(CHANGED, set()).add(short_id)
    registry = registry_of(session)
    cache = registry.get("code_cache") if registry is not None else None
    if cache is not None:
        cache.invalidate(short_id)


@event.listens_for(QrCode, "after_update")
def _code_row_updated(mapper, connection, target):
    code_changed(object_session(target), target.short_id)


@event.listens_for(Session, "after_commit")
def _changes_committed(session):
    changed = session.info.pop(CHANGED, None)
    registry = registry_of(session)
    if not changed or registry is None:
        return
    cache = registry.get("code_cache")
    if cache is not None:
        for short_id in changed:    # again: a read between the flush and the commit may have cached the old row
            cache.invalidate(short_id)
    feed = registry.get("change_feed")
    if feed is not None:
        feed.publish(changed)


@event.listens_for(Session, "after_rollback")
def _changes_rolled_back(session):
    session.info.pop(CHANGED, None)
