"""The generative model of the simulated contact centre, run week by week.

Latent state per frontline agent: skills on a continuous 1-5 scale (innate level plus a
tenure learning curve plus training boosts), a weekly stress level (AR(1) around a personal
mean set by work arrangement, employment type and team), and a fixed offset per metric.

* KPIs are linear in (skill - 3) and stress plus weekly noise (larger than a typical
  training effect) and company-wide seasonal shocks.
* A completion or coaching session adds a gain to a *pending* boost per skill; each week a
  share `RAMP` of the pending boost becomes active and the active boost decays by `DECAY`,
  so effects build over a few weeks and fade slowly. The gain depends on the skill gap,
  tenure, delivery vs work arrangement, stress, the coach, prerequisites and repeats.
* Leaving is a discrete-time proportional-hazards model: weekly hazard
  h = base(tenure) * exp(type + STRESS_LOGHR * stress + PERF_LOGHR * perf) * HR^exposed,
  where perf is the latent expected performance (skills only) and exposed = any completion
  or coaching session in the previous DEV_WINDOW weeks. HR = DEV_HAZARD_RATIO is therefore
  the direct effect of development holding performance, wellbeing (stress), tenure and
  employment type fixed. Leavers of a week are drawn by systematic sampling (each agent
  still leaves with exactly its own probability; the weekly count barely varies).
* Development happens by habit: mandatory items at hire and yearly renewal (`system`),
  leads react to a bad observed week with an item for the weakest-looking skill and/or a
  coaching session next week (`lead`, regression to the mean), self-enrolment weighted by
  popularity (`self`), and randomised pilots (`campaign`, see `Centre._campaign`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import catalogue as C

DATA_END = dt.date(2025, 9, 29)  # Monday of the last simulated week: the as-of date
DEV_HAZARD_RATIO = 0.7
DEV_WINDOW = 12
FUTURE_WEEKS = 13
FUTURE_REPS = 400
GAIN_WEEKS = 8

RAMP = 0.4  # share of the pending boost that becomes active each week
DECAY = 0.985  # weekly persistence of the active boost (half-life about 46 weeks)
TENURE_SCALE = 45.0  # weeks; the on-the-job learning curve
BASE_HAZARD = 0.00518
EARLY_HAZARD = 1.0  # extra hazard multiple at tenure 0, fading with EARLY_SCALE
EARLY_SCALE = 14.0
TYPE_LOGHR = np.log(np.array([1.0, 1.2, 1.45, 1.85]))  # full, part, outsourced, gig
STRESS_LOGHR = 0.45
PERF_LOGHR = -0.8

TYPES = ["full_time", "part_time", "outsourced", "gig"]
ARRANGEMENTS = ["onsite", "remote", "hybrid"]
TYPE_P = [0.435, 0.17, 0.25, 0.145]
ARRANGEMENT_P = [0.375, 0.40, 0.225]
DELIVERIES = ["online", "blended", "in_person"]
# Multiplier on an item's gain by [delivery, work arrangement].
DELIVERY_FIT = np.array([[1.0, 1.0, 1.0], [1.0, 0.75, 0.9], [1.0, 0.15, 0.6]])
ITEM_DELIVERY_IX = np.array([DELIVERIES.index(d) for d in C.ITEM_DELIVERY])

SITES = [("Cape Town", "+02:00"), ("Bogotá", "-05:00")]
VENDOR_SITE = ("Manila (Pacific BPO)", "+08:00")
TEAM_NAMES = ["Falcons", "Harbour", "Summit", "Comets", "Orchid", "Baobab", "Condor",
              "Marlin", "Jacaranda", "Aurora", "Tide", "Protea", "Andes", "Kestrel"]


def week_start(t: int, weeks: int) -> dt.date:
    return DATA_END - dt.timedelta(weeks=weeks - 1 - t)


def tenure_factor(tenure: np.ndarray) -> np.ndarray:
    return 1.0 + EARLY_HAZARD * np.exp(-np.maximum(tenure, 0) / EARLY_SCALE)


def boost_profile(weeks: int = GAIN_WEEKS) -> np.ndarray:
    """Active share of a unit gain k = 1..weeks weeks after completion."""
    pending, active, out = 1.0, 0.0, []
    for _ in range(weeks):
        active = DECAY * active + RAMP * pending
        pending *= 1 - RAMP
        out.append(active)
    return np.array(out)


class QuotaSampler:
    """Categories in exact proportions per shuffled block, so shares barely drift."""

    def __init__(self, probs: list[float], rng: np.random.Generator, block: int = 200):
        self.probs, self.rng, self.block, self.queue = np.array(probs), rng, block, []

    def exact(self, n: int) -> np.ndarray:
        raw = self.probs * n
        counts = np.floor(raw).astype(int)
        order = np.argsort(-(raw - counts), kind="stable")
        counts[order[: n - counts.sum()]] += 1
        return self.rng.permutation(np.repeat(np.arange(len(self.probs)), counts))

    def draw(self) -> int:
        if not self.queue:
            self.queue = list(self.exact(self.block))
        return int(self.queue.pop())


@dataclass
class Person:
    """One row of agents.csv (frontline and staff)."""

    employee_id: str
    name: str
    email: str
    team: int
    role: str
    hire_date: dt.date
    arrangement: str
    etype: str
    goal: str = ""
    hourly_cost: float = 0.0
    history: list[tuple[dt.date, str]] = field(default_factory=list)


@dataclass
class Team:
    code: str
    name: str
    site: str
    offset: str
    vendor: bool
    lead: int = -1  # index into people
    coach_quality: float = 1.0
    stress_effect: float = 0.0


class Events:
    """Column arrays gathered week by week, concatenated once at the end."""

    def __init__(self) -> None:
        self.parts: dict[str, list[dict[str, np.ndarray]]] = {}

    def add(self, name: str, **cols) -> None:
        self.parts.setdefault(name, []).append(
            {k: np.atleast_1d(np.asarray(v)) for k, v in cols.items()})

    def get(self, name: str) -> dict[str, np.ndarray]:
        parts = self.parts.get(name, [])
        if not parts:
            return {}
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


class Frontline:
    """Latent state arrays, one row per frontline agent ever employed."""

    GROW = 256

    def __init__(self) -> None:
        self.n = 0
        self.cap = 0
        specs = {
            "pid": (int, ()), "hire_week": (int, ()), "etype": (int, ()),
            "arr": (int, ()), "team": (int, ()), "ability": (float, ()),
            "innate": (float, (C.N_SKILLS,)), "A": (float, (C.N_SKILLS,)),
            "P": (float, (C.N_SKILLS,)), "offset": (float, (C.N_METRICS,)),
            "stress": (float, ()), "stress_mu": (float, ()), "self_rate": (float, ()),
            "active": (bool, ()), "front": (bool, ()), "senior": (bool, ()),
            "goal": (int, ()), "last_dev": (int, ()), "count": (int, (C.N_ITEMS,)),
            "last_done": (int, (C.N_ITEMS,)), "ema": (float, ()), "ema_n": (int, ()),
            "lead_item": (int, ()), "lead_week": (int, ()), "coach_item": (int, ()),
            "coach_week": (int, ()), "camp_item": (int, ()), "camp_week": (int, ()),
            "phase": (int, ()),
        }
        self.specs = specs
        for name, (dtype, shape) in specs.items():
            setattr(self, name, np.zeros((0, *shape), dtype=dtype))

    def add(self, k: int) -> np.ndarray:
        if self.n + k > self.cap:
            new_cap = max(self.cap * 2, self.n + k + self.GROW)
            for name, (dtype, shape) in self.specs.items():
                old = getattr(self, name)
                arr = np.zeros((new_cap, *shape), dtype=dtype)
                arr[: self.n] = old[: self.n]
                setattr(self, name, arr)
            self.cap = new_cap
        idx = np.arange(self.n, self.n + k)
        self.n += k
        for name in ("lead_item", "coach_item", "camp_item", "goal"):
            getattr(self, name)[idx] = -1
        for name in ("lead_week", "coach_week", "camp_week", "last_dev"):
            getattr(self, name)[idx] = -10_000
        self.last_done[idx] = -10_000
        return idx
