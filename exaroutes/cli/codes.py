"""`exaroutes-codes lock|unlock CONFIG ID`: the operator's compliance lock on a code.

A locked code keeps scanning as before, but the API answers 409 to every change (its `secure` lists
"compliance"); only the dashboard, with a written reason, or `unlock` can change that.
"""
import argparse
import sys

from exaroutes.cli.common import load_config, committed_session
from exaroutes.protections.locks import CodeNotFound, lock_code, unlock_code


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="exaroutes-codes", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    lock = commands.add_parser("lock", help="compliance-lock a code: the API can no longer change it")
    lock.add_argument("config_uri")
    lock.add_argument("id", help="the code's id (shortId)")
    lock.add_argument("--reason", help="why, kept with the lock for the audit trail")
    unlock = commands.add_parser("unlock", help="lift the compliance lock")
    unlock.add_argument("config_uri")
    unlock.add_argument("id", help="the code's id (shortId)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    settings = load_config(args.config_uri)
    try:
        with committed_session(settings) as dbsession:
            if args.command == "lock":
                code = lock_code(dbsession, args.id, args.reason)
            else:
                code = unlock_code(dbsession, args.id)
            secure = ", ".join(code.protections) or "none"
    except CodeNotFound as exc:
        print(f"exaroutes-codes: {exc}", file=sys.stderr)
        return 1
    print(f"{args.command}ed {args.id}; protections now: {secure}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
