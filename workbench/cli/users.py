"""`users`: create, change, remove and list the reviewer accounts of the users file.

    python -m workbench users add NAME --role reviewer|approver|glossary-editor|admin
    python -m workbench users passwd NAME
    python -m workbench users role NAME --role ROLE
    python -m workbench users remove NAME
    python -m workbench users list

The file is the one the UI uses (`WORKBENCH_USERS`, else `users` in
workbench.toml), or `--file PATH`. A new password, a new role or a removal ends
the account's open sign-in sessions at its next action: each session remembers
the role and password it was granted under (`workbench.review.sessions`). Passwords are asked twice with getpass;
`--password-stdin` reads one line from standard input instead (for scripts).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from workbench.errors import UsageError, WorkbenchError


def register(subparsers) -> None:
    """Add `users` and its actions to the main parser's subcommands."""
    from workbench.accounts import ROLES

    users = subparsers.add_parser(
        "users", help="manage reviewer accounts (sign-in and roles in the UI)",
        description="Manage the accounts of the users file. With a users file configured, the UI asks "
                    "to sign in and limits each role; without one it stays in single-team mode.")
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    def with_file(parser):
        parser.add_argument("--file", metavar="PATH",
                            help="users file (default: WORKBENCH_USERS, else `users` in workbench.toml)")
        return parser

    add = with_file(actions.add_parser("add", help="create an account (asks for its password)"))
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=run_users_add)

    passwd = with_file(actions.add_parser("passwd", help="set a new password for an account"))
    passwd.add_argument("name", metavar="NAME")
    passwd.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input")
    passwd.set_defaults(func=run_users_passwd)

    role = with_file(actions.add_parser("role", help="change an account's role"))
    role.add_argument("name", metavar="NAME")
    role.add_argument("--role", required=True, choices=ROLES)
    role.set_defaults(func=run_users_role)

    remove = with_file(actions.add_parser("remove", help="delete an account"))
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(func=run_users_remove)

    listing = with_file(actions.add_parser("list", help="show every account and its role"))
    listing.set_defaults(func=run_users_list)


def _users_file(args) -> Path:
    from workbench.accounts import USERS_ENV, users_file_path

    path = Path(args.file) if args.file else users_file_path()
    if path is None:
        raise UsageError(f"no users file configured: give --file PATH, set {USERS_ENV}, or put "
                         'users = "PATH" in workbench.toml')
    return path


def _password(args) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password again: ")
        except EOFError:
            raise UsageError("no password given (no terminal: use --password-stdin)") from None
        if password != again:
            raise WorkbenchError("the two passwords differ; nothing was changed")
    if not password:
        raise UsageError("an empty password is not allowed")
    return password


def run_users_add(args) -> int:
    """`users add`: create an account."""
    from workbench.accounts import add_account, check_name

    path = _users_file(args)
    check_name(args.name)  # before asking for a password
    account = add_account(path, args.name, args.role, _password(args))
    print(f"added {account.name} ({account.role}) to {path}")
    return 0


def run_users_passwd(args) -> int:
    """`users passwd`: set a new password."""
    from workbench.accounts import change_account, load_users

    path = _users_file(args)
    if args.name not in load_users(path):
        raise WorkbenchError(f"{path}: no account {args.name!r}")
    change_account(path, args.name, password=_password(args))
    print(f"changed the password of {args.name} in {path}; its open sign-in sessions have ended")
    return 0


def run_users_role(args) -> int:
    """`users role`: change an account's role."""
    from workbench.accounts import change_account

    path = _users_file(args)
    account = change_account(path, args.name, role=args.role)
    print(f"{account.name} is now {account.role} in {path}; its open sign-in sessions have ended")
    return 0


def run_users_remove(args) -> int:
    """`users remove`: delete an account."""
    from workbench.accounts import remove_account

    path = _users_file(args)
    remove_account(path, args.name)
    print(f"removed {args.name} from {path}; its open sign-in sessions have ended")
    return 0


def run_users_list(args) -> int:
    """`users list`: accounts and roles (never the hashes)."""
    from workbench.accounts import list_accounts

    path = _users_file(args)
    accounts = list_accounts(path)
    if not accounts:
        print(f"{path}: no accounts")
    for account in accounts:
        print(f"{account.name}\t{account.role}")
    return 0
