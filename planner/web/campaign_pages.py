"""Pages of the campaigns: create one, edit it, upload and check its inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    RedirectResponse,
    Response,
)

from planner.errors import InputError
from planner.i18n import label
from planner.web.campaigns import SCENARIO, CampaignError
from planner.web.pages import (
    Pages,
    handler,
)


class CampaignPages(Pages):
    """Campaigns: create, edit, upload and check their inputs."""

    async def home(self, request: Request) -> Response:
        """``GET /``: the campaigns, and the forms to start one."""
        today = dt.date.today()
        return self.web.page(
            request,
            "home.html",
            campaigns=self.store.campaigns(),
            start=(today + dt.timedelta(days=7)).isoformat(),
        )

    @handler
    async def from_demo(self, request: Request) -> Response:
        """``POST /campaigns/demo``: a new campaign from the demo."""
        await self.web.form(request)
        cid = await run_in_threadpool(self.store.create_from_demo, self.web.demo)
        return RedirectResponse(f"/c/{cid}", status_code=303)

    @handler
    async def new_campaign(self, request: Request) -> Response:
        """``POST /campaigns/new``: stage a new campaign from uploaded files."""
        form = await self.web.form(request)
        files = {}
        for kind in ("communes", "boundary", "stats", "households", "roads"):
            item = await self.web.upload(request, form.get(kind))
            if item is not None:
                files[kind] = item
        try:
            start = dt.date.fromisoformat(str(form.get("start", "")))
            days = int(str(form.get("days", "14")))
            teams = int(str(form.get("teams", "2")))
        except ValueError as exc:
            raise CampaignError(f"start, days, teams: {exc}") from None
        token, _ = await run_in_threadpool(
            self.store.stage_new,
            str(form.get("name", "")),
            files,
            str(form.get("base", "")) or None,
            start,
            min(max(days, 1), 366),
            min(max(teams, 1), 60),
            self.web.lang(request),
        )
        return RedirectResponse(f"/staged/{token}", status_code=303)

    @handler
    async def campaign(self, request: Request) -> Response:
        """``GET /c/{cid}``: a campaign's settings, inputs, calendar and runs."""
        cid = request.path_params["cid"]
        spec = await run_in_threadpool(self.store.scenario, cid)
        from planner.web.forms import month_grids

        return self.web.page(
            request,
            "campaign.html",
            cid=cid,
            spec=spec,
            inputs=self.store.inputs(cid),
            runs=self.store.runs(cid),
            months=month_grids(spec),
            kinds=("communes", "boundary", "stats", "households", "roads"),
            optional=("boundary", "stats", "households", "roads"),
        )

    @handler
    async def edit_get(self, request: Request) -> Response:
        """``GET /c/{cid}/edit``: the settings form."""
        from planner.web.forms import form_values

        cid = request.path_params["cid"]
        spec = await run_in_threadpool(self.store.scenario, cid)
        return self.web.page(request, "edit.html", cid=cid, v=form_values(spec), errors=[])

    @handler
    async def edit_post(self, request: Request) -> Response:
        """``POST /c/{cid}/edit``: save the settings, or show the form with the problems."""
        from planner.web.forms import apply_form

        cid = request.path_params["cid"]
        form = await self.web.form(request)
        values: dict[str, Any] = {k: form.get(k) for k in form if not k.startswith("team_")}
        for key in ("id", "name", "members", "stations", "base", "cap", "rest", "off", "area"):
            values[f"team_{key}"] = form.getlist(f"team_{key}")
        data = apply_form(self.store.scenario_dict(cid), values)
        try:
            await run_in_threadpool(self.store.save_scenario, cid, data)
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
            return self.web.page(
                request, "edit.html", status_code=400, cid=cid, v=shown, errors=lines
            )
        return RedirectResponse(f"/c/{cid}?saved=1", status_code=303)

    @handler
    async def validate_page(self, request: Request) -> Response:
        """``GET /c/{cid}/validate``: the load report of the campaign's inputs."""
        from planner.web.campaigns import validate_file

        cid = request.path_params["cid"]
        folder = self.store.campaign_dir(cid)
        check = await run_in_threadpool(validate_file, folder / SCENARIO, self.web.lang(request))
        return self.web.page(request, "report.html", cid=cid, check=check, token=None, meta={})

    @handler
    async def upload_input(self, request: Request) -> Response:
        """``POST /c/{cid}/upload``: stage a new input file for checking."""
        cid = request.path_params["cid"]
        form = await self.web.form(request)
        kind = str(form.get("kind", ""))
        item = await self.web.upload(request, form.get("file"))
        if item is None:
            raise CampaignError(label("web.err_no_file", self.web.lang(request)))
        token, _ = await run_in_threadpool(
            self.store.stage_upload, cid, kind, item[0], item[1], self.web.lang(request)
        )
        return RedirectResponse(f"/staged/{token}", status_code=303)

    @handler
    async def upload_scenario(self, request: Request) -> Response:
        """``POST /c/{cid}/scenario``: stage an uploaded scenario file."""
        cid = request.path_params["cid"]
        form = await self.web.form(request)
        item = await self.web.upload(request, form.get("file"))
        if item is None:
            raise CampaignError(label("web.err_no_file", self.web.lang(request)))
        token, _ = await run_in_threadpool(
            self.store.stage_scenario, cid, item[1], self.web.lang(request)
        )
        return RedirectResponse(f"/staged/{token}", status_code=303)

    @handler
    async def remove_input(self, request: Request) -> Response:
        """``POST /c/{cid}/remove/{kind}``: remove an optional input."""
        cid = request.path_params["cid"]
        await self.web.form(request)
        await run_in_threadpool(self.store.remove_input, cid, request.path_params["kind"])
        return RedirectResponse(f"/c/{cid}", status_code=303)

    @handler
    async def staged(self, request: Request) -> Response:
        """``GET /staged/{token}``: the check of a staged upload, to save or discard."""
        token = request.path_params["token"]
        meta = self.store.staged(token)
        if meta.get("kind") == "actuals":
            raise CampaignError("this upload is an actuals file; open it from its run's page")
        from planner.web.campaigns import Check

        check = Check(ok=bool(meta["ok"]), text=str(meta["report"]))
        status = 200 if check.ok else 422
        cid = meta.get("campaign")
        return self.web.page(
            request, "report.html", status_code=status, cid=cid, check=check, token=token,
            meta=meta,
        )  # fmt: skip

    @handler
    async def staged_apply(self, request: Request) -> Response:
        """``POST /staged/{token}/apply``: save a staged upload."""
        await self.web.form(request)
        cid = await run_in_threadpool(self.store.apply, request.path_params["token"])
        return RedirectResponse(f"/c/{cid}?saved=1", status_code=303)

    @handler
    async def staged_discard(self, request: Request) -> Response:
        """``POST /staged/{token}/discard``: drop a staged upload."""
        await self.web.form(request)
        cid = self.store.discard(request.path_params["token"])
        return RedirectResponse(f"/c/{cid}" if cid else "/", status_code=303)

    @handler
    async def scenario_yaml(self, request: Request) -> Response:
        """``GET /c/{cid}/scenario.yaml``: download the scenario file."""
        cid = request.path_params["cid"]
        path = self.store.campaign_dir(cid) / SCENARIO
        return FileResponse(
            path,
            media_type="application/x-yaml; charset=utf-8",
            filename=f"{cid}.yaml",
        )
