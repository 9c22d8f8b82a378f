"""Frozen, validated domain objects.

Units contract (one place for the whole package): durations and clock times are integer
**minutes** (clock times are minutes after local midnight, Asia/Ho_Chi_Minh), distances are
**metres**, coordinates are WGS 84 longitude/latitude in degrees. Every model is a frozen
pydantic object: a what-if is ``obj.model_copy(update={...})``, never a mutation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from shapely import wkt
from shapely.geometry.base import BaseGeometry

PLAN_SCHEMA_VERSION = "1.0"

SlotKind = Literal["evening", "weekend", "holiday"]
SLOT_KINDS: tuple[SlotKind, ...] = ("evening", "weekend", "holiday")
Terrain = Literal["plain", "mountain"]
BANDS: tuple[str, ...] = ("age_0_6", "age_6_14", "age_14_plus")


def _to_geometry(value: Any) -> BaseGeometry:
    if isinstance(value, BaseGeometry):
        return value
    if isinstance(value, str):
        return wkt.loads(value)
    raise ValueError("expected a shapely geometry or WKT text")


Geometry = Annotated[
    BaseGeometry,
    PlainValidator(_to_geometry),
    PlainSerializer(lambda g: g.wkt, return_type=str),
    WithJsonSchema({"type": "string", "description": "WKT geometry"}),
]


class Frozen(BaseModel):
    """Base for every domain object: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class Point(Frozen):
    """A WGS 84 location."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class BandCounts(Frozen):
    """Counts of applications by age band (0-6, 6-14, 14 and over)."""

    age_0_6: int = Field(default=0, ge=0)
    age_6_14: int = Field(default=0, ge=0)
    age_14_plus: int = Field(default=0, ge=0)

    @property
    def total(self) -> int:
        """All bands together."""
        return self.age_0_6 + self.age_6_14 + self.age_14_plus

    def as_tuple(self) -> tuple[int, int, int]:
        """Counts in ``BANDS`` order."""
        return (self.age_0_6, self.age_6_14, self.age_14_plus)

    @classmethod
    def from_seq(cls, values: Any) -> BandCounts:
        """Build from three numbers in ``BANDS`` order."""
        a, b, c = (int(v) for v in values)
        return cls(age_0_6=a, age_6_14=b, age_14_plus=c)

    def __add__(self, other: BandCounts) -> BandCounts:
        return BandCounts.from_seq(
            x + y for x, y in zip(self.as_tuple(), other.as_tuple(), strict=True)
        )


class BandMinutes(Frozen):
    """Minutes (per station) or weights for each age band."""

    age_0_6: float = Field(gt=0)
    age_6_14: float = Field(gt=0)
    age_14_plus: float = Field(gt=0)

    def as_tuple(self) -> tuple[float, float, float]:
        """Values in ``BANDS`` order."""
        return (self.age_0_6, self.age_6_14, self.age_14_plus)


class ServicePoint(Frozen):
    """A place inside a commune where a team sets up and serves (village hall, cluster centre).

    Counts only: household identities never reach a service point.
    """

    id: str = Field(min_length=1)  # unique in the district, e.g. "99901-02"
    name: str = Field(min_length=1)
    location: Point
    households: int = Field(default=0, ge=0)
    outstanding: BandCounts = BandCounts()
    home_visits: int = Field(default=0, ge=0)  # households flagged as needing a home visit


class Commune(Frozen):
    """A commune (xã, phường, thị trấn) and its outstanding demand.

    ``service_point`` and ``outstanding`` describe the commune as a whole. When the household
    registry is aggregated into several meeting places, ``service_points`` lists them, each with
    its own demand (their sum is ``outstanding``); otherwise it is empty and teams serve the
    whole commune at ``service_point``.
    """

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    geometry: Geometry
    terrain: Terrain = "plain"
    service_point: Point
    service_point_name: str = ""
    police_contact: str = ""
    households: int = Field(default=0, ge=0)
    outstanding: BandCounts = BandCounts()
    service_points: tuple[ServicePoint, ...] = ()


class District(Frozen):
    """A district with its police base and its communes."""

    code: str
    name: str
    outline: Geometry
    base: Point
    base_name: str = "Công an huyện"
    communes: tuple[Commune, ...]

    @field_validator("communes")
    @classmethod
    def _unique_codes(cls, communes: tuple[Commune, ...]) -> tuple[Commune, ...]:
        seen: set[str] = set()
        for c in communes:
            if c.code in seen:
                raise ValueError(f"commune code {c.code!r} appears twice")
            seen.add(c.code)
        return communes

    def commune(self, code: str) -> Commune:
        """The commune with this code (KeyError if absent)."""
        for c in self.communes:
            if c.code == code:
                return c
        raise KeyError(code)


class Team(Frozen):
    """A mobile team (tổ lưu động)."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1)
    base: Point | None = None  # None: the district police base
    stations: int = Field(default=1, ge=1, le=20)
    members: tuple[str, ...] = ()
    weekly_hour_cap: float | None = Field(default=None, gt=0)
    rest_days_per_week: int = Field(default=0, ge=0, le=7)
    unavailable_dates: tuple[dt.date, ...] = ()
    area: tuple[str, ...] = ()  # commune codes the team may serve; empty: all of them


def parse_clock(value: Any) -> int:
    """Parse ``"HH:MM"`` (or minutes) into minutes after midnight."""
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    elif isinstance(value, dt.time):
        minutes = value.hour * 60 + value.minute
    elif isinstance(value, str):
        try:
            hh, mm = value.strip().split(":")
            minutes = int(hh) * 60 + int(mm)
            if not (0 <= int(mm) < 60):
                raise ValueError
        except ValueError:
            raise ValueError(f"{value!r} is not a clock time HH:MM") from None
    else:
        raise ValueError(f"{value!r} is not a clock time HH:MM")
    if not 0 <= minutes <= 24 * 60:
        raise ValueError(f"{value!r} is outside 00:00-24:00")
    return minutes


def format_clock(minutes: int) -> str:
    """Minutes after midnight as ``HH:MM``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


Clock = Annotated[
    int,
    PlainValidator(parse_clock),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}$"}),
]


class Break(Frozen):
    """A pause (e.g. lunch) of ``minutes`` that must lie within ``earliest``–``latest``.

    During it the team neither serves nor travels; it may take it at a stop or at the base.
    """

    earliest: Clock
    latest: Clock
    minutes: int = Field(ge=1, le=240)

    @model_validator(mode="after")
    def _fits(self) -> Break:
        if self.earliest + self.minutes > self.latest:
            raise ValueError("the break does not fit between its earliest and latest times")
        return self


class SlotTemplate(Frozen):
    """Working hours of one kind of slot.

    The duty window includes travel from and back to the base; citizens are served only
    inside the reception window, which lies within the duty window. ``break`` (optional) is a
    pause the team takes inside the duty window.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    duty_start: Clock
    duty_end: Clock
    reception_start: Clock
    reception_end: Clock
    break_: Break | None = Field(default=None, alias="break")

    @model_validator(mode="after")
    def _ordered(self) -> SlotTemplate:
        if not (self.duty_start <= self.reception_start < self.reception_end <= self.duty_end):
            raise ValueError(
                "times must satisfy duty_start <= reception_start < reception_end <= duty_end"
            )
        b = self.break_
        if b is not None and not (self.duty_start <= b.earliest and b.latest <= self.duty_end):
            raise ValueError("the break must lie within the duty window")
        return self


class Calendar(Frozen):
    """Campaign dates and the slots worked on them."""

    start: dt.date
    end: dt.date
    evening: SlotTemplate = SlotTemplate(
        duty_start=parse_clock("17:00"),
        duty_end=parse_clock("21:30"),
        reception_start=parse_clock("17:45"),
        reception_end=parse_clock("21:00"),
    )
    weekend: SlotTemplate = SlotTemplate(
        duty_start=parse_clock("07:00"),
        duty_end=parse_clock("17:30"),
        reception_start=parse_clock("07:30"),
        reception_end=parse_clock("17:00"),
    )
    holiday: SlotTemplate = SlotTemplate(
        duty_start=parse_clock("07:00"),
        duty_end=parse_clock("17:30"),
        reception_start=parse_clock("07:30"),
        reception_end=parse_clock("17:00"),
    )
    work_evenings: bool = True
    work_weekends: bool = True
    work_holidays: bool = True
    extra_non_working_days: tuple[dt.date, ...] = ()
    holiday_country: str = "VN"
    deadline: dt.date | None = None  # no visit is planned after this date

    @model_validator(mode="after")
    def _ordered(self) -> Calendar:
        if self.deadline is not None and self.deadline < self.start:
            raise ValueError(f"the deadline ({self.deadline}) is before the campaign starts")
        if self.end < self.start:
            raise ValueError(f"the campaign ends ({self.end}) before it starts ({self.start})")
        if (self.end - self.start).days > 366:
            raise ValueError("a campaign may last at most one year")
        return self

    def template(self, kind: SlotKind) -> SlotTemplate:
        """The slot template of this kind."""
        return {"evening": self.evening, "weekend": self.weekend, "holiday": self.holiday}[kind]

    def dates(self) -> Iterator[dt.date]:
        """Every date of the campaign, first to last."""
        d = self.start
        while d <= self.end:
            yield d
            d += dt.timedelta(days=1)


class ServiceParams(Frozen):
    """How long service takes."""

    minutes_per_application: BandMinutes = BandMinutes(age_0_6=6.0, age_6_14=10.0, age_14_plus=12.0)
    setup_minutes: int = Field(default=15, ge=0, le=240)


class SlotShares(Frozen):
    """A share in (0, 1] for each kind of slot."""

    evening: float = Field(default=1.0, gt=0, le=1)
    weekend: float = Field(default=1.0, gt=0, le=1)
    holiday: float = Field(default=1.0, gt=0, le=1)

    def of(self, kind: SlotKind) -> float:
        """The share for one kind of slot."""
        return float(getattr(self, kind))


class Turnout(Frozen):
    """Who comes when a team sets up in a commune.

    ``by_slot``: the share of a commune's outstanding applicants that can come to visits of
    each kind of slot (people working away come home at holidays, so holidays reach the most).
    ``repeat_visit_share``: the share of the still-outstanding applicants that come to each
    visit; with q < 1, after v visits at most 1 − (1 − q)^v of the demand has come
    (diminishing returns on repeat visits). 1.0 means a single visit can reach everyone.
    """

    by_slot: SlotShares = SlotShares()
    repeat_visit_share: float = Field(default=1.0, gt=0, le=1)

    def reachable(self, visits: int) -> float:
        """Share of the demand that ``visits`` visits can reach in total."""
        return 1.0 - (1.0 - self.repeat_visit_share) ** visits


class Pin(Frozen):
    """A visit fixed in advance: this team works this commune on this date."""

    team: str
    date: dt.date
    commune: str


class CampaignRules(Frozen):
    """Rules every plan must follow beyond the working hours."""

    min_visits_per_commune: int = Field(default=0, ge=0, le=31)
    pins: tuple[Pin, ...] = ()
    # a re-plan changes published sheets only when that gains more than this share of the value
    replan_min_gain: float = Field(default=0.02, ge=0, le=1)


class SolverParams(Frozen):
    """Optimizer settings: the effort (work limits), a seed, and a time limit as a guard."""

    time_limit_seconds: float = Field(default=600.0, gt=0, le=24 * 3600)
    seed: int = Field(default=0, ge=0)
    effort: Literal["quick", "normal", "thorough"] = "normal"  # how far the search goes
    workers: int = Field(default=2, ge=1, le=64)
    weights: BandMinutes = BandMinutes(age_0_6=3.0, age_6_14=2.0, age_14_plus=1.0)
    max_stops_per_slot: int = Field(default=3, ge=1, le=4)


class TravelTable(Frozen):
    """Travel between points computed beforehand (e.g. on a road network).

    ``minutes[i][j]`` and ``metres[i][j]`` go from ``points[i]`` to ``points[j]``. When a problem
    carries a table it must contain every team base and every service point.
    """

    source: str
    points: tuple[Point, ...]
    minutes: tuple[tuple[int, ...], ...]
    metres: tuple[tuple[int, ...], ...]


class Problem(Frozen):
    """Everything the optimizer needs, already loaded and validated; no file paths."""

    name: str
    district: District
    teams: tuple[Team, ...] = Field(min_length=1)
    calendar: Calendar
    service: ServiceParams = ServiceParams()
    turnout: Turnout = Turnout()
    rules: CampaignRules = CampaignRules()
    solver: SolverParams = SolverParams()
    travel_table: TravelTable | None = None  # None: the straight-line model

    @field_validator("teams")
    @classmethod
    def _unique_ids(cls, teams: tuple[Team, ...]) -> tuple[Team, ...]:
        ids = [t.id for t in teams]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"team id {sorted(dup)[0]!r} appears twice")
        return teams

    def team_base(self, team: Team) -> Point:
        """Where a team departs from and returns to."""
        return team.base if team.base is not None else self.district.base


# --------------------------------------------------------------------------- plan


class Visit(Frozen):
    """One stop of a team in a commune during one slot."""

    team_id: str
    date: dt.date
    slot: SlotKind
    commune_code: str
    service_point_id: str = ""  # set when the commune has several service points
    order: int = Field(ge=1)
    arrive: Clock
    start: Clock
    end: Clock
    travel_minutes: int = Field(ge=0)  # from the previous stop or the base
    expected: BandCounts


class Route(Frozen):
    """A team's work on one date: out from base, ordered stops, back."""

    team_id: str
    date: dt.date
    slot: SlotKind
    depart: Clock
    return_: Clock = Field(alias="return")
    travel_minutes: int = Field(ge=0)
    distance_m: int = Field(ge=0)
    visits: tuple[Visit, ...]
    break_start: Clock | None = None  # the slot's break, when its template has one
    break_end: Clock | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @property
    def expected(self) -> BandCounts:
        """Applications expected over all stops."""
        total = BandCounts()
        for v in self.visits:
            total = total + v.expected
        return total


class Kpis(Frozen):
    """Headline figures of a plan."""

    applications_outstanding: int
    applications_planned: int
    planned_by_band: BandCounts
    outstanding_by_band: BandCounts
    share_planned: float
    weighted_planned: float
    communes_never_visited: tuple[str, ...]
    visits: int
    team_hours: float
    travel_minutes: int
    distance_km: float
    solve_seconds: float
    solver_status: str
    upper_bound: float | None = None  # no plan can exceed this weighted value
    gap: float | None = None  # 1 - weighted_planned / upper_bound


StopStatus = Literal["done", "partly", "not_done"]
STOP_STATUSES: tuple[StopStatus, ...] = ("done", "partly", "not_done")


class ActualStop(Frozen):
    """What a team reported for one stop of a day already worked (frozen by a re-plan).

    ``planned`` is what the plan of that day expected (zero for a stop the plan did not have),
    ``actual`` what the team took.
    """

    date: dt.date
    team_id: str
    commune_code: str
    service_point_id: str = ""
    slot: SlotKind
    planned: BandCounts = BandCounts()
    actual: BandCounts = BandCounts()
    status: StopStatus = "done"
    note: str = ""


class Plan(Frozen):
    """The optimizer's result: routes per team and date, with KPIs.

    ``history`` (set by a re-plan) holds the days before ``problem.calendar.start`` as they
    actually happened and ``history_routes`` the sheets they were worked from; the problem's
    demand is then what was still outstanding on that date.
    """

    schema_version: str = PLAN_SCHEMA_VERSION
    scenario: str
    problem: Problem  # the inputs, so every output can be re-rendered without solving
    seed: int
    time_limit_seconds: float
    effort: str = "normal"  # the work budget the plan was made with
    stopped_by: Literal["work_limit", "time_limit"] = "work_limit"  # what ended the search
    routes: tuple[Route, ...]
    kpis: Kpis
    warnings: tuple[str, ...] = ()  # e.g. communes no team can reach, in words
    history: tuple[ActualStop, ...] = ()  # days already worked, with the actual counts
    history_routes: tuple[Route, ...] = ()  # the sheets those days were worked from

    @field_validator("schema_version")
    @classmethod
    def _readable(cls, version: str) -> str:
        # A newer minor version only adds fields; another major one changes their meaning.
        if version.split(".")[0] != PLAN_SCHEMA_VERSION.split(".")[0]:
            raise ValueError(
                f"plan schema version {version!r} is not one this planner reads "
                f"(it reads {PLAN_SCHEMA_VERSION.split('.')[0]}.x); plan again with this version"
            )
        return version

    @property
    def visits(self) -> tuple[Visit, ...]:
        """All visits, in route order."""
        return tuple(v for r in self.routes for v in r.visits)
