"""The run queue: plans and re-plans run one at a time, each in its own child process.

A run is a folder made by :meth:`planner.web.campaigns.Store.new_run`. The queue starts
``python -m planner.web.worker`` on it in a new process group, reads its JSON progress lines
into ``status.json`` and, on cancel, ends the whole group (the solver's worker processes too).
Runs started together wait in order (plans and re-plans alike) and can be cancelled; they
never share a process or a folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from planner.web.campaigns import SCENARIO, read_status, write_status

log = logging.getLogger(__name__)

#: Seconds a cancelled run gets to stop before it is killed.
GRACE_SECONDS = 3.0


class RunQueue:
    """A first-in, first-out queue of plan runs served by one thread."""

    def __init__(self, lang: str = "vi") -> None:
        self.lang = lang
        self._queue: queue.Queue[Path | None] = queue.Queue()
        self._lock = threading.Lock()
        self._current: tuple[Path, subprocess.Popen[str]] | None = None
        self._cancelled: set[Path] = set()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ public

    def start(self) -> None:
        """Start the thread that runs the queue (idempotent)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="planner-runs", daemon=True)
                self._thread.start()

    def submit(self, run_dir: Path) -> None:
        """Queue a run folder whose ``status.json`` says ``queued``."""
        self.start()
        self._queue.put(run_dir)

    def cancel(self, run_dir: Path) -> bool:
        """Cancel a queued or running run; return whether there was anything to cancel."""
        with self._lock:
            status = read_status(run_dir)
            if status.get("state") not in ("queued", "running"):
                return False
            self._cancelled.add(run_dir)
            current = self._current
            if status.get("state") == "queued":
                self._finish(run_dir, status, "cancelled")
        if current is not None and current[0] == run_dir:
            _stop(current[1])
        return True

    def shutdown(self) -> None:
        """Stop the running plan, mark waiting ones cancelled, and end the thread."""
        with self._lock:
            current = self._current
        if current is not None:
            self._cancelled.add(current[0])
            _stop(current[1])
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self._finish(item, read_status(item), "cancelled")
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=GRACE_SECONDS + 5)

    def pending(self) -> int:
        """Runs waiting or running."""
        return self._queue.qsize() + (self._current is not None)

    # ------------------------------------------------------------------ the thread

    def _loop(self) -> None:
        while True:
            run_dir = self._queue.get()
            if run_dir is None:
                return
            try:
                self._run(run_dir)
            except Exception:  # keep serving the next runs; the run says what happened
                log.exception("run %s failed", run_dir)
                self._finish(run_dir, read_status(run_dir), "failed", error="internal error")

    def _finish(self, run_dir: Path, status: dict[str, Any], state: str, **extra: Any) -> None:
        status.update(state=state, finished=time.time(), **extra)
        write_status(run_dir, status)

    def _command(self, run_dir: Path, status: dict[str, Any]) -> list[str]:
        """The worker's command line for a queued run (a plan or a re-plan)."""
        cmd = [
            sys.executable,
            "-m",
            "planner.web.worker",
            str(run_dir / "input" / SCENARIO),
            str(run_dir / "plan"),
            "--lang",
            str(status.get("lang", self.lang)),
        ]
        if status.get("kind") == "replan":  # the input folder holds plan.json + actuals
            cmd[3] = str(run_dir / "input")
            cmd += [
                "--replan-actuals",
                str(run_dir / "input" / str(status["actuals"])),
                "--today",
                str(status["today"]),
                "--keep-days",
                str(status.get("keep_days", 2)),
            ]
        if status.get("effort"):
            cmd += ["--effort", str(status["effort"])]
        if status.get("time_limit") is not None:
            cmd += ["--time-limit", str(status["time_limit"])]
        return cmd

    def _follow(
        self, run_dir: Path, status: dict[str, Any], proc: subprocess.Popen[str]
    ) -> str | None:
        """Copy the worker's progress events into the run's status; the error it reported."""
        error = None
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("stage") == "failed":
                error = str(event.get("error", ""))
                continue
            for key in ("stage", "fraction", "message"):
                if key in event:
                    status[key] = event[key]
            if run_dir not in self._cancelled:
                write_status(run_dir, status)
        return error

    def _run(self, run_dir: Path) -> None:
        """Run one queued plan or re-plan in a worker process and record how it ended."""
        status = read_status(run_dir)
        with self._lock:
            if run_dir in self._cancelled or status.get("state") != "queued":
                return
            cmd = self._command(run_dir, status)
            status.update(state="running", started=time.time(), stage="loading")
            write_status(run_dir, status)
            with open(run_dir / "log.txt", "w", encoding="utf-8") as logfile:
                proc = subprocess.Popen(
                    cmd,
                    stdout=subprocess.PIPE,
                    stderr=logfile,
                    stdin=subprocess.DEVNULL,
                    text=True,
                    encoding="utf-8",
                    start_new_session=True,  # its own process group, ended as a whole
                )
            self._current = (run_dir, proc)
        error = self._follow(run_dir, status, proc)
        code = proc.wait()
        with self._lock:
            self._current = None
            cancelled = run_dir in self._cancelled
            self._cancelled.discard(run_dir)
        if cancelled:
            for tmp in run_dir.glob(".plan.*"):  # the half-written outputs of the killed run
                shutil.rmtree(tmp, ignore_errors=True)
            self._finish(run_dir, status, "cancelled")
        elif code == 0 and (run_dir / "plan" / "plan.json").is_file():
            self._finish(run_dir, status, "done", fraction=1.0)
        else:
            self._finish(run_dir, status, "failed", error=error or "internal error", code=code)


def _stop(proc: subprocess.Popen[str]) -> None:
    """End a worker's process group: terminate, then kill after the grace period."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def recover(runs: list[Path]) -> None:
    """Mark runs left queued or running by a server that stopped as interrupted."""
    for run_dir in runs:
        status = read_status(run_dir)
        if status.get("state") in ("queued", "running"):
            status.update(state="failed", error="interrupted: the server stopped")
            write_status(run_dir, status)
