"""How much work the optimizer may do: deterministic limits, with the clock only as a guard.

A :class:`Budget` says how far each phase of the search goes, in units of work that do not depend
on the machine or its load: column generation rounds, simplex work per LP, rounding batches and
branch-and-bound nodes. The same problem, seed and budget therefore give the same plan anywhere.

The time limit is a guard: a :class:`Guard` is started with each solve, every phase asks it how
long it may still run, and when the clock cuts a phase short the guard remembers it, so that the
plan can say it was stopped by the time limit (and may then differ from run to run).

This module is the only place in :mod:`planner.solve` that reads the clock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Literal

Effort = Literal["quick", "normal", "thorough"]
EFFORTS: tuple[Effort, ...] = ("quick", "normal", "thorough")
StoppedBy = Literal["work_limit", "time_limit"]


@dataclass(frozen=True)
class Budget:
    """Work limits of one solve, per independent part of the problem.

    Parameters
    ----------
    effort
        The preset the limits come from (``quick``, ``normal`` or ``thorough``).
    cg_rounds
        Column generation rounds (LP solve + pricing) at most.
    lp_work
        GLOP deterministic time per LP, per thousand rows of the model (GLOP's own unit of
        work, independent of the clock); an LP always gets at least ``lp_work_min``.
    lp_work_min
        The floor of ``lp_work`` for small models.
    rounding_batches
        Batches of team-weeks rounded one after another, with an LP re-solve in between.
    dive_lps
        LP solves of the dive (:mod:`planner.solve.dive`) that turns the relaxation into whole
        route counts one batch of decisions at a time; 0 skips it.
    mip_nodes
        SCIP branch-and-bound nodes for the applications phase of the polish.
    travel_nodes
        SCIP nodes for the travel phase (fewest minutes on the road, applications kept); 0
        skips that phase.
    team_passes
        Passes over the teams of the team-by-team search (:mod:`planner.solve.teams`), which
        runs when the polished plan is more than 2% below its bound; 0 skips it.
    team_nodes
        SCIP nodes for re-planning one team's routes in that search.
    descent_passes
        Passes over the working slots of the slot-by-slot search (:mod:`planner.solve.descent`),
        which gives each slot in turn the trip that takes the most; 0 skips it.
    descent_kicks
        Restarts of that search from its plan with one team-week cleared (drawn from the
        seed), when the plan is more than 2% below its bound; 0 for none.
    time_limit
        Wall-clock guard in seconds for the whole solve.
    """

    effort: Effort = "normal"
    cg_rounds: int = 8
    lp_work: float = 4.0
    lp_work_min: float = 20.0
    rounding_batches: int = 6
    dive_lps: int = 150
    mip_nodes: int = 300
    travel_nodes: int = 0
    team_passes: int = 2
    team_nodes: int = 50
    descent_passes: int = 4
    descent_kicks: int = 40
    time_limit: float = 600.0

    @classmethod
    def of(cls, effort: Effort = "normal", time_limit: float = 600.0) -> Budget:
        """The budget of a named effort, guarded by ``time_limit`` seconds."""
        if effort not in PRESETS:
            raise ValueError(f"effort must be one of {', '.join(EFFORTS)}, not {effort!r}")
        return replace(PRESETS[effort], time_limit=time_limit)

    def lp_limit(self, rows: int) -> float:
        """GLOP deterministic-time limit of an LP with ``rows`` rows."""
        return max(self.lp_work_min, self.lp_work * rows / 1000.0)

    def describe(self) -> str:
        """One line for users: what the effort means in numbers."""
        return (
            f"{self.effort}: up to {self.cg_rounds} column generation rounds, "
            f"{self.rounding_batches} rounding batches, {self.dive_lps} diving LPs, "
            f"{self.mip_nodes:,} + "
            f"{self.travel_nodes:,} branch-and-bound nodes per part, "
            f"{self.team_passes} team-by-team passes of {self.team_nodes:,} nodes, "
            f"{self.descent_passes} slot-by-slot passes and {self.descent_kicks} restarts; "
            f"time limit {self.time_limit:g} s as a guard"
        )


PRESETS: dict[Effort, Budget] = {
    "quick": Budget(
        effort="quick",
        cg_rounds=3,
        lp_work=2.0,
        lp_work_min=10.0,
        rounding_batches=2,
        dive_lps=50,
        mip_nodes=30,
        travel_nodes=0,
        team_passes=0,
        team_nodes=5,
        descent_passes=2,
        descent_kicks=16,
    ),
    "normal": Budget(),
    "thorough": Budget(
        effort="thorough",
        cg_rounds=30,
        lp_work=8.0,
        lp_work_min=40.0,
        rounding_batches=6,
        dive_lps=400,
        mip_nodes=2000,
        travel_nodes=300,
        team_passes=3,
        team_nodes=500,
        descent_passes=8,
        descent_kicks=100,
    ),
}


class Guard:
    """The wall-clock guard of one solve: how long is left, and whether it cut anything.

    ``deadline`` is an absolute time (``time.time()``), so a guard can travel to another process
    and still mean the same moment.
    """

    def __init__(self, seconds: float, deadline: float | None = None) -> None:
        self.started = time.time()
        self.deadline = self.started + seconds if deadline is None else deadline
        self.cut = False
        self._t0 = time.perf_counter()

    def left(self) -> float:
        """Seconds until the deadline (never negative)."""
        return max(0.0, self.deadline - time.time())

    def expired(self) -> bool:
        """True once the deadline has passed; marks the run as cut short."""
        if time.time() >= self.deadline:
            self.cut = True
        return self.cut

    def limit(self, share: float = 1.0, floor: float = 0.05) -> float:
        """A wall-clock limit for a library call: ``share`` of what is left, at least ``floor``."""
        return max(floor, share * self.left())

    def check(self, started: float, allowed: float) -> None:
        """Mark the run as cut when a call given ``allowed`` seconds from ``started`` used them."""
        if time.time() - started >= allowed * 0.98 or self.left() <= 0:
            self.cut = True

    def now(self) -> float:
        """The current time, for :meth:`check`."""
        return time.time()

    def elapsed(self) -> float:
        """Seconds since the guard started."""
        return time.perf_counter() - self._t0

    @property
    def stopped_by(self) -> StoppedBy:
        """``time_limit`` when the clock cut any phase short, else ``work_limit``."""
        return "time_limit" if self.cut else "work_limit"


def finite_seconds(seconds: float) -> float:
    """Refuse infinite or NaN time limits with a plain message."""
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"the time limit must be a positive number of seconds, not {seconds}")
    return seconds


__all__ = ["EFFORTS", "PRESETS", "Budget", "Effort", "Guard", "StoppedBy", "finite_seconds"]
