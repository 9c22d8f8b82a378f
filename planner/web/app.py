"""The web app: Starlette routes over the campaign store, the run queue and the CLI's functions.

Every page is rendered on the server from Jinja2 templates; a little plain JavaScript (vendored
in ``static/``) updates the progress bar and adds rows to the teams table. Nothing is loaded
from the internet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import (
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import HTTPExceptionHandler, Lifespan

from planner.i18n import LANGS, fmt_number, format_date, label
from planner.web.actuals_pages import ActualsPages
from planner.web.auth_pages import AuthPages
from planner.web.campaign_pages import CampaignPages
from planner.web.campaigns import CampaignError, Store
from planner.web.jobs import RunQueue, recover
from planner.web.pages import LANG_COOKIE, error_page
from planner.web.run_pages import RunPages
from planner.web.security import (
    COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    Guard,
    Session,
    host_allowed,
    load_secret,
)

HERE = Path(__file__).resolve().parent
_PUBLIC = ("/healthz", "/login", "/static/", "/lang/")


def _todate(value: Any) -> dt.date | None:
    """An ISO date of a status file as a date (``None`` when it is not one)."""
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


class Web:
    """The app's state: data folder, login, run queue, templates and limits."""

    def __init__(
        self,
        data: Path,
        password: str | None = None,
        max_upload_mb: float = 100.0,
        demo: Path | None = None,
        runs: RunQueue | None = None,
        host: str | None = None,
        port: int | None = None,
    ) -> None:
        from planner.cli import DEMO_SCENARIO
        from planner.web.security import is_loopback

        self.store = Store(data)
        self.guard = Guard(password, load_secret(self.store.root))
        #: Only answer requests addressed to this computer (``None``: any host).
        self.local_only = host is not None and is_loopback(host)
        self.port = port
        self.max_upload = int(max_upload_mb * 1024 * 1024)
        self.demo = demo or DEMO_SCENARIO
        self.runs = runs or RunQueue()
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=jinja2.select_autoescape(("html",)),
            undefined=jinja2.StrictUndefined,
        )
        env.filters["todate"] = _todate
        self.templates = Jinja2Templates(env=env)

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def lang(request: Request) -> str:
        """The page language: the cookie's, Vietnamese by default."""
        value = request.cookies.get(LANG_COOKIE, "vi")
        return value if value in LANGS else "vi"

    @staticmethod
    def session(request: Request) -> Session:
        """The request's session (set by the middleware)."""
        session: Session = request.state.session
        return session

    def page(self, request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        """Render a template with the language, the form token and the text catalogue."""
        lang = self.lang(request)
        session = self.session(request)

        def t(key: str, **params: Any) -> str:
            return label(f"web.{key}", lang, **params)

        context.update(
            lang=lang,
            t=t,
            csrf=self.guard.csrf_token(session),
            csrf_field=CSRF_FIELD,
            needs_login=self.guard.needs_login,
            logged_in=session.authed,
            here=request.url.path,
            fmt=lambda x, digits=0: fmt_number(x, lang, digits),
            fdate=lambda d: format_date(d, lang),
        )
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    async def form(self, request: Request) -> FormData:
        """The posted form, once its size and its cross-site token are checked."""
        lang = self.lang(request)
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise HTTPException(411, label("web.err_length", lang))
        if int(length) > self.max_upload:
            raise HTTPException(
                413, label("web.err_too_large", lang, mb=f"{self.max_upload / 2**20:g}")
            )
        form = await request.form(max_files=8, max_fields=4000, max_part_size=1024 * 1024)
        token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        if not self.guard.csrf_ok(self.session(request), str(token or "")):
            raise HTTPException(403, label("web.err_csrf", lang))
        return form

    async def upload(self, request: Request, item: Any) -> tuple[str, bytes] | None:
        """An uploaded file's name and bytes, or ``None`` if no file was chosen."""
        if not isinstance(item, UploadFile) or not item.filename:
            return None
        content = await item.read()
        if len(content) > self.max_upload:
            raise HTTPException(
                413,
                label("web.err_too_large", self.lang(request), mb=f"{self.max_upload / 2**20:g}"),
            )
        if not content:
            raise CampaignError(f"{item.filename}: the file is empty")
        return item.filename, content


# ---------------------------------------------------------------------- middleware


class SessionMiddleware(BaseHTTPMiddleware):
    """Sessions, the login wall and a few protective headers."""

    def __init__(self, app: Any, web: Web) -> None:
        super().__init__(app)
        self.web = web

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Check the Host, load the session, ask for the login, add the headers."""
        if self.web.local_only and not host_allowed(request.headers.get("host"), self.web.port):
            # another name resolving to this computer (DNS rebinding): never answered
            return PlainTextResponse(label("web.err_host", Web.lang(request)), status_code=400)
        guard = self.web.guard
        session = guard.read(request.cookies.get(COOKIE))
        fresh = session is None
        if session is None:
            session = guard.new_session()
        request.state.session = session
        request.state.new_session = None
        path = request.url.path
        response: Response
        if not session.authed and not path.startswith(_PUBLIC):
            if request.method in ("GET", "HEAD"):
                response = RedirectResponse(f"/login?next={quote(path)}", status_code=303)
            else:
                lang = Web.lang(request)
                response = PlainTextResponse(label("web.err_login", lang), status_code=401)
        else:
            response = await call_next(request)
        new: Session | None = request.state.new_session
        if new is not None or fresh:
            response.set_cookie(
                COOKIE,
                guard.cookie(new or session),
                httponly=True,
                samesite="strict",
                path="/",
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response


# ---------------------------------------------------------------------- the app


def _routes(
    auth: AuthPages, campaigns: CampaignPages, runs: RunPages, actuals: ActualsPages
) -> list[BaseRoute]:
    """The app's URL table: every page of the page classes, and the static files."""
    return [
        Route("/healthz", auth.healthz),
        Route("/lang/{lang}", auth.set_lang),
        Route("/login", auth.login_get, methods=["GET"]),
        Route("/login", auth.login_post, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/", campaigns.home),
        Route("/campaigns/demo", campaigns.from_demo, methods=["POST"]),
        Route("/campaigns/new", campaigns.new_campaign, methods=["POST"]),
        Route("/staged/{token}", campaigns.staged),
        Route("/staged/{token}/apply", campaigns.staged_apply, methods=["POST"]),
        Route("/staged/{token}/discard", campaigns.staged_discard, methods=["POST"]),
        Route("/c/{cid}", campaigns.campaign),
        Route("/c/{cid}/edit", campaigns.edit_get, methods=["GET"]),
        Route("/c/{cid}/edit", campaigns.edit_post, methods=["POST"]),
        Route("/c/{cid}/validate", campaigns.validate_page),
        Route("/c/{cid}/upload", campaigns.upload_input, methods=["POST"]),
        Route("/c/{cid}/scenario", campaigns.upload_scenario, methods=["POST"]),
        Route("/c/{cid}/scenario.yaml", campaigns.scenario_yaml),
        Route("/c/{cid}/remove/{kind}", campaigns.remove_input, methods=["POST"]),
        Route("/c/{cid}/runs", runs.start_run, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}", runs.run_page),
        Route("/c/{cid}/runs/{rid}/status", runs.run_status),
        Route("/c/{cid}/runs/{rid}/cancel", runs.cancel_run, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/variant", runs.variant, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/actuals", actuals.actuals_upload, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/actuals/table", actuals.actuals_table, methods=["GET"]),
        Route("/c/{cid}/runs/{rid}/actuals/table", actuals.actuals_table_post, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/actuals/{token}", actuals.actuals_get, methods=["GET"]),
        Route(
            "/c/{cid}/runs/{rid}/actuals/{token}/discard", actuals.actuals_discard, methods=["POST"]
        ),
        Route("/c/{cid}/runs/{rid}/actuals/{token}/replan", actuals.replan_start, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/all.zip", runs.run_zip),
        Route("/c/{cid}/runs/{rid}/files/{path:path}", runs.run_file),
        Route("/c/{cid}/compare/{a}/{b}", runs.compare_page),
        Route("/c/{cid}/compare/{a}/{b}/report.html", runs.compare_report),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]


def _http_error_handler(web: Web) -> HTTPExceptionHandler:
    """The handler of HTTP errors: the error page, or plain text before a session exists."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if not hasattr(request.state, "session"):
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
        return error_page(web, request, exc.status_code, Exception(exc.detail))

    return http_error


def _lifespan(web: Web) -> Lifespan[Starlette]:
    """Start-up and shut-down: recover interrupted runs, clean staging, run the queue."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = web.store
        runs = [run for cid, _ in store.campaigns() for run in _run_dirs(store, cid)]
        recover(runs)
        store.cleanup_staging()
        web.runs.start()
        yield
        await run_in_threadpool(web.runs.shutdown)

    return lifespan


def create_app(
    data: Path,
    password: str | None = None,
    max_upload_mb: float = 100.0,
    demo: Path | None = None,
    lang: str = "vi",
    host: str | None = None,
    port: int | None = None,
) -> Starlette:
    """Build the web app over the campaigns in ``data``.

    Parameters
    ----------
    data
        Folder of the campaigns (created if needed); one sub-folder per campaign.
    password
        When given, every page and download needs the login.
    max_upload_mb
        Largest request (an upload) accepted, in MiB.
    demo
        The demo scenario (default: the one ``planner demo`` plans).
    lang
        Language of the outputs a run writes when the page does not say.
    host, port
        The address served. On ``127.0.0.1``, ``localhost`` or ``::1`` only requests whose
        ``Host`` header names this computer (with ``port``, when it has one) are answered; on
        any other address (which needs the password), or when ``host`` is not given, any.
    """
    web = Web(data, password, max_upload_mb, demo, RunQueue(lang=lang), host, port)
    app = Starlette(
        routes=_routes(AuthPages(web), CampaignPages(web), RunPages(web), ActualsPages(web)),
        middleware=[Middleware(SessionMiddleware, web=web)],
        exception_handlers={HTTPException: _http_error_handler(web)},
        lifespan=_lifespan(web),
    )
    app.state.web = web
    return app


def _run_dirs(store: Store, cid: str) -> list[Path]:
    folder = store.campaign_dir(cid) / "runs"
    return [folder / rid for rid, _ in store.runs(cid)]
