"""Reviewer accounts and roles: the users file, password checks, and what each role may do.

Accounts are optional. When a users file is configured (`WORKBENCH_USERS`, else
`users = "PATH"` in workbench.toml; a relative path there is relative to the
workspace folder), the UI asks for a name and password before any page, records the
signed-in account as the reviewer of every change, and lets each role do only
its part. Without one, the workbench stays in single-team mode: anyone who
reaches the page types a name and may do everything.

The users file is JSON, written by `workbench users ...`:

    {
      "version": 1,
      "users": {
        "lan": {"role": "approver", "password": "$argon2id$v=19$m=65536,t=3,p=4$..."},
        "minh": {"role": "reviewer", "password": "$argon2id$..."}
      }
    }

Passwords are stored only as salted argon2id hashes (argon2-cffi); the file is
written atomically with mode 0600.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import SignInFailed, UserFileError

USERS_ENV = "WORKBENCH_USERS"
FILE_VERSION = 1

#: What each role may do. Actions: edit (a segment's target), mark-translated, mark-reviewed,
#: approve (set approved or rejected, or change an approved segment), edit-glossary,
#: manage-documents (upload, translate, archive, cancel a translation). `workbench.authority` maps each
#: change onto these rights; `workbench.actions` asks it before every change.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "reviewer": frozenset({"edit", "mark-translated", "mark-reviewed"}),
    "approver": frozenset({"edit", "mark-translated", "mark-reviewed", "approve"}),
    "glossary-editor": frozenset({"edit-glossary"}),
    "admin": frozenset({"edit", "mark-translated", "mark-reviewed", "approve", "edit-glossary",
                        "manage-documents"}),
}
ROLES = tuple(ROLE_ACTIONS)
ACTIONS = frozenset().union(*ROLE_ACTIONS.values())
#: The action a segment status needs: setting a status, or changing a segment that has it.
STATUS_ACTIONS = {"new": "edit", "draft": "edit", "translated": "mark-translated",
                  "reviewed": "mark-reviewed", "approved": "approve", "rejected": "approve"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class Account:
    """One account of the users file (never holds the password itself)."""

    name: str
    role: str

    def can(self, action: str) -> bool:
        """Whether this account's role allows `action` (see ROLE_ACTIONS)."""
        return role_can(self.role, action)


def role_can(role: str, action: str) -> bool:
    """Whether `role` allows `action`; an unknown action is a programming error."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action '{action}' (known: {', '.join(sorted(ACTIONS))})")
    return action in ROLE_ACTIONS.get(role, frozenset())


def allowed_statuses(role: str, statuses: tuple[str, ...]) -> tuple[str, ...]:
    """The statuses of `statuses` that `role` may set."""
    return tuple(s for s in statuses if role_can(role, STATUS_ACTIONS.get(s, "approve")))


def may_save(role: str, current_status: str, new_status: str) -> bool:
    """Whether `role` may save a segment now in `current_status` with `new_status`.

    Changing an approved or rejected segment needs the right to approve, as does setting
    those statuses.
    """
    return (role_can(role, "edit") and role_can(role, STATUS_ACTIONS.get(new_status, "approve"))
            and (current_status not in ("approved", "rejected") or role_can(role, "approve")))


def users_file_path() -> Path | None:
    """The configured users file: WORKBENCH_USERS, else `users` in workbench.toml, else None."""
    from workbench.config import users_file_setting

    return users_file_setting()


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    """A salted argon2id hash of `password`, refusing passwords that are too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserFileError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher().hash(password)


def check_name(name: str) -> str:
    """The account name if valid (letters, digits, . _ @ -, at most 64), else UserFileError."""
    if not _NAME.match(name or ""):
        raise UserFileError(f"invalid account name {name!r}: use letters, digits and . _ @ - "
                            "(at most 64, starting with a letter or digit)")
    return name


def load_users(path: str | Path) -> dict[str, tuple[Account, str]]:
    """Read the users file: name -> (account, password hash). UserFileError names the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserFileError("the users file does not exist (create it with `python -m workbench users add`)",
                            path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserFileError(f"cannot read the users file ({getattr(exc, 'strerror', None) or exc})", path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserFileError(f"not valid JSON ({exc.msg})", path, exc.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
        raise UserFileError('expected a JSON object with a "users" object', path, 1)
    users: dict[str, tuple[Account, str]] = {}
    for name, entry in data["users"].items():
        line = _line_of(text, name)
        if not _NAME.match(name):
            raise UserFileError(f"invalid account name {name!r}", path, line)
        if not isinstance(entry, dict):
            raise UserFileError(f"account {name!r}: expected an object with role and password", path, line)
        role, hashed = entry.get("role"), entry.get("password")
        if role not in ROLE_ACTIONS:
            raise UserFileError(f"account {name!r}: unknown role {role!r} (one of {', '.join(ROLES)})",
                                path, line)
        if not isinstance(hashed, str) or not hashed.startswith("$argon2"):
            raise UserFileError(f"account {name!r}: the password must be an argon2 hash "
                                "(set it with `python -m workbench users passwd`)", path, line)
        users[name] = (Account(name, role), hashed)
    return users


def _line_of(text: str, name: str) -> int | None:
    index = text.find(json.dumps(name))
    return text.count("\n", 0, index) + 1 if index >= 0 else None


# A hash to verify against when the name is unknown, so that a wrong name and a wrong
# password take the same time (no probing for account names).
_DUMMY_HASH: list[str] = []


def authenticate(path: str | Path, name: str, password: str) -> Account:
    """The account if the name and password match; SignInFailed otherwise (same message either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    users = load_users(path)
    entry = users.get((name or "").strip())
    hasher = _hasher()
    if entry is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hasher.hash("not a password of anyone"))
        try:
            hasher.verify(_DUMMY_HASH[0], password or "")
        except VerificationError:
            pass
        raise SignInFailed("unknown account or wrong password")
    account, hashed = entry
    try:
        hasher.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        raise SignInFailed("unknown account or wrong password") from None
    return account


def _read_raw(path: Path) -> dict:
    if not path.exists():
        return {"version": FILE_VERSION, "users": {}}
    load_users(path)  # refuse to rewrite a broken file: it is reported with its line instead
    return json.loads(path.read_text(encoding="utf-8"))


def _write_raw(path: Path, data: dict) -> None:
    """Write the users file atomically (temporary file, fsync, rename), readable by its owner only."""
    from workbench.files import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", mode=0o600)


def add_account(path: str | Path, name: str, role: str, password: str) -> Account:
    """Create an account; refuse an existing name or an unknown role."""
    path = Path(path)
    check_name(name)
    if role not in ROLE_ACTIONS:
        raise UserFileError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    data = _read_raw(path)
    if name in data["users"]:
        raise UserFileError(f"account {name!r} exists already (change it with `users passwd` or `users role`)",
                            path)
    data["users"][name] = {"role": role, "password": hash_password(password)}
    _write_raw(path, data)
    return Account(name, role)


def change_account(path: str | Path, name: str, *, password: str | None = None,
                   role: str | None = None) -> Account:
    """Change an account's password and/or role."""
    path = Path(path)
    data = _read_raw(path)
    entry = data["users"].get(name)
    if entry is None:
        raise UserFileError(f"no account {name!r}", path)
    if role is not None:
        if role not in ROLE_ACTIONS:
            raise UserFileError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        entry["role"] = role
    if password is not None:
        entry["password"] = hash_password(password)
    _write_raw(path, data)
    return Account(name, entry["role"])


def remove_account(path: str | Path, name: str) -> None:
    """Delete an account (its name stays in the history of what it changed)."""
    path = Path(path)
    data = _read_raw(path)
    if name not in data["users"]:
        raise UserFileError(f"no account {name!r}", path)
    del data["users"][name]
    _write_raw(path, data)


def list_accounts(path: str | Path) -> list[Account]:
    """Every account of the users file, by name."""
    return [account for account, _ in sorted(load_users(path).values(), key=lambda item: item[0].name)]
