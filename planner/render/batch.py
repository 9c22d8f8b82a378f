"""Draw many route sheets at once, on every available core.

Drawing a sheet (its values, its HTML and its PDF) is CPU work of about 20 ms; a province
plan has thousands. The sheets are independent, so they are drawn by a
:class:`concurrent.futures.ProcessPoolExecutor`. What every sheet shares (the imported PDF
library and the fonts registered by :func:`~planner.render.pdf.pdf_fonts`) is set up once in
this process before the workers are forked, so they start ready to draw; each keeps the plan
and the district drawing of :mod:`planner.render.routemap` between sheets. Results
come back in the order of the routes asked for, whatever the number of workers, so the files
written are the same on one core or many.

The work is handed to the pool as soon as :meth:`SheetDrawer.sheets` is called, so this
process can write other outputs while the sheets are drawn. Combined PDFs (a day, a team)
copy the pages of finished sheets.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

import pikepdf

from planner.model import Plan, Route
from planner.render.sheets import sheet_html, sheet_values

#: Below this many sheets a pool costs more than it saves.
MIN_PARALLEL_SHEETS = 4


def available_cores() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class _Worker:
    """What one process keeps between sheets: the plan, its routes and the PDF drawing."""

    plan: Plan
    routes: Sequence[Route]
    lang: str

    def __init__(self, plan: Plan, routes: Sequence[Route], lang: str) -> None:
        from planner.render.pdf import pdf_fonts
        from planner.render.sheetpdf import sheet_pdf

        self.plan, self.routes, self.lang = plan, routes, lang
        self.sheet_pdf = sheet_pdf
        pdf_fonts()

    def draw(self, index: int) -> tuple[str, bytes]:
        values = sheet_values(self.plan, self.routes[index], lang=self.lang)
        return sheet_html(values), self.sheet_pdf(values)


_WORKER: _Worker | None = None


def _init_worker(plan: Plan, routes: Sequence[Route], lang: str) -> None:
    global _WORKER
    _WORKER = _Worker(plan, routes, lang)


def _draw(index: int) -> tuple[str, bytes]:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.draw(index)


def merge_pdfs(parts: Sequence[bytes], title: str) -> bytes:
    """One PDF with the pages of ``parts`` in order (pages are copied, not laid out again).

    The pages are copied with qpdf (through pikepdf), which takes well under a millisecond
    a page.
    """
    merged = pikepdf.new()
    with contextlib.ExitStack() as sources:  # each source stays open until the merge is saved
        for part in parts:
            merged.pages.extend(sources.enter_context(pikepdf.open(io.BytesIO(part))).pages)
        merged.docinfo["/Title"] = title
        merged.docinfo["/Producer"] = "planner"
        buffer = io.BytesIO()
        merged.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _merge(job: tuple[Sequence[bytes], str]) -> bytes:
    return merge_pdfs(*job)


def _forks() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _context() -> multiprocessing.context.BaseContext:
    # Forking hands the plan, the imported libraries and the set-up fonts to the workers
    # without pickling or importing them again; elsewhere the platform's default is used.
    return multiprocessing.get_context("fork" if _forks() else None)


class SheetDrawer:
    """Draws route sheets and merges PDFs, on a pool of processes or in this one.

    Use as a context manager; the pool, if any, is shut down on exit.

    Parameters
    ----------
    plan : Plan
        The plan whose sheets are drawn.
    routes : sequence of Route
        The routes, in the order their sheets are wanted.
    lang : str
        ``"vi"`` or ``"en"``.
    workers : int, optional
        Processes to use; by default one per available core. With one worker, or only a few
        sheets, everything is drawn in this process.
    """

    def __init__(
        self, plan: Plan, routes: Sequence[Route], lang: str, workers: int | None = None
    ) -> None:
        self.plan, self.routes, self.lang = plan, list(routes), lang
        n = available_cores() if workers is None else max(1, workers)
        self.workers = 1 if len(self.routes) < MIN_PARALLEL_SHEETS else min(n, len(self.routes))
        self._pool: Executor | None = None
        self._local: _Worker | None = None

    def __enter__(self) -> SheetDrawer:
        if self.workers > 1:
            if _forks():
                import planner.render.sheetpdf  # noqa: F401 - imported once, inherited
                from planner.render.pdf import pdf_fonts

                pdf_fonts()  # set up once here; every forked worker inherits it
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=_context(),
                initializer=_init_worker,
                initargs=(self.plan, self.routes, self.lang),
            )
        else:
            self._local = _Worker(self.plan, self.routes, self.lang)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def sheets(self) -> Iterator[tuple[Route, str, bytes]]:
        """``(route, html, pdf)`` for every route, in the order of ``routes``.

        On a pool, every sheet is handed to the workers now, before the first result is
        asked for.
        """
        indices = range(len(self.routes))
        results: Iterator[tuple[str, bytes]]
        if self._pool is None:
            assert self._local is not None, "use SheetDrawer as a context manager"
            results = map(self._local.draw, indices)
        else:
            chunk = max(1, min(16, len(self.routes) // (self.workers * 8)))
            results = self._pool.map(_draw, indices, chunksize=chunk)
        return ((route, html, pdf) for route, (html, pdf) in zip(self.routes, results, strict=True))

    def merged(self, jobs: Sequence[tuple[Sequence[bytes], str]]) -> Iterator[bytes]:
        """The merged PDF of each ``(parts, title)`` job, in order."""
        if self._pool is None or len(jobs) < 2:
            return map(_merge, jobs)
        return self._pool.map(_merge, jobs)
