"""Sessions, login and protection against cross-site requests, with the standard library only.

A session is a random id in a cookie signed with a secret kept in the data folder
(``.session-secret``, readable by its owner only, made on the first start), so sessions survive
a restart of the server. The signing key also depends on the password: changing it logs
everyone out. The cookie says whether the session has logged in. Every form carries a token
derived from the session id; a POST without the right token is refused, so another site cannot
make the officer's browser change a campaign.

Two more guards stand in front of the pages:

* wrong passwords are counted by client address; after :data:`MAX_FAILURES` within
  :data:`FAILURE_WINDOW` seconds, that address may not try again for :data:`LOCKOUT_SECONDS`
  (:class:`LoginLimiter`);
* a server listening on this computer only answers requests addressed to ``localhost``,
  ``127.0.0.1`` or ``[::1]`` (:func:`host_allowed`), so a web page whose domain is made to
  resolve to 127.0.0.1 (DNS rebinding) cannot read the app through the officer's browser.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

COOKIE = "planner_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SECRET_FILE = ".session-secret"

#: Wrong passwords from one address within the window that lock it out, and for how long.
MAX_FAILURES = 5
FAILURE_WINDOW = 5 * 60.0
LOCKOUT_SECONDS = 5 * 60.0
#: Addresses remembered at most (the oldest are forgotten first), so memory stays bounded.
MAX_CLIENTS = 10_000

#: Host names a server bound to this computer only answers to.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


@dataclass(frozen=True)
class Session:
    """One browser's session: its id and whether it has logged in."""

    sid: str
    authed: bool


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this computer only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


def load_secret(folder: Path) -> bytes:
    """The signing secret kept in ``folder``; made (mode 0600) when there is none yet.

    Two servers starting together on the same folder get the same secret: the file is created
    exclusively, and the one that finds it already there reads it.
    """
    path = Path(folder) / SECRET_FILE
    for _ in range(50):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            text = path.read_text(encoding="ascii").strip()
            if len(text) >= 64:
                with contextlib.suppress(OSError):
                    if path.stat().st_mode & 0o077:
                        path.chmod(0o600)
                return bytes.fromhex(text[:64])
            time.sleep(0.02)  # another server is writing it right now
            continue
        value = secrets.token_bytes(32)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(value.hex() + "\n")
        return value
    raise OSError(f"{path}: the session secret is empty or broken; delete the file and restart")


class LoginLimiter:
    """Counts wrong passwords per client address and locks out an address that has too many."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._locked: dict[str, float] = {}  # address -> end of its lockout
        self._lock = threading.Lock()

    def wait_seconds(self, client: str) -> float:
        """Seconds ``client`` must still wait before trying a password (0: it may try now)."""
        with self._lock:
            until = self._locked.get(client)
            if until is None:
                return 0.0
            left = until - self.clock()
            if left <= 0:
                del self._locked[client]
                self._failures.pop(client, None)
                return 0.0
            return left

    def failed(self, client: str) -> float:
        """Count a wrong password; return the lockout it starts (0: none)."""
        with self._lock:
            now = self.clock()
            times = self._failures.pop(client, deque())
            self._failures[client] = times  # most recent last, for forgetting the oldest
            times.append(now)
            while times and now - times[0] > FAILURE_WINDOW:
                times.popleft()
            while len(self._failures) > MAX_CLIENTS:
                oldest = next(iter(self._failures))
                del self._failures[oldest]
                self._locked.pop(oldest, None)
            if len(times) >= MAX_FAILURES:
                self._locked[client] = now + LOCKOUT_SECONDS
                return LOCKOUT_SECONDS
            return 0.0

    def succeeded(self, client: str) -> None:
        """Forget the wrong passwords of ``client`` after a right one."""
        with self._lock:
            self._failures.pop(client, None)


def host_allowed(host_header: str | None, port: int | None) -> bool:
    """Whether a request's ``Host`` header names this computer (and the port served, if any)."""
    value = (host_header or "").strip().lower()
    if value.startswith("["):
        name, _, rest = value.partition("]")
        name += "]"
        given = rest[1:] if rest.startswith(":") else None
        if rest and given is None:
            return False
    else:
        name, sep, given_port = value.partition(":")
        given = given_port if sep else None
    if name not in LOCAL_HOSTS:
        return False
    if given is None:
        return True
    return given.isdigit() and (port is None or int(given) == port)


class Guard:
    """Signs session cookies, checks the password and makes the form tokens."""

    def __init__(self, password: str | None, secret: bytes | None = None) -> None:
        self._password = password or None
        base = secret if secret is not None else secrets.token_bytes(32)
        # the key depends on the password: a new password ends every session
        self._secret = hashlib.sha256(base + (self._password or "").encode()).digest()
        self.limiter = LoginLimiter()

    @property
    def needs_login(self) -> bool:
        """Whether a password was set."""
        return self._password is not None

    def _sign(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()

    def new_session(self) -> Session:
        """A fresh session (already logged in when no password is set)."""
        return Session(secrets.token_urlsafe(18), authed=not self.needs_login)

    def cookie(self, session: Session) -> str:
        """The signed cookie value of a session."""
        body = f"{session.sid}.{int(session.authed)}"
        return f"{body}.{self._sign(body)}"

    def read(self, value: str | None) -> Session | None:
        """The session in a cookie, or ``None`` when it is missing, forged or stale."""
        if not value or value.count(".") != 2:
            return None
        sid, authed, sig = value.split(".")
        if not hmac.compare_digest(sig, self._sign(f"{sid}.{authed}")):
            return None
        return Session(sid, authed=authed == "1" or not self.needs_login)

    def check_password(self, given: str) -> bool:
        """Whether ``given`` is the password (constant-time)."""
        if self._password is None:
            return True
        return hmac.compare_digest(given.encode(), self._password.encode())

    def csrf_token(self, session: Session) -> str:
        """The form token of a session."""
        return self._sign(f"csrf:{session.sid}")

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        """Whether a submitted form token belongs to the session."""
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token(session))
