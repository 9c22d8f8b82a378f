"""What every page of the web app shares: the page classes' base, errors as pages, limits."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from planner.errors import InputError
from planner.web.campaigns import CampaignError

if TYPE_CHECKING:
    from planner.web.app import Web

#: The web app's logger (one for all its pages).
log = logging.getLogger("planner.web.app")

LANG_COOKIE = "planner_lang"
#: Largest actuals file accepted, in bytes (a campaign's form is a few hundred KB).
ACTUALS_MAX = 5 * 1024 * 1024


def local_path(target: str | None) -> str:
    """``target`` if it is a path on this site, else ``/`` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def error_page(web: Web, request: Request, code: int, exc: Exception) -> Response:
    """The error page with ``exc``'s message, line by line."""
    return web.page(
        request, "error.html", status_code=code, message=str(exc).splitlines(), code=code
    )


class Pages:
    """A group of pages over the app's state; each page is a method taking the request."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.store = web.store


P = TypeVar("P", bound=Pages)
Page = Callable[[P, Request], Awaitable[Response]]


def handler(fn: Page[P]) -> Page[P]:
    """A page that shows a refused campaign action or bad input as an error page.

    A campaign or run that does not exist is a 404, any other refusal a 400.
    """

    async def wrapped(self: P, request: Request) -> Response:
        try:
            return await fn(self, request)
        except CampaignError as exc:
            code = 404 if str(exc).startswith(("no campaign", "no run")) else 400
            return error_page(self.web, request, code, exc)
        except InputError as exc:
            return error_page(self.web, request, 400, exc)

    return wrapped
