"""Pages of the actual counts and the re-plan of a finished run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    RedirectResponse,
    Response,
)

from planner.errors import InputError
from planner.i18n import label
from planner.web.campaigns import CampaignError, read_status
from planner.web.pages import (
    ACTUALS_MAX,
    Pages,
    handler,
)


class ActualsPages(Pages):
    """Actual counts and re-plans from a finished run."""

    def done_plan(self, cid: str, rid: str) -> Any:
        """The plan of a finished run (``planner.model.Plan``)."""
        from planner.outputs import read_plan

        run = self.store.run_dir(cid, rid)
        if read_status(run).get("state") != "done":
            raise CampaignError(label("web.err_not_done", "en", run=rid))
        return read_plan(run / "plan")

    async def stage_or_explain(
        self, request: Request, cid: str, rid: str, name: str, suffix: str, content: bytes
    ) -> Response:
        """The staged file's page, or its problems in words (400) with nothing kept."""
        try:
            token = await run_in_threadpool(self.stage_checked, cid, rid, name, suffix, content)
        except CampaignError:
            raise
        except InputError as exc:
            lead = label("web.actuals_bad", self.web.lang(request))
            return self.web.page(request, "error.html", status_code=400, code=400,
                            message=[lead, *str(exc).splitlines()])  # fmt: skip
        return RedirectResponse(f"/c/{cid}/runs/{rid}/actuals/{token}", status_code=303)

    def stage_checked(self, cid: str, rid: str, name: str, suffix: str, content: bytes) -> str:
        """Stage an actuals file once its rows and fields pass; nothing is kept when not."""
        from planner.web.actuals import reported

        plan = self.done_plan(cid, rid)
        token, path = self.store.stage_actuals(cid, rid, suffix, content)
        try:
            got = reported(path, plan, name)
        except BaseException:
            self.store.discard_actuals(token)
            raise
        self.store.note_actuals(
            token,
            name=name,
            stops=got.stops,
            first=got.first.isoformat() if got.first else None,
            last=got.last.isoformat() if got.last else None,
        )
        return token

    @handler
    async def actuals_upload(self, request: Request) -> Response:
        """``POST /c/{cid}/runs/{rid}/actuals``: check an uploaded actuals file."""
        from planner.web.actuals import actuals_suffix

        cid, rid = request.path_params["cid"], request.path_params["rid"]
        form = await self.web.form(request)
        item = form.get("file")
        if not isinstance(item, UploadFile) or not item.filename:
            raise CampaignError(label("web.err_no_file", self.web.lang(request)))
        name = Path(item.filename.replace("\\", "/")).name[:120]
        suffix = actuals_suffix(name)
        content = await item.read(ACTUALS_MAX + 1)
        if len(content) > ACTUALS_MAX:
            raise HTTPException(
                413,
                label("web.err_too_large", self.web.lang(request), mb=f"{ACTUALS_MAX / 2**20:g}"),
            )
        if not content:
            raise CampaignError(f"{name}: the file is empty")
        return await self.stage_or_explain(request, cid, rid, name, suffix, content)

    @handler
    async def actuals_table(self, request: Request) -> Response:
        """``GET /c/{cid}/runs/{rid}/actuals/table``: one day's counts table."""
        from planner.web.actuals import day_rows, route_days

        cid, rid = request.path_params["cid"], request.path_params["rid"]
        plan = await run_in_threadpool(self.done_plan, cid, rid)
        days = route_days(plan)
        if not days:
            raise CampaignError(label("web.err_no_stops", self.web.lang(request)))
        try:
            day = dt.date.fromisoformat(request.query_params.get("date", ""))
        except ValueError:
            day = days[0]
        if day not in days:
            day = days[0]
        return self.web.page(
            request, "actuals_table.html", cid=cid, rid=rid, days=days, day=day,
            rows=day_rows(plan, day),
        )  # fmt: skip

    @handler
    async def actuals_table_post(self, request: Request) -> Response:
        """``POST /c/{cid}/runs/{rid}/actuals/table``: check a day's counts."""
        from planner.ops.form import ACTUAL_COLUMNS
        from planner.web.actuals import route_days, table_csv

        cid, rid = request.path_params["cid"], request.path_params["rid"]
        form = await self.web.form(request)
        plan = await run_in_threadpool(self.done_plan, cid, rid)
        try:
            day = dt.date.fromisoformat(str(form.get("date", "")))
        except ValueError:
            raise CampaignError(f"date: {str(form.get('date', ''))[:40]!r} is not a date") from None
        if day not in route_days(plan):
            raise CampaignError(f"date: {day} has no planned stops in run {rid}")
        values = {k: [str(v) for v in form.getlist(k)]
                  for k in (*ACTUAL_COLUMNS, "status", "note")}  # fmt: skip
        text = table_csv(plan, day, values)
        name = f"{label('web.table_file', self.web.lang(request))} {day.isoformat()}"
        return await self.stage_or_explain(request, cid, rid, name, ".csv", text.encode("utf-8"))

    def actuals_page(
        self, request: Request, cid: str, rid: str, token: str, status_code: int = 200,
        errors: list[str] | None = None, today: str | None = None, keep: str | None = None,
    ) -> Response:  # fmt: skip
        """The page of checked counts, with the re-plan form (and its problems)."""
        from planner.web.actuals import default_today

        plan = self.done_plan(cid, rid)
        _path, meta = self.store.staged_actuals(token, cid, rid)
        last = dt.date.fromisoformat(meta["last"]) if meta.get("last") else None
        cal = plan.problem.calendar
        return self.web.page(
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
    async def actuals_get(self, request: Request) -> Response:
        """The page of checked counts, with the re-plan form (and its problems)."""
        cid, rid, token = (request.path_params[k] for k in ("cid", "rid", "token"))
        return await run_in_threadpool(self.actuals_page, request, cid, rid, token)

    @handler
    async def actuals_discard(self, request: Request) -> Response:
        """``POST .../actuals/{token}/discard``: drop checked counts."""
        cid, rid, token = (request.path_params[k] for k in ("cid", "rid", "token"))
        await self.web.form(request)
        self.store.discard_actuals(token)
        return RedirectResponse(f"/c/{cid}/runs/{rid}#replan", status_code=303)

    @handler
    async def replan_start(self, request: Request) -> Response:
        """``POST .../actuals/{token}/replan``: queue a re-plan from the counts."""
        from planner.web.actuals import check

        cid, rid, token = (request.path_params[k] for k in ("cid", "rid", "token"))
        form = await self.web.form(request)
        today_text = str(form.get("today", "")).strip()[:40]
        keep_text = str(form.get("keep_days", "2")).strip()[:10]
        path, meta = self.store.staged_actuals(token, cid, rid)
        name = str(meta.get("name", path.name))
        try:
            today = dt.date.fromisoformat(today_text)
        except ValueError:
            problem = f"today: {today_text!r} is not a date (YYYY-MM-DD)"
            return await run_in_threadpool(
                self.actuals_page, request, cid, rid, token, 400, [problem], today_text, keep_text
            )
        if not keep_text.isdigit() or int(keep_text) > 366:
            problem = f"keep days: {keep_text!r} is not a whole number of days from 0 to 366"
            return await run_in_threadpool(
                self.actuals_page, request, cid, rid, token, 400, [problem], today_text, keep_text
            )
        plan = await run_in_threadpool(self.done_plan, cid, rid)
        try:
            await run_in_threadpool(check, path, plan, today, name)
        except InputError as exc:
            return await run_in_threadpool(
                self.actuals_page, request, cid, rid, token, 400, str(exc).splitlines(), today_text,
                keep_text,
            )  # fmt: skip
        parent = read_status(self.store.run_dir(cid, rid))
        new_rid, run = await run_in_threadpool(
            self.store.new_replan, cid, rid, token, today=today.isoformat(),
            keep_days=int(keep_text), actuals_name=name,
            lang=parent.get("lang", self.web.lang(request)),
        )  # fmt: skip
        self.web.runs.submit(run)
        return RedirectResponse(f"/c/{cid}/runs/{new_rid}", status_code=303)
