"""Sessions, login and protection against cross-site requests, with the standard library only.

A session is a random id in a cookie signed with a secret made when the server starts (so a
restart logs everyone out). The cookie also says whether the session has logged in. Every
form carries a token derived from the session id; a POST without the right token is refused,
so another site cannot make the officer's browser change a campaign.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

COOKIE = "planner_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Session:
    """One browser's session: its id and whether it has logged in."""

    sid: str
    authed: bool


class Guard:
    """Signs session cookies, checks the password and makes the form tokens."""

    def __init__(self, password: str | None) -> None:
        self._password = password or None
        self._secret = secrets.token_bytes(32)

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
