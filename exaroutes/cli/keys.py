"""`exaroutes-keys create|list|revoke|rotate|ensure CONFIG ...`: the operator's key management.

A new key is printed alone on stdout, once, after its transaction committed; only its hash is stored.
Messages for people go to stderr, so `KEY=$(exaroutes-keys create ...)` captures just the key.
"""
import argparse
import datetime
import os
import sys

from sqlalchemy import select

from exaroutes.auth.keys import (
    KeyNotFound, create_key, find_active_key, get_or_create_workspace, revoke_key, rotate_key)
from exaroutes.cli.common import load_config, committed_session
from exaroutes.clock import isoformat, utcnow
from exaroutes.models import ApiKey, Workspace


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="exaroutes-keys", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="new key for a workspace (made if missing)")
    create.add_argument("config_uri")
    create.add_argument("--workspace", required=True)
    create.add_argument("--test", action="store_true", help="a test workspace: keys start exr_test_")
    listing = commands.add_parser("list", help="prefix, workspace, created, last used, state")
    listing.add_argument("config_uri")
    revoke = commands.add_parser("revoke", help="stop a key at once")
    revoke.add_argument("config_uri")
    revoke.add_argument("prefix")
    rotate = commands.add_parser("rotate", help="new key; the old one works for a grace period")
    rotate.add_argument("config_uri")
    rotate.add_argument("prefix")
    rotate.add_argument("--grace-hours", type=float, default=24.0)
    ensure = commands.add_parser("ensure", help="print the key kept in KEY_FILE, making one if needed")
    ensure.add_argument("config_uri")
    ensure.add_argument("--workspace", required=True)
    ensure.add_argument("--key-file", required=True)
    return parser.parse_args(argv)


def command_create(dbsession, args):
    return create_key(dbsession, get_or_create_workspace(dbsession, args.workspace, args.test))


def command_list(dbsession, args):
    now = utcnow()
    rows = dbsession.execute(select(ApiKey, Workspace.name).join(Workspace).order_by(ApiKey.id)).all()
    lines = ["prefix\tworkspace\tcreated\tlast_used\tstate"]
    for key, workspace in rows:
        lines.append(f"{key.prefix}\t{workspace}\t{isoformat(key.created_at)}\t"
                     f"{isoformat(key.last_used_at) or '-'}\t{key.state(now)}")
    return "\n".join(lines)


def command_revoke(dbsession, args):
    key = revoke_key(dbsession, args.prefix)
    print(f"revoked {key.prefix}", file=sys.stderr)
    return None


def command_rotate(dbsession, args):
    raw_key, old = rotate_key(dbsession, args.prefix, datetime.timedelta(hours=args.grace_hours))
    print(f"{old.prefix} keeps working until {isoformat(old.expires_at)}", file=sys.stderr)
    return raw_key


def command_ensure(dbsession, args):
    """For `scripts/serve`: the local development key survives restarts in a private file."""
    if os.path.exists(args.key_file):
        with open(args.key_file) as handle:
            kept = handle.read().strip()
        if find_active_key(dbsession, kept) is not None:
            return kept
    raw_key = command_create(dbsession, argparse.Namespace(workspace=args.workspace, test=False))
    descriptor = os.open(args.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(raw_key + "\n")
    return raw_key


COMMANDS = {"create": command_create, "list": command_list, "revoke": command_revoke,
            "rotate": command_rotate, "ensure": command_ensure}


def main(argv=None):
    args = parse_args(argv)
    settings = load_config(args.config_uri)
    try:
        with committed_session(settings) as dbsession:
            output = COMMANDS[args.command](dbsession, args)
    except KeyNotFound as exc:
        print(f"exaroutes-keys: {exc}", file=sys.stderr)
        return 1
    if output is not None:
        print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
