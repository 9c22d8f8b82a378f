"""Pages of the runs: start, follow, cancel, download, plan a variant, compare two."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)

from planner.i18n import label
from planner.web.campaigns import SCENARIO, CampaignError, read_status
from planner.web.pages import (
    Pages,
    handler,
)
from planner.web.results import MEDIA_TYPES, VARIANTS, plan_file, plan_zip, sheet_grid


class RunPages(Pages):
    """Runs: start, follow, cancel, download, vary and compare."""

    def _time_limit(self, value: Any) -> float | None:
        """The optimizer time limit of a form (None when blank)."""
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

    def _effort(self, value: Any) -> str | None:
        """The optimizer effort of a form (None when blank)."""
        from planner.solve import EFFORTS

        text = str(value or "").strip()
        if not text:
            return None
        if text not in EFFORTS:
            raise CampaignError(f"effort: {text!r} is not one of {', '.join(EFFORTS)}")
        return text

    @handler
    async def start_run(self, request: Request) -> Response:
        """``POST /c/{cid}/runs``: queue a plan of the campaign."""
        cid = request.path_params["cid"]
        form = await self.web.form(request)
        limit = self._time_limit(form.get("time_limit"))
        effort = self._effort(form.get("effort"))
        rid, run = await run_in_threadpool(
            self.store.new_run,
            cid,
            None,
            time_limit=limit,
            effort=effort,
            lang=self.web.lang(request),
        )
        self.web.runs.submit(run)
        return RedirectResponse(f"/c/{cid}/runs/{rid}", status_code=303)

    @handler
    async def run_page(self, request: Request) -> Response:
        """``GET /c/{cid}/runs/{rid}``: a run's progress or results."""
        cid, rid = request.path_params["cid"], request.path_params["rid"]
        run = self.store.run_dir(cid, rid)
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
        runs = self.store.runs(cid)
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
        return self.web.page(request, "run.html", **context)

    @handler
    async def run_status(self, request: Request) -> Response:
        """``GET /c/{cid}/runs/{rid}/status``: a run's progress as JSON."""
        run = self.store.run_dir(request.path_params["cid"], request.path_params["rid"])
        status = read_status(run)
        keys = ("state", "stage", "fraction", "message", "error")
        out = {k: status.get(k) for k in keys}
        out["stage_text"] = label(
            f"web.stage_{status.get('stage') or status.get('state')}", self.web.lang(request)
        )
        return JSONResponse(out)

    @handler
    async def cancel_run(self, request: Request) -> Response:
        """``POST /c/{cid}/runs/{rid}/cancel``: cancel a waiting or running run."""
        cid, rid = request.path_params["cid"], request.path_params["rid"]
        await self.web.form(request)
        run = self.store.run_dir(cid, rid)
        await run_in_threadpool(self.web.runs.cancel, run)
        return RedirectResponse(f"/c/{cid}/runs/{rid}", status_code=303)

    @handler
    async def variant(self, request: Request) -> Response:
        """``POST /c/{cid}/runs/{rid}/variant``: queue a variant of a run."""
        from planner.scenario import read_scenario_file
        from planner.web.results import variant_scenario

        cid, rid = request.path_params["cid"], request.path_params["rid"]
        form = await self.web.form(request)
        kind = str(form.get("kind", ""))
        if kind not in VARIANTS:
            raise CampaignError(f"unknown variant {kind!r}")
        run = self.store.run_dir(cid, rid)
        parent = read_status(run)
        if parent.get("kind") == "replan":
            raise CampaignError(label("web.err_variant_replan", self.web.lang(request)))
        spec = await run_in_threadpool(read_scenario_file, run / "input" / SCENARIO)
        data = variant_scenario(spec, kind)
        data["name"] = f"{spec.name} — {label('web.variant_' + kind, 'vi')}"
        new_rid, new_run = await run_in_threadpool(
            self.store.new_run,
            cid,
            data,
            source=run / "input",
            parent=rid,
            variant=kind,
            time_limit=parent.get("time_limit"),
            effort=parent.get("effort"),
            lang=parent.get("lang", self.web.lang(request)),
        )
        self.web.runs.submit(new_run)
        return RedirectResponse(f"/c/{cid}/runs/{new_rid}", status_code=303)

    @handler
    async def run_file(self, request: Request) -> Response:
        """``GET /c/{cid}/runs/{rid}/files/{path}``: one of a plan's outputs."""
        cid, rid = request.path_params["cid"], request.path_params["rid"]
        run = self.store.run_dir(cid, rid)
        path = plan_file(run / "plan", request.path_params["path"])
        if path is None:
            raise HTTPException(404, label("web.err_not_served", self.web.lang(request)))
        media = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        if request.query_params.get("download") or path.suffix in (".xlsx", ".ics", ".csv"):
            return FileResponse(path, media_type=media, filename=f"{cid}-{rid}-{path.name}")
        return FileResponse(path, media_type=media)

    @handler
    async def run_zip(self, request: Request) -> Response:
        """``GET /c/{cid}/runs/{rid}/all.zip``: every output of a plan."""
        cid, rid = request.path_params["cid"], request.path_params["rid"]
        run = self.store.run_dir(cid, rid)
        if not (run / "plan" / "plan.json").is_file():
            raise HTTPException(404, label("web.err_not_served", self.web.lang(request)))
        content = await run_in_threadpool(plan_zip, run / "plan", f"{cid}-{rid}")
        name = f"{cid}-{rid}.zip"
        return Response(
            content,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # -------------------------------------------------------------- compare

    def _compare_html(self, cid: str, a: str, b: str, lang: str) -> str:
        """The comparison report of two finished runs, cached beside the second."""
        from planner.outputs import atomic_write, read_plan
        from planner.whatif.compare import compare_plans
        from planner.whatif.compare_report import render_compare_html

        run_a, run_b = self.store.run_dir(cid, a), self.store.run_dir(cid, b)
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
    async def compare_page(self, request: Request) -> Response:
        """``GET /c/{cid}/compare/{a}/{b}``: two runs compared."""
        cid, a, b = (request.path_params[k] for k in ("cid", "a", "b"))
        for rid in (a, b):
            if read_status(self.store.run_dir(cid, rid)).get("state") != "done":
                raise CampaignError(label("web.err_not_done", self.web.lang(request), run=rid))
        await run_in_threadpool(self._compare_html, cid, a, b, self.web.lang(request))
        return self.web.page(request, "compare.html", cid=cid, a=a, b=b)

    @handler
    async def compare_report(self, request: Request) -> Response:
        """``GET /c/{cid}/compare/{a}/{b}/report.html``: the comparison report."""
        cid, a, b = (request.path_params[k] for k in ("cid", "a", "b"))
        for rid in (a, b):
            if read_status(self.store.run_dir(cid, rid)).get("state") != "done":
                raise CampaignError(label("web.err_not_done", self.web.lang(request), run=rid))
        html = await run_in_threadpool(self._compare_html, cid, a, b, self.web.lang(request))
        return Response(html, media_type="text/html; charset=utf-8")
