"""The web app: Starlette routes over the campaign store, the run queue and the CLI's functions.

Every page is rendered on the server from Jinja2 templates; a little plain JavaScript (vendored
in ``static/``) updates the progress bar and adds rows to the teams table. Nothing is loaded
from the internet.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
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
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from planner.errors import InputError
from planner.i18n import LANGS, fmt_number, format_date, label
from planner.web.campaigns import SCENARIO, CampaignError, Store, read_status
from planner.web.jobs import RunQueue, recover
from planner.web.results import MEDIA_TYPES, VARIANTS, plan_file, plan_zip, sheet_grid
from planner.web.security import (
    COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    Guard,
    Session,
    host_allowed,
    load_secret,
)

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "planner_lang"
_PUBLIC = ("/healthz", "/login", "/static/", "/lang/")
#: Largest actuals file accepted, in bytes (a campaign's form is a few hundred KB).
ACTUALS_MAX = 5 * 1024 * 1024


def _local(target: str | None) -> str:
    """``target`` if it is a path on this site, else ``/`` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


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
    store = web.store

    def handler(
        fn: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                return await fn(request)
            except CampaignError as exc:
                code = 404 if str(exc).startswith(("no campaign", "no run")) else 400
                return error_page(request, code, exc)
            except InputError as exc:
                return error_page(request, 400, exc)

        return wrapped

    def error_page(request: Request, code: int, exc: Exception) -> Response:
        return web.page(
            request, "error.html", status_code=code, message=str(exc).splitlines(), code=code
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if not hasattr(request.state, "session"):
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
        return error_page(request, exc.status_code, Exception(exc.detail))

    # -------------------------------------------------------------- basics

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def set_lang(request: Request) -> Response:
        value = request.path_params["lang"]
        response = RedirectResponse(_local(request.query_params.get("next")), status_code=303)
        if value in LANGS:
            response.set_cookie(LANG_COOKIE, value, samesite="strict", max_age=365 * 86400)
        return response

    async def login_get(request: Request) -> Response:
        return web.page(request, "login.html", next=_local(request.query_params.get("next")))

    def locked_out(request: Request, target: str, seconds: float) -> Response:
        minutes = max(1, math.ceil(seconds / 60))
        locked = label("web.login_locked", web.lang(request), n=minutes)
        response = web.page(request, "login.html", status_code=429, next=target, locked=locked)
        response.headers["Retry-After"] = str(math.ceil(seconds))
        return response

    @handler
    async def login_post(request: Request) -> Response:
        form = await web.form(request)
        target = _local(str(form.get("next", "/")))
        client = request.client.host if request.client else "?"
        limiter = web.guard.limiter
        wait_for = limiter.wait_seconds(client)
        if wait_for > 0:
            return locked_out(request, target, wait_for)
        if not web.guard.check_password(str(form.get("password", ""))):
            lockout = limiter.failed(client)
            locked = ""
            if lockout > 0:
                log.warning("login: too many wrong passwords from %s; locked out", client)
                minutes = max(1, math.ceil(lockout / 60))
                locked = label("web.login_locked", web.lang(request), n=minutes)
            return web.page(request, "login.html", status_code=401, next=target, failed=True,
                            locked=locked)  # fmt: skip
        limiter.succeeded(client)
        session = Session(web.session(request).sid, authed=True)
        request.state.new_session = session
        return RedirectResponse(target, status_code=303)

    @handler
    async def logout(request: Request) -> Response:
        await web.form(request)
        request.state.new_session = web.guard.new_session()
        return RedirectResponse("/login", status_code=303)

    # -------------------------------------------------------------- campaigns

    async def home(request: Request) -> Response:
        today = dt.date.today()
        return web.page(
            request,
            "home.html",
            campaigns=store.campaigns(),
            start=(today + dt.timedelta(days=7)).isoformat(),
        )

    @handler
    async def from_demo(request: Request) -> Response:
        await web.form(request)
        cid = await run_in_threadpool(store.create_from_demo, web.demo)
        return RedirectResponse(f"/c/{cid}", status_code=303)

    @handler
    async def new_campaign(request: Request) -> Response:
        form = await web.form(request)
        files = {}
        for kind in ("communes", "boundary", "stats", "households", "roads"):
            item = await web.upload(request, form.get(kind))
            if item is not None:
                files[kind] = item
        try:
            start = dt.date.fromisoformat(str(form.get("start", "")))
            days = int(str(form.get("days", "14")))
            teams = int(str(form.get("teams", "2")))
        except ValueError as exc:
            raise CampaignError(f"start, days, teams: {exc}") from None
        token, _ = await run_in_threadpool(
            store.stage_new,
            str(form.get("name", "")),
            files,
            str(form.get("base", "")) or None,
            start,
            min(max(days, 1), 366),
            min(max(teams, 1), 60),
            web.lang(request),
        )
        return RedirectResponse(f"/staged/{token}", status_code=303)

    @handler
    async def campaign(request: Request) -> Response:
        cid = request.path_params["cid"]
        spec = await run_in_threadpool(store.scenario, cid)
        from planner.web.forms import month_grids

        return web.page(
            request,
            "campaign.html",
            cid=cid,
            spec=spec,
            inputs=store.inputs(cid),
            runs=store.runs(cid),
            months=month_grids(spec),
            kinds=("communes", "boundary", "stats", "households", "roads"),
            optional=("boundary", "stats", "households", "roads"),
        )

    @handler
    async def edit_get(request: Request) -> Response:
        from planner.web.forms import form_values

        cid = request.path_params["cid"]
        spec = await run_in_threadpool(store.scenario, cid)
        return web.page(request, "edit.html", cid=cid, v=form_values(spec), errors=[])

    @handler
    async def edit_post(request: Request) -> Response:
        from planner.web.forms import apply_form

        cid = request.path_params["cid"]
        form = await web.form(request)
        values: dict[str, Any] = {k: form.get(k) for k in form if not k.startswith("team_")}
        for key in ("id", "name", "members", "stations", "base", "cap", "rest", "off", "area"):
            values[f"team_{key}"] = form.getlist(f"team_{key}")
        data = apply_form(store.scenario_dict(cid), values)
        try:
            await run_in_threadpool(store.save_scenario, cid, data)
        except InputError as exc:
            teams = [
                {k: (values[f"team_{k}"][i] if i < len(values[f"team_{k}"]) else "")
                 for k in ("id", "name", "members", "stations", "base", "cap", "rest", "off",
                           "area")}
                for i in range(len(values["team_id"]))
                if str(values["team_id"][i]).strip()
            ]  # fmt: skip
            shown: dict[str, Any] = {**{k: str(v or "") for k, v in values.items()}, "teams": teams}
            for flag in ("work_evenings", "work_weekends", "work_holidays"):
                shown[flag] = bool(values.get(flag))
            lines = str(exc).splitlines()
            return web.page(request, "edit.html", status_code=400, cid=cid, v=shown, errors=lines)
        return RedirectResponse(f"/c/{cid}?saved=1", status_code=303)

    @handler
    async def validate_page(request: Request) -> Response:
        from planner.web.campaigns import validate_file

        cid = request.path_params["cid"]
        folder = store.campaign_dir(cid)
        check = await run_in_threadpool(validate_file, folder / SCENARIO, web.lang(request))
        return web.page(request, "report.html", cid=cid, check=check, token=None, meta={})

    @handler
    async def upload_input(request: Request) -> Response:
        cid = request.path_params["cid"]
        form = await web.form(request)
        kind = str(form.get("kind", ""))
        item = await web.upload(request, form.get("file"))
        if item is None:
            raise CampaignError(label("web.err_no_file", web.lang(request)))
        token, _ = await run_in_threadpool(
            store.stage_upload, cid, kind, item[0], item[1], web.lang(request)
        )
        return RedirectResponse(f"/staged/{token}", status_code=303)

    @handler
    async def upload_scenario(request: Request) -> Response:
        cid = request.path_params["cid"]
        form = await web.form(request)
        item = await web.upload(request, form.get("file"))
        if item is None:
            raise CampaignError(label("web.err_no_file", web.lang(request)))
        token, _ = await run_in_threadpool(store.stage_scenario, cid, item[1], web.lang(request))
        return RedirectResponse(f"/staged/{token}", status_code=303)

    @handler
    async def remove_input(request: Request) -> Response:
        cid = request.path_params["cid"]
        await web.form(request)
        await run_in_threadpool(store.remove_input, cid, request.path_params["kind"])
        return RedirectResponse(f"/c/{cid}", status_code=303)

    @handler
    async def staged(request: Request) -> Response:
        token = request.path_params["token"]
        meta = store.staged(token)
        if meta.get("kind") == "actuals":
            raise CampaignError("this upload is an actuals file; open it from its run's page")
        from planner.web.campaigns import Check

        check = Check(ok=bool(meta["ok"]), text=str(meta["report"]))
        status = 200 if check.ok else 422
        cid = meta.get("campaign")
        return web.page(
            request, "report.html", status_code=status, cid=cid, check=check, token=token,
            meta=meta,
        )  # fmt: skip

    @handler
    async def staged_apply(request: Request) -> Response:
        await web.form(request)
        cid = await run_in_threadpool(store.apply, request.path_params["token"])
        return RedirectResponse(f"/c/{cid}?saved=1", status_code=303)

    @handler
    async def staged_discard(request: Request) -> Response:
        await web.form(request)
        cid = store.discard(request.path_params["token"])
        return RedirectResponse(f"/c/{cid}" if cid else "/", status_code=303)

    @handler
    async def scenario_yaml(request: Request) -> Response:
        cid = request.path_params["cid"]
        path = store.campaign_dir(cid) / SCENARIO
        return FileResponse(
            path,
            media_type="application/x-yaml; charset=utf-8",
            filename=f"{cid}.yaml",
        )

    # -------------------------------------------------------------- runs

    def _time_limit(value: Any) -> float | None:
        text = str(value or "").strip().replace(",", ".")
        if not text:
            return None
        try:
            seconds = float(text)
        except ValueError:
            raise CampaignError(f"time limit: {text!r} is not a number of seconds") from None
        if not 0.5 <= seconds <= 24 * 3600:
            raise CampaignError("time limit: give between 0.5 and 86400 seconds")
        return seconds

    def _effort(value: Any) -> str | None:
        from planner.solve import EFFORTS

        text = str(value or "").strip()
        if not text:
            return None
        if text not in EFFORTS:
            raise CampaignError(f"effort: {text!r} is not one of {', '.join(EFFORTS)}")
        return text

    @handler
    async def start_run(request: Request) -> Response:
        cid = request.path_params["cid"]
        form = await web.form(request)
        limit = _time_limit(form.get("time_limit"))
        effort = _effort(form.get("effort"))
        rid, run = await run_in_threadpool(
            store.new_run, cid, None, time_limit=limit, effort=effort, lang=web.lang(request)
        )
        web.runs.submit(run)
        return RedirectResponse(f"/c/{cid}/runs/{rid}", status_code=303)

    @handler
    async def run_page(request: Request) -> Response:
        cid, rid = request.path_params["cid"], request.path_params["rid"]
        run = store.run_dir(cid, rid)
        status = read_status(run)
        context: dict[str, Any] = {"cid": cid, "rid": rid, "status": status}
        if status.get("state") == "done":
            from planner.outputs import read_plan
            from planner.web.actuals import route_days

            plan = await run_in_threadpool(read_plan, run / "plan")
            context.update(plan=plan, grid=sheet_grid(plan), table_days=route_days(plan))
            if status.get("kind") == "replan":
                try:
                    summary = json.loads((run / "plan" / "summary.json").read_text("utf-8"))
                except (OSError, ValueError):
                    summary = {}
                context["replan"] = summary if isinstance(summary, dict) else {}
        runs = store.runs(cid)
        context.setdefault("replan", None)
        context.setdefault("table_days", [])
        context["variants"] = [
            (r, s) for r, s in runs if s.get("parent") == rid and s.get("kind") != "replan"
        ]
        context["replans"] = [
            (r, s) for r, s in runs if s.get("parent") == rid and s.get("kind") == "replan"
        ]
        context["parent"] = status.get("parent")
        context["ops"] = importlib.util.find_spec("planner.ops") is not None
        context["variant_kinds"] = VARIANTS
        return web.page(request, "run.html", **context)

    @handler
    async def run_status(request: Request) -> Response:
        run = store.run_dir(request.path_params["cid"], request.path_params["rid"])
        status = read_status(run)
        keys = ("state", "stage", "fraction", "message", "error")
        out = {k: status.get(k) for k in keys}
        out["stage_text"] = label(
            f"web.stage_{status.get('stage') or status.get('state')}", web.lang(request)
        )
        return JSONResponse(out)

    @handler
    async def cancel_run(request: Request) -> Response:
        cid, rid = request.path_params["cid"], request.path_params["rid"]
        await web.form(request)
        run = store.run_dir(cid, rid)
        await run_in_threadpool(web.runs.cancel, run)
        return RedirectResponse(f"/c/{cid}/runs/{rid}", status_code=303)

    @handler
    async def variant(request: Request) -> Response:
        from planner.scenario import read_scenario_file
        from planner.web.results import variant_scenario

        cid, rid = request.path_params["cid"], request.path_params["rid"]
        form = await web.form(request)
        kind = str(form.get("kind", ""))
        if kind not in VARIANTS:
            raise CampaignError(f"unknown variant {kind!r}")
        run = store.run_dir(cid, rid)
        parent = read_status(run)
        if parent.get("kind") == "replan":
            raise CampaignError(label("web.err_variant_replan", web.lang(request)))
        spec = await run_in_threadpool(read_scenario_file, run / "input" / SCENARIO)
        data = variant_scenario(spec, kind)
        data["name"] = f"{spec.name} — {label('web.variant_' + kind, 'vi')}"
        new_rid, new_run = await run_in_threadpool(
            store.new_run,
            cid,
            data,
            source=run / "input",
            parent=rid,
            variant=kind,
            time_limit=parent.get("time_limit"),
            effort=parent.get("effort"),
            lang=parent.get("lang", web.lang(request)),
        )
        web.runs.submit(new_run)
        return RedirectResponse(f"/c/{cid}/runs/{new_rid}", status_code=303)

    @handler
    async def run_file(request: Request) -> Response:
        cid, rid = request.path_params["cid"], request.path_params["rid"]
        run = store.run_dir(cid, rid)
        path = plan_file(run / "plan", request.path_params["path"])
        if path is None:
            raise HTTPException(404, label("web.err_not_served", web.lang(request)))
        media = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        if request.query_params.get("download") or path.suffix in (".xlsx", ".ics", ".csv"):
            return FileResponse(path, media_type=media, filename=f"{cid}-{rid}-{path.name}")
        return FileResponse(path, media_type=media)

    @handler
    async def run_zip(request: Request) -> Response:
        cid, rid = request.path_params["cid"], request.path_params["rid"]
        run = store.run_dir(cid, rid)
        if not (run / "plan" / "plan.json").is_file():
            raise HTTPException(404, label("web.err_not_served", web.lang(request)))
        content = await run_in_threadpool(plan_zip, run / "plan", f"{cid}-{rid}")
        name = f"{cid}-{rid}.zip"
        return Response(
            content,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # -------------------------------------------------------------- compare

    def _compare_html(cid: str, a: str, b: str, lang: str) -> str:
        from planner.outputs import atomic_write, read_plan
        from planner.whatif.compare import compare_plans
        from planner.whatif.compare_report import render_compare_html

        run_a, run_b = store.run_dir(cid, a), store.run_dir(cid, b)
        cached = run_b / f"compare-{a}.{lang}.html"
        plan_b = run_b / "plan" / "plan.json"
        if cached.is_file() and cached.stat().st_mtime >= plan_b.stat().st_mtime:
            return cached.read_text(encoding="utf-8")
        labels = []
        for rid, run in ((a, run_a), (b, run_b)):
            variant_kind = read_status(run).get("variant")
            labels.append(
                f"{rid} · {label('web.variant_' + variant_kind, lang)}" if variant_kind else rid
            )
        plans = [(labels[0], read_plan(run_a / "plan")), (labels[1], read_plan(run_b / "plan"))]
        origins = {labels[0]: (a, True), labels[1]: (b, True)}
        html = render_compare_html(compare_plans(plans, origins), lang)
        atomic_write(cached, html)
        return html

    @handler
    async def compare_page(request: Request) -> Response:
        cid, a, b = (request.path_params[k] for k in ("cid", "a", "b"))
        for rid in (a, b):
            if read_status(store.run_dir(cid, rid)).get("state") != "done":
                raise CampaignError(label("web.err_not_done", web.lang(request), run=rid))
        await run_in_threadpool(_compare_html, cid, a, b, web.lang(request))
        return web.page(request, "compare.html", cid=cid, a=a, b=b)

    @handler
    async def compare_report(request: Request) -> Response:
        cid, a, b = (request.path_params[k] for k in ("cid", "a", "b"))
        for rid in (a, b):
            if read_status(store.run_dir(cid, rid)).get("state") != "done":
                raise CampaignError(label("web.err_not_done", web.lang(request), run=rid))
        html = await run_in_threadpool(_compare_html, cid, a, b, web.lang(request))
        return Response(html, media_type="text/html; charset=utf-8")

    # -------------------------------------------------------------- actual counts, re-plan

    def done_plan(cid: str, rid: str) -> Any:
        """The plan of a finished run (``planner.model.Plan``)."""
        from planner.outputs import read_plan

        run = store.run_dir(cid, rid)
        if read_status(run).get("state") != "done":
            raise CampaignError(label("web.err_not_done", "en", run=rid))
        return read_plan(run / "plan")

    async def stage_or_explain(
        request: Request, cid: str, rid: str, name: str, suffix: str, content: bytes
    ) -> Response:
        """The staged file's page, or its problems in words (400) with nothing kept."""
        try:
            token = await run_in_threadpool(stage_checked, cid, rid, name, suffix, content)
        except CampaignError:
            raise
        except InputError as exc:
            lead = label("web.actuals_bad", web.lang(request))
            return web.page(request, "error.html", status_code=400, code=400,
                            message=[lead, *str(exc).splitlines()])  # fmt: skip
        return RedirectResponse(f"/c/{cid}/runs/{rid}/actuals/{token}", status_code=303)

    def stage_checked(cid: str, rid: str, name: str, suffix: str, content: bytes) -> str:
        """Stage an actuals file once its rows and fields pass; nothing is kept when not."""
        from planner.web.actuals import reported

        plan = done_plan(cid, rid)
        token, path = store.stage_actuals(cid, rid, suffix, content)
        try:
            got = reported(path, plan, name)
        except BaseException:
            store.discard_actuals(token)
            raise
        store.note_actuals(
            token,
            name=name,
            stops=got.stops,
            first=got.first.isoformat() if got.first else None,
            last=got.last.isoformat() if got.last else None,
        )
        return token

    @handler
    async def actuals_upload(request: Request) -> Response:
        from planner.web.actuals import actuals_suffix

        cid, rid = request.path_params["cid"], request.path_params["rid"]
        form = await web.form(request)
        item = form.get("file")
        if not isinstance(item, UploadFile) or not item.filename:
            raise CampaignError(label("web.err_no_file", web.lang(request)))
        name = Path(item.filename.replace("\\", "/")).name[:120]
        suffix = actuals_suffix(name)
        content = await item.read(ACTUALS_MAX + 1)
        if len(content) > ACTUALS_MAX:
            raise HTTPException(
                413, label("web.err_too_large", web.lang(request), mb=f"{ACTUALS_MAX / 2**20:g}")
            )
        if not content:
            raise CampaignError(f"{name}: the file is empty")
        return await stage_or_explain(request, cid, rid, name, suffix, content)

    @handler
    async def actuals_table(request: Request) -> Response:
        from planner.web.actuals import day_rows, route_days

        cid, rid = request.path_params["cid"], request.path_params["rid"]
        plan = await run_in_threadpool(done_plan, cid, rid)
        days = route_days(plan)
        if not days:
            raise CampaignError(label("web.err_no_stops", web.lang(request)))
        try:
            day = dt.date.fromisoformat(request.query_params.get("date", ""))
        except ValueError:
            day = days[0]
        if day not in days:
            day = days[0]
        return web.page(
            request, "actuals_table.html", cid=cid, rid=rid, days=days, day=day,
            rows=day_rows(plan, day),
        )  # fmt: skip

    @handler
    async def actuals_table_post(request: Request) -> Response:
        from planner.ops.form import ACTUAL_COLUMNS
        from planner.web.actuals import route_days, table_csv

        cid, rid = request.path_params["cid"], request.path_params["rid"]
        form = await web.form(request)
        plan = await run_in_threadpool(done_plan, cid, rid)
        try:
            day = dt.date.fromisoformat(str(form.get("date", "")))
        except ValueError:
            raise CampaignError(f"date: {str(form.get('date', ''))[:40]!r} is not a date") from None
        if day not in route_days(plan):
            raise CampaignError(f"date: {day} has no planned stops in run {rid}")
        values = {k: [str(v) for v in form.getlist(k)]
                  for k in (*ACTUAL_COLUMNS, "status", "note")}  # fmt: skip
        text = table_csv(plan, day, values)
        name = f"{label('web.table_file', web.lang(request))} {day.isoformat()}"
        return await stage_or_explain(request, cid, rid, name, ".csv", text.encode("utf-8"))

    def actuals_page(
        request: Request, cid: str, rid: str, token: str, status_code: int = 200,
        errors: list[str] | None = None, today: str | None = None, keep: str | None = None,
    ) -> Response:  # fmt: skip
        from planner.web.actuals import default_today

        plan = done_plan(cid, rid)
        _path, meta = store.staged_actuals(token, cid, rid)
        last = dt.date.fromisoformat(meta["last"]) if meta.get("last") else None
        cal = plan.problem.calendar
        return web.page(
            request,
            "actuals.html",
            status_code=status_code,
            cid=cid,
            rid=rid,
            token=token,
            meta=meta,
            errors=errors or [],
            today=today or default_today(plan, last).isoformat(),
            keep=keep if keep is not None else "2",
            first_day=cal.start.isoformat(),
            last_day=(cal.deadline or cal.end).isoformat(),
        )

    @handler
    async def actuals_get(request: Request) -> Response:
        cid, rid, token = (request.path_params[k] for k in ("cid", "rid", "token"))
        return await run_in_threadpool(actuals_page, request, cid, rid, token)

    @handler
    async def actuals_discard(request: Request) -> Response:
        cid, rid, token = (request.path_params[k] for k in ("cid", "rid", "token"))
        await web.form(request)
        store.discard_actuals(token)
        return RedirectResponse(f"/c/{cid}/runs/{rid}#replan", status_code=303)

    @handler
    async def replan_start(request: Request) -> Response:
        from planner.web.actuals import check

        cid, rid, token = (request.path_params[k] for k in ("cid", "rid", "token"))
        form = await web.form(request)
        today_text = str(form.get("today", "")).strip()[:40]
        keep_text = str(form.get("keep_days", "2")).strip()[:10]
        path, meta = store.staged_actuals(token, cid, rid)
        name = str(meta.get("name", path.name))
        try:
            today = dt.date.fromisoformat(today_text)
        except ValueError:
            problem = f"today: {today_text!r} is not a date (YYYY-MM-DD)"
            return await run_in_threadpool(
                actuals_page, request, cid, rid, token, 400, [problem], today_text, keep_text
            )
        if not keep_text.isdigit() or int(keep_text) > 366:
            problem = f"keep days: {keep_text!r} is not a whole number of days from 0 to 366"
            return await run_in_threadpool(
                actuals_page, request, cid, rid, token, 400, [problem], today_text, keep_text
            )
        plan = await run_in_threadpool(done_plan, cid, rid)
        try:
            await run_in_threadpool(check, path, plan, today, name)
        except InputError as exc:
            return await run_in_threadpool(
                actuals_page, request, cid, rid, token, 400, str(exc).splitlines(), today_text,
                keep_text,
            )  # fmt: skip
        parent = read_status(store.run_dir(cid, rid))
        new_rid, run = await run_in_threadpool(
            store.new_replan, cid, rid, token, today=today.isoformat(),
            keep_days=int(keep_text), actuals_name=name,
            lang=parent.get("lang", web.lang(request)),
        )  # fmt: skip
        web.runs.submit(run)
        return RedirectResponse(f"/c/{cid}/runs/{new_rid}", status_code=303)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runs = [run for cid, _ in store.campaigns() for run in _run_dirs(store, cid)]
        recover(runs)
        store.cleanup_staging()
        web.runs.start()
        yield
        await run_in_threadpool(web.runs.shutdown)

    routes = [
        Route("/healthz", healthz),
        Route("/lang/{lang}", set_lang),
        Route("/login", login_get, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", home),
        Route("/campaigns/demo", from_demo, methods=["POST"]),
        Route("/campaigns/new", new_campaign, methods=["POST"]),
        Route("/staged/{token}", staged),
        Route("/staged/{token}/apply", staged_apply, methods=["POST"]),
        Route("/staged/{token}/discard", staged_discard, methods=["POST"]),
        Route("/c/{cid}", campaign),
        Route("/c/{cid}/edit", edit_get, methods=["GET"]),
        Route("/c/{cid}/edit", edit_post, methods=["POST"]),
        Route("/c/{cid}/validate", validate_page),
        Route("/c/{cid}/upload", upload_input, methods=["POST"]),
        Route("/c/{cid}/scenario", upload_scenario, methods=["POST"]),
        Route("/c/{cid}/scenario.yaml", scenario_yaml),
        Route("/c/{cid}/remove/{kind}", remove_input, methods=["POST"]),
        Route("/c/{cid}/runs", start_run, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}", run_page),
        Route("/c/{cid}/runs/{rid}/status", run_status),
        Route("/c/{cid}/runs/{rid}/cancel", cancel_run, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/variant", variant, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/actuals", actuals_upload, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/actuals/table", actuals_table, methods=["GET"]),
        Route("/c/{cid}/runs/{rid}/actuals/table", actuals_table_post, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/actuals/{token}", actuals_get, methods=["GET"]),
        Route("/c/{cid}/runs/{rid}/actuals/{token}/discard", actuals_discard, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/actuals/{token}/replan", replan_start, methods=["POST"]),
        Route("/c/{cid}/runs/{rid}/all.zip", run_zip),
        Route("/c/{cid}/runs/{rid}/files/{path:path}", run_file),
        Route("/c/{cid}/compare/{a}/{b}", compare_page),
        Route("/c/{cid}/compare/{a}/{b}/report.html", compare_report),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SessionMiddleware, web=web)],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.web = web
    return app


def _run_dirs(store: Store, cid: str) -> list[Path]:
    folder = store.campaign_dir(cid) / "runs"
    return [folder / rid for rid, _ in store.runs(cid)]
