"""Pages of the login and the language switch, and the health check."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    RedirectResponse,
    Response,
)

from planner.i18n import LANGS, label
from planner.web.pages import (
    LANG_COOKIE,
    Pages,
    handler,
    local_path,
    log,
)
from planner.web.security import Session


class AuthPages(Pages):
    """The login, the language switch and the health check."""

    async def healthz(self, request: Request) -> Response:
        """``GET /healthz``: the app answers."""
        return JSONResponse({"status": "ok"})

    async def set_lang(self, request: Request) -> Response:
        """``GET /lang/{lang}``: switch the page language (a cookie) and go back."""
        value = request.path_params["lang"]
        response = RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
        if value in LANGS:
            response.set_cookie(LANG_COOKIE, value, samesite="strict", max_age=365 * 86400)
        return response

    async def login_get(self, request: Request) -> Response:
        """``GET /login``: the login form."""
        return self.web.page(
            request, "login.html", next=local_path(request.query_params.get("next"))
        )

    def locked_out(self, request: Request, target: str, seconds: float) -> Response:
        """The login form saying how long an address must wait after wrong passwords."""
        minutes = max(1, math.ceil(seconds / 60))
        locked = label("web.login_locked", self.web.lang(request), n=minutes)
        response = self.web.page(request, "login.html", status_code=429, next=target, locked=locked)
        response.headers["Retry-After"] = str(math.ceil(seconds))
        return response

    @handler
    async def login_post(self, request: Request) -> Response:
        """``POST /login``: check the password (with the lockout) and log in."""
        form = await self.web.form(request)
        target = local_path(str(form.get("next", "/")))
        client = request.client.host if request.client else "?"
        limiter = self.web.guard.limiter
        wait_for = limiter.wait_seconds(client)
        if wait_for > 0:
            return self.locked_out(request, target, wait_for)
        if not self.web.guard.check_password(str(form.get("password", ""))):
            lockout = limiter.failed(client)
            locked = ""
            if lockout > 0:
                log.warning("login: too many wrong passwords from %s; locked out", client)
                minutes = max(1, math.ceil(lockout / 60))
                locked = label("web.login_locked", self.web.lang(request), n=minutes)
            return self.web.page(request, "login.html", status_code=401, next=target, failed=True,
                            locked=locked)  # fmt: skip
        limiter.succeeded(client)
        session = Session(self.web.session(request).sid, authed=True)
        request.state.new_session = session
        return RedirectResponse(target, status_code=303)

    @handler
    async def logout(self, request: Request) -> Response:
        """``POST /logout``: end the session."""
        await self.web.form(request)
        request.state.new_session = self.web.guard.new_session()
        return RedirectResponse("/login", status_code=303)
