"""Breaks inside a slot (e.g. lunch on a weekend or holiday): capacity rule and timetable.

A slot template may carry a break of ``minutes`` somewhere within ``earliest``–``latest``;
during it the team neither serves nor travels. It may be taken at the base (before leaving or
after coming back) or on the way, pausing a stop's set-up or service.

**Capacity rule** (used by the pattern table). A trip that uses its full capacity departs at
``depart`` and is back at ``ret``. The base offers ``room = max(before, after)`` minutes of the
break window outside that span (``before`` = window time up to ``depart``, ``after`` = window
time from ``ret``); the rest of the break, ``max(0, minutes − room)``, is taken out of the
trip's service capacity. Every trip can realise that capacity (the break starts at the base
and the day shifts, or pauses the service). It is also the most any schedule can serve when
the break window lies inside the reception window (the usual lunch case): service, travel
between stops and set-ups all happen between the first possible service start and the last
possible service end, and the break must fall there too. The upper bound, computed over the
same table, is then exact with respect to breaks; when a break window reaches outside the
reception window the table may under-state a trip's capacity by at most the minutes of the
first or last leg and set-up, and the bound holds for trips that take their break at the base
or during service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.calendar import Slot
from planner.model import Break

SCAN_STEP = 5  # minutes between the break starts tried when the break is taken on the way


def break_loss(brk: Break, depart: np.ndarray, ret: np.ndarray) -> np.ndarray:
    """Service minutes a full trip leaving at ``depart`` and back at ``ret`` loses to the break."""
    before = np.clip(np.minimum(brk.latest, depart) - brk.earliest, 0, None)
    after = np.clip(brk.latest - np.maximum(brk.earliest, ret), 0, None)
    return np.clip(brk.minutes - np.maximum(before, after), 0, None)


@dataclass(frozen=True)
class Timetable:
    """Clock times of one route with its break."""

    depart: int
    stops: tuple[tuple[int, int, int], ...]  # (arrive, start, end) per stop
    ret: int
    break_start: int
    break_end: int


def _travel(ready: int, leg: int, bs: int, be: int) -> int:
    """Arrival after a leg started no earlier than ``ready``; a leg is never split."""
    start = ready
    if leg > 0 and start < be and start + leg > bs:
        start = be
    return start + leg


def _work(start: int, minutes: int, bs: int, be: int) -> int:
    """End of ``minutes`` of set-up or service from ``start``, paused during the break."""
    if bs <= start < be:
        start = be
    end = start + minutes
    if start < bs < end:
        end += be - bs
    return end


def _try(
    slot: Slot, legs: Sequence[int], service: Sequence[int], setup: int, bs: int, minutes: int
) -> Timetable | None:
    be = bs + minutes
    # leave as late as the windows allow (as without a break), unless the leg meets the break
    arrive0 = max(slot.duty_start + legs[0], slot.reception_start - setup)
    depart = arrive0 - legs[0]
    if depart < be and arrive0 > bs:
        depart = be
    clock = depart + legs[0]
    stops = []
    for k, svc in enumerate(service):
        if k > 0:
            clock = _travel(clock, legs[k], bs, be)
        arrive = clock
        ready = _work(arrive, setup, bs, be)
        start = max(ready, slot.reception_start)
        if bs <= start < be:
            start = be
        end = _work(start, svc, bs, be)
        stops.append((arrive, start, end))
        clock = end
    ret = _travel(clock, legs[-1], bs, be)
    if depart < slot.duty_start or clock > slot.reception_end or ret > slot.duty_end:
        return None
    return Timetable(depart, tuple(stops), ret, bs, be)


def timetable(
    slot: Slot, brk: Break, legs: Sequence[int], service: Sequence[int], setup: int
) -> Timetable | None:
    """Clock times of a route with its break, or None when the service does not fit.

    ``legs`` are the travel minutes base → stop 1 → … → base, ``service`` the service minutes
    at each stop. The break is taken at the base when the day leaves room for it there,
    otherwise at the earliest start (in steps of ``SCAN_STEP`` minutes) that fits.
    """
    starts = [brk.earliest, brk.latest - brk.minutes]
    starts[1:1] = range(brk.earliest + SCAN_STEP, brk.latest - brk.minutes, SCAN_STEP)
    plain = _try(slot, legs, service, setup, -(10**6), 0)
    if plain is not None:
        # at the base: before leaving or after coming back
        if plain.depart - brk.earliest >= brk.minutes:
            return Timetable(
                plain.depart, plain.stops, plain.ret, brk.earliest, brk.earliest + brk.minutes
            )
        if brk.latest - max(brk.earliest, plain.ret) >= brk.minutes:
            bs = max(brk.earliest, plain.ret)
            return Timetable(plain.depart, plain.stops, plain.ret, bs, bs + brk.minutes)
    for bs in starts:
        got = _try(slot, legs, service, setup, bs, brk.minutes)
        if got is not None:
            return got
    return None


__all__ = ["SCAN_STEP", "Timetable", "break_loss", "timetable"]
