"""The weekly loop: hiring, stress, skills, KPIs, leaving, signals and development."""

from __future__ import annotations

import datetime as dt

import numpy as np

from . import catalogue as C
from .engine import (
    ARRANGEMENT_P,
    BASE_HAZARD,
    DATA_END,
    DECAY,
    DELIVERY_FIT,
    DEV_HAZARD_RATIO,
    DEV_WINDOW,
    FUTURE_WEEKS,
    ITEM_DELIVERY_IX,
    PERF_LOGHR,
    RAMP,
    SITES,
    STRESS_LOGHR,
    TEAM_NAMES,
    TENURE_SCALE,
    TYPE_LOGHR,
    TYPE_P,
    VENDOR_SITE,
    Events,
    Frontline,
    Person,
    QuotaSampler,
    Team,
    tenure_factor,
    week_start,
)
from .text import FIRST_NAMES, LAST_NAMES

ARR_STRESS = np.array([0.15, 0.05, -0.25])  # onsite, remote, hybrid: hybrid is calmer
TYPE_STRESS = np.array([0.0, -0.1, 0.05, 0.15])
TYPE_SELF = np.array([0.0, -0.2, -0.3, -0.6])  # log-rate of self-enrolment by type
TYPE_COST = np.array([21.0, 19.0, 15.5, 17.0])
TYPE_AWAY = np.array([0.02, 0.04, 0.02, 0.12])  # weekly chance of a week with no work
# Metric offsets by employment type (outsourced: slower and less satisfied customers;
# gig: weaker adherence and quality).
TYPE_OFFSET = np.array([
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0.004, 0],
    [12.0, -0.01, -0.04, -1.0, 0, -0.02],
    [6.0, -0.01, -0.02, -1.5, -0.015, -0.01],
])
STAFF_ARRANGEMENT_P = [0.45, 0.2, 0.35]
QA_SKILLS = np.array([C.SK[s] for s in ("compliance", "communication", "product_knowledge",
                                        "tools_systems", "emotional_intelligence",
                                        "deescalation")])
QA_ASSESSED = np.array([C.SK[s] for s in ("compliance", "communication",
                                          "product_knowledge", "tools_systems")])
CHANNELS = ["voice", "chat", "email", "social"]
CHANNEL_P = np.array([0.45, 0.3, 0.15, 0.1])
CHANNEL_MULT = np.array([1.0, 1.3, 0.75, 0.6])
CHANNEL_MULT = CHANNEL_MULT / (CHANNEL_P @ CHANNEL_MULT)
BY = ["system", "lead", "self", "campaign"]
CAMPAIGN_ITEMS = ["SIM-ESC", "TS-101", "CM-101", "EI-101", "SIM-BILL"]
DIP = 0.4  # drop of the observed composite below the agent's running mean that leads react to


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def systematic_draw(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bernoulli(p_i) for each i, drawn jointly by systematic sampling.

    Each agent still leaves with exactly its own probability, but the number of leavers in
    a week is sum(p) rounded up or down, so a centre's attrition rate does not swing with
    the luck of the draw (the hazard model, not noise, sets it).
    """
    order = rng.permutation(len(p))
    cum = np.cumsum(p[order])
    u = rng.random()
    previous = np.concatenate([[0.0], cum[:-1]])
    hit = np.floor(cum + u) > np.floor(previous + u)
    out = np.zeros(len(p), dtype=bool)
    out[order] = hit
    return out


def choose(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One column per row, with probability proportional to the row's weights."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), weights.shape[1] - 1)


class Centre:
    def __init__(self, *, n_agents: int, weeks: int, seed: int) -> None:
        if n_agents < 8 or weeks < 2:
            raise ValueError("simulate needs at least 8 agents and 2 weeks")
        streams = np.random.SeedSequence(seed).spawn(6)
        self.rng_people, self.rng, self.rng_text, self.rng_ids, self.rng_mc, self.rng_fut = (
            np.random.default_rng(s) for s in streams)
        self.W, self.N0 = weeks, n_agents
        self.people: list[Person] = []
        self.teams: list[Team] = []
        self.fl = Frontline()
        self.ev = Events()
        self.separations: list[tuple[int, dt.date, str]] = []
        self.hires_due: dict[int, int] = {}
        self.type_sampler = QuotaSampler(TYPE_P, self.rng_people)
        self.arr_sampler = QuotaSampler(ARRANGEMENT_P, self.rng_people)
        self._declare_events()
        self.retire_week = int(weeks * 0.4)
        # About one randomised pilot per half year, spread evenly over the run.
        waves = max(1, round(weeks / 26)) if weeks >= 12 else 0
        self.campaign_weeks = {
            round(weeks * (k + 1) / (waves + 1)): C.IT[CAMPAIGN_ITEMS[k % len(CAMPAIGN_ITEMS)]]
            for k in range(waves)}
        self._seasons()

    # ----------------------------------------------------------------- set-up
    def _declare_events(self) -> None:
        """Zero-length parts fix each stream's columns, so an empty stream still concatenates."""
        i, x, b = np.zeros(0, dtype=int), np.zeros(0), np.zeros(0, dtype=bool)
        ev = self.ev
        ev.add("perf", f=i, t=i, v=np.zeros((0, C.N_METRICS)))
        ev.add("inter", f=i, t=i, day=i, sec=i, channel=i, topic=i, handle=x, resolved=b,
               csat=x, sentiment=x, tonly=b)
        ev.add("qa", f=i, t=i, day=i, evaluator=i, scores=np.zeros((0, len(QA_SKILLS))))
        ev.add("pulse", f=i, t=i, day=i, wellbeing=x, engagement=x, enps=x, comment=i)
        ev.add("assess", f=i, t=i, day=i, skill=i, level=x, source=np.zeros(0, dtype="<U4"))
        ev.add("comp", f=i, t=i, day=i, item=i, score=x, by=i)
        ev.add("fail", f=i, t=i, day=i, item=i, score=x)
        ev.add("coach", f=i, t=i, day=i, item=i, coach=i, note=i)
        ev.add("risk", f=i, t=i, tenure=i, stress=x, perf=x, exposed=b, leave=b)

    def _seasons(self) -> None:
        total = self.W + FUTURE_WEEKS
        peak = np.array([week_start(t, self.W).month in (12, 1) for t in range(total)],
                        dtype=float)
        self.peak = peak
        self.season_stress = 0.3 * peak + self.rng.normal(0, 0.08, total)
        shape = np.array([20.0, -0.015, -0.05, -0.5, -0.01, -0.03])
        noise = np.array([6.0, 0.008, 0.03, 0.6, 0.004, 0.015])
        self.season_metric = peak[:, None] * shape + self.rng.normal(0, 1, (total, 6)) * noise

    def _person(self, role: str, team: int, hire: dt.date, arrangement: str, etype: str,
                cost: float, goal: str = "") -> int:
        rng = self.rng_people
        pid = len(self.people)
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
        eid = f"E{pid + 1:05d}"
        email = f"{first}.{last}.{pid + 1}@northwind-cc.example".lower()
        self.people.append(Person(eid, f"{first} {last}", email, team, role, hire,
                                  arrangement, etype, goal, round(cost, 2)))
        return pid

    def setup(self) -> None:
        rng = self.rng_people
        n_teams = max(2, round(self.N0 / 15))
        n_vendor = max(1, round(n_teams * 0.25))
        start = week_start(0, self.W)
        support = Team("SUP", "Quality and support", SITES[0][0], SITES[0][1], False)
        self.teams.append(support)
        for k in range(n_teams):
            vendor = k >= n_teams - n_vendor
            site, offset = VENDOR_SITE if vendor else SITES[k % len(SITES)]
            label = TEAM_NAMES[k % len(TEAM_NAMES)] + ("" if k < len(TEAM_NAMES)
                                                        else f" {k // len(TEAM_NAMES) + 1}")
            q = float(np.clip(rng.lognormal(0, 0.45), 0.25, 2.2))
            self.teams.append(Team(f"T{k + 1:02d}", f"{site.split(' (')[0]} {label}", site,
                                   offset, vendor, coach_quality=q,
                                   stress_effect=float(rng.normal(0, 0.15) - 0.15 * np.log(q))))
        self.coach_q = np.array([t.coach_quality for t in self.teams])
        # How often a lead coaches without a trigger varies a lot between leads.
        self.coach_rate = np.clip(0.02 * rng.lognormal(-0.5, 1.0, len(self.teams)), 0, 0.1)
        self.team_stress = np.array([t.stress_effect for t in self.teams])
        self.team_vendor = np.array([t.vendor for t in self.teams])

        def staff(role: str, team: int, vendor: bool = False) -> int:
            years = rng.uniform(2, 10)
            hire = start - dt.timedelta(weeks=int(years * 52))
            arrangement = ["onsite", "remote", "hybrid"][
                int(rng.choice(3, p=STAFF_ARRANGEMENT_P))]
            pid = self._person(role, team, hire, arrangement,
                               "outsourced" if vendor else "full_time",
                               rng.uniform(26, 38))
            person = self.people[pid]
            person.history.append((hire, "agent"))
            if role in ("team_lead", "ops_manager"):
                person.history.append((hire + dt.timedelta(weeks=int(rng.integers(40, 80))),
                                       "senior_agent"))
            person.history.append((hire + dt.timedelta(weeks=int(rng.integers(85, 100))),
                                   role))
            return pid

        support.lead = staff("ops_manager", 0)
        for k, team in enumerate(self.teams[1:], start=1):
            team.lead = staff("team_lead", k, team.vendor)
        self.qa_staff = np.array([staff("qa_analyst", 0) for _ in range(max(2, self.N0 // 80))])
        self.qa_bias = rng.normal(0, 3, len(self.qa_staff))
        for _ in range(max(1, self.N0 // 250)):
            staff("trainer", 0)
        for _ in range(max(1, self.N0 // 300)):
            staff("wfm_analyst", 0)

        tenure = np.where(rng.random(self.N0) < 0.25, rng.integers(0, 26, self.N0),
                          26 + np.minimum(rng.exponential(110, self.N0), 494).astype(int))
        self._hire(types=self.type_sampler.exact(self.N0),
                   arrangements=self.arr_sampler.exact(self.N0), hire_week=-tenure)

    def _pick_team(self, etype: int) -> int:
        fl = self.fl
        size = np.bincount(fl.team[: fl.n][fl.active[: fl.n] & fl.front[: fl.n]],
                           minlength=len(self.teams)).astype(float)
        eligible = self.team_vendor == (etype == 2)
        eligible[0] = False  # the support team has no frontline agents
        size[~eligible] = np.inf
        return int(np.argmin(size))

    def _hire(self, types: np.ndarray, arrangements: np.ndarray, hire_week: np.ndarray
              ) -> None:
        rng, fl, k = self.rng_people, self.fl, len(types)
        idx = fl.add(k)
        fl.active[idx] = True
        fl.front[idx] = True
        fl.etype[idx] = types
        fl.arr[idx] = arrangements
        fl.hire_week[idx] = hire_week
        fl.ability[idx] = rng.normal(0, 1, k)
        fl.innate[idx] = (C.HIRE_LEVEL + 0.35 * fl.ability[idx, None]
                          + rng.normal(0, 0.4, (k, C.N_SKILLS)))
        fl.offset[idx] = rng.normal(0, 1, (k, C.N_METRICS)) * C.M_OFFSET + TYPE_OFFSET[types]
        has_goal = rng.random(k) < sigmoid(-0.7 + 0.5 * fl.ability[idx])
        goal_codes = [g for g, _ in C.GOAL_ROLES]
        goal_w = np.array([w for _, w in C.GOAL_ROLES])
        goals = rng.choice(len(goal_codes), size=k, p=goal_w / goal_w.sum())
        fl.goal[idx] = np.where(has_goal, goals, -1)
        # Keen learners and people who never open the LMS: a wide personal factor.
        fl.self_rate[idx] = np.clip(0.06 * rng.lognormal(-0.4, 0.9, k) * np.exp(
            0.35 * fl.ability[idx] + 0.5 * has_goal + TYPE_SELF[types]), 0.002, 0.35)
        fl.phase[idx] = rng.integers(0, 52, k)
        tenure = -hire_week  # relative to week 0; negative for hires during the run
        senior = (tenure > 80) & (rng.random(k) < 0.35)
        fl.senior[idx] = senior
        # The initial roster is part-way through its compliance cycles; an agent renews all
        # mandatory items in the same yearly window, as centres usually schedule them.
        window = rng.integers(1, 52, k)
        for j in C.MANDATORY_ITEMS:
            done = tenure >= 3
            last = -(window + 52 * rng.integers(0, C.ITEM_RECERT_WEEKS[j] // 52, k))
            fl.count[idx, j] = done
            fl.last_done[idx, j] = np.where(done, np.maximum(last, hire_week + 1), -10_000)
        for n, f in enumerate(idx):
            etype = int(types[n])
            team = self._pick_team(etype)
            fl.team[f] = team
            hire = week_start(int(hire_week[n]), self.W)
            goal = goal_codes[fl.goal[f]] if fl.goal[f] >= 0 else ""
            if senior[n] and goal == "senior_agent":
                goal = "team_lead"
                fl.goal[f] = goal_codes.index("team_lead")
            cost = TYPE_COST[etype] + 1.5 * senior[n] + rng.normal(0, 1)
            pid = self._person("senior_agent" if senior[n] else "agent", team, hire,
                               ["onsite", "remote", "hybrid"][int(arrangements[n])],
                               ["full_time", "part_time", "outsourced", "gig"][etype], cost,
                               goal)
            fl.pid[f] = pid
            self.people[pid].history.append((hire, "agent"))
            if senior[n]:
                promo = hire + dt.timedelta(weeks=int(rng.integers(52, min(tenure[n], 200))))
                self.people[pid].history.append((promo, "senior_agent"))
        fl.stress_mu[idx] = (ARR_STRESS[arrangements] + TYPE_STRESS[types]
                             + self.team_stress[fl.team[idx]] + rng.normal(0, 0.35, k))
        fl.stress[idx] = fl.stress_mu[idx] + rng.normal(0, 0.7, k)

    # ----------------------------------------------------------------- latent model
    def skills(self, f: np.ndarray, tenure: np.ndarray, boost: np.ndarray | None = None,
               *, clip: bool = True) -> np.ndarray:
        """Effective skill levels: innate + learning curve + active training boost."""
        fl = self.fl
        base = fl.innate[f] + C.EXPERIENCE_GAIN * (
            1 - np.exp(-np.maximum(tenure, 0) / TENURE_SCALE))[:, None]
        level = base + (fl.A[f] if boost is None else boost)
        return np.clip(level, 1.0, 5.0) if clip else level

    def expected_metrics(self, f: np.ndarray, s: np.ndarray, stress: np.ndarray, t: int
                         ) -> np.ndarray:
        return (C.M_INTERCEPT + (s - 3) @ C.M_SKILL.T + stress[:, None] * C.M_STRESS
                + self.fl.offset[f] + self.season_metric[t])

    def hazard(self, f: np.ndarray, tenure: np.ndarray, stress: np.ndarray,
               perf: np.ndarray, exposed: np.ndarray) -> np.ndarray:
        lp = TYPE_LOGHR[self.fl.etype[f]] + STRESS_LOGHR * stress + PERF_LOGHR * perf
        return (BASE_HAZARD * tenure_factor(tenure) * np.exp(lp)
                * np.where(exposed, DEV_HAZARD_RATIO, 1.0))

    def exposed(self, f: np.ndarray, t: int) -> np.ndarray:
        since = t - self.fl.last_dev[f]
        return (since >= 1) & (since <= DEV_WINDOW)

    def available(self, t: int) -> np.ndarray:
        return C.ITEM_ACTIVE | (t < self.retire_week)

    def gains(self, f: np.ndarray, j: np.ndarray, s: np.ndarray, stress: np.ndarray,
              tenure: np.ndarray) -> np.ndarray:
        """Expected skill gain [row, skill] of agent f completing item j now."""
        fl = self.fl
        gap = np.clip((4.8 - s) / 1.8, 0.0, 1.6)
        tenure_f = 0.75 + 0.5 * np.exp(-np.maximum(tenure, 0) / 26)
        delivery = DELIVERY_FIT[ITEM_DELIVERY_IX[j], fl.arr[f]]
        stress_f = np.where(C.ITEM_BACKFIRE[j],
                            1 - 2.2 * sigmoid(2.5 * (stress - 0.6)),
                            np.exp(-0.3 * np.maximum(stress, 0)))
        coach = np.where(C.ITEM_KIND[j] == "coaching", self.coach_q[fl.team[f]], 1.0)
        missing = (C.ITEM_PREREQ[j] & (fl.count[f] == 0)).any(axis=1)
        scale = (C.ITEM_EFFECT[j] * tenure_f * delivery * stress_f * coach
                 * np.where(missing, 0.5, 1.0) * 0.35 ** fl.count[f, j])
        return C.ITEM_SKILL[j] * gap * scale[:, None]

    # ----------------------------------------------------------------- the loop
    def run(self) -> None:
        self.setup()
        for t in range(self.W):
            self.step(t)

    def step(self, t: int) -> None:
        fl, rng, W = self.fl, self.rng, self.W
        last = t == W - 1
        k = self.hires_due.pop(t, 0)
        if k:
            self._hire(types=np.array([self.type_sampler.draw() for _ in range(k)]),
                       arrangements=np.array([self.arr_sampler.draw() for _ in range(k)]),
                       hire_week=np.full(k, t))
        f = np.flatnonzero(fl.active[: fl.n] & fl.front[: fl.n])
        tenure = t - fl.hire_week[f]
        fl.stress[f] = (0.8 * fl.stress[f] + 0.2 * fl.stress_mu[f] + self.season_stress[t]
                        + rng.normal(0, 0.45, len(f)))
        fl.A[f] = DECAY * fl.A[f] + RAMP * fl.P[f]
        fl.P[f] *= 1 - RAMP
        s = self.skills(f, tenure)
        stress = fl.stress[f]
        mu = self.expected_metrics(f, s, stress, t)
        values = np.clip(mu + rng.normal(0, 1, mu.shape) * C.M_NOISE, C.M_LOW, C.M_HIGH)
        perf = (s - 3) @ C.PERF_LOADING
        exposed = self.exposed(f, t)
        # The last week's leaving belongs to the 13 weeks after the as-of date (truth).
        if not last:
            h = self.hazard(f, tenure, stress, perf, exposed)
            leave = systematic_draw(-np.expm1(-h), rng)
            self._separate(f[leave], perf[leave], t)
            self.ev.add("risk", f=f, t=np.full(len(f), t), tenure=tenure, stress=stress,
                        perf=perf, exposed=exposed, leave=leave)
        else:
            leave = np.zeros(len(f), dtype=bool)
            self.final_exposed = np.zeros(fl.n, dtype=bool)  # before this week's development
            self.final_exposed[f] = exposed
        work = ~leave
        if not last:  # leave, sickness and (for gig workers) weeks not picked up
            chance = TYPE_AWAY[fl.etype[f]] * (1 + self.peak[t])
            away = work & (tenure >= 4) & (rng.random(len(f)) < chance)
            self._postpone(f[away], t)
            work &= ~away
        f, tenure, s, stress, values = f[work], tenure[work], s[work], stress[work], values[work]
        self.ev.add("perf", f=f, t=np.full(len(f), t), v=values)
        self._interactions(f, values, t)
        self._qa(f, s, t)
        self._pulse(f, stress, t)
        self._assessments(f, s, tenure, t)
        self._development(f, s, stress, tenure, t)
        if not last:
            self._leads_react(f, s, values, tenure, t)
            self._careers(f, s, tenure, t)
        if t in self.campaign_weeks:
            self._campaign(f, tenure, t, self.campaign_weeks[t])

    def _postpone(self, f: np.ndarray, t: int) -> None:
        """What was due in a week the agent was away happens the week after."""
        for name in ("lead_week", "coach_week", "camp_week"):
            due = getattr(self.fl, name)
            due[f[due[f] == t]] = t + 1

    def _day(self, n: int, t: int) -> np.ndarray:
        # Rows of the as-of week are dated on the as-of Monday: nothing after data_end.
        if t == self.W - 1:
            return np.zeros(n, dtype=int)
        return self.rng.integers(0, 5, n)

    def _separate(self, f: np.ndarray, perf: np.ndarray, t: int) -> None:
        fl, rng = self.fl, self.rng
        involuntary = rng.random(len(f)) < sigmoid(-1.4 - 1.5 * perf)
        days = rng.integers(0, 5, len(f))
        for n, row in enumerate(f):
            date = week_start(t, self.W) + dt.timedelta(days=int(days[n]))
            self.separations.append((int(fl.pid[row]), date,
                                     "involuntary" if involuntary[n] else "voluntary"))
            self._schedule_hire(t)
        fl.active[f] = False

    def _schedule_hire(self, t: int) -> None:
        due = t + int(self.rng.integers(2, 7))
        if due < self.W:
            self.hires_due[due] = self.hires_due.get(due, 0) + 1

    # ----------------------------------------------------------------- signals
    def _interactions(self, f: np.ndarray, values: np.ndarray, t: int) -> None:
        rng = self.rng
        part = np.isin(self.fl.etype[f], [1, 3])  # part-time and gig: fewer contacts
        n_int = np.where(part, 1, 2) + rng.poisson(np.where(part, 1.0, 1.2))
        row = np.repeat(np.arange(len(f)), n_int)
        n = len(row)
        channel = rng.choice(4, size=n, p=CHANNEL_P)
        handle = (values[row, 0] * CHANNEL_MULT[channel]
                  * rng.lognormal(-0.35 ** 2 / 2, 0.35, n))
        resolved = rng.random(n) < values[row, 1]
        answered = rng.random(n) < 0.4
        csat = np.clip(np.round(values[row, 2] + rng.normal(0, 0.85, n)), 1, 5)
        sentiment = np.clip(values[row, 5] + rng.normal(0, 0.3, n), -1, 1)
        self.ev.add("inter", f=f[row], t=np.full(n, t), day=self._day(n, t),
                    sec=rng.integers(8 * 3600, 19 * 3600, n), channel=channel,
                    topic=rng.integers(0, 8, n), handle=np.round(handle),
                    resolved=resolved, csat=np.where(answered, csat, np.nan),
                    sentiment=np.round(sentiment, 3), tonly=rng.random(n) < 0.15)

    def _qa(self, f: np.ndarray, s: np.ndarray, t: int) -> None:
        rng = self.rng
        sel = rng.random(len(f)) < 0.35
        n = int(sel.sum())
        evaluator = rng.integers(0, len(self.qa_staff), n)
        scores = np.clip(np.round(78 + 12 * (s[sel][:, QA_SKILLS] - 3)
                                  + self.qa_bias[evaluator][:, None]
                                  + rng.normal(0, 7, (n, len(QA_SKILLS)))), 0, 100)
        self.ev.add("qa", f=f[sel], t=np.full(n, t), day=self._day(n, t),
                    evaluator=self.qa_staff[evaluator], scores=scores)

    def _pulse(self, f: np.ndarray, stress: np.ndarray, t: int) -> None:
        if week_start(t, self.W).day > 7:
            return
        rng, fl = self.rng, self.fl
        respond = rng.random(len(f)) < sigmoid(0.5 - 0.5 * stress)
        f, stress, n = f[respond], stress[respond], int(respond.sum())
        exposed = self.exposed(f, t)
        wellbeing = np.clip(np.round(3.4 - 0.8 * stress + rng.normal(0, 0.6, n)), 1, 5)
        engagement = np.clip(np.round(3.5 - 0.5 * stress + 0.2 * fl.ability[f]
                                      + 0.2 * exposed + rng.normal(0, 0.7, n)), 1, 5)
        enps = np.clip(np.round(7 - 1.5 * stress + rng.normal(0, 1.8, n)), 0, 10)
        comment = np.where(rng.random(n) < 0.25, rng.integers(0, 1000, n), -1)
        self.ev.add("pulse", f=f, t=np.full(n, t), day=self._day(n, t), wellbeing=wellbeing,
                    engagement=engagement, enps=enps, comment=comment)

    def _assessments(self, f: np.ndarray, s: np.ndarray, tenure: np.ndarray, t: int) -> None:
        rng, phase = self.rng, self.fl.phase[f]
        plans = [
            ("lead", ((t + phase) % 13 == 0) & (tenure >= 4), np.arange(C.N_SKILLS), 0.0,
             0.55, 2),
            ("self", ((t + phase) % 26 == 7) | (tenure == 3), np.arange(C.N_SKILLS), 0.6,
             0.8, 3),
            ("qa", (t + phase) % 8 == 5, QA_ASSESSED, 0.0, 0.45, 1),
        ]
        for source, sel, skills, bias, sd, day in plans:
            rows = np.flatnonzero(sel)
            if not len(rows):
                continue
            level = np.clip(np.round(s[np.ix_(rows, skills)] + bias
                                     + rng.normal(0, sd, (len(rows), len(skills)))), 1, 5)
            n = level.size
            self.ev.add("assess", f=np.repeat(f[rows], len(skills)), t=np.full(n, t),
                        day=np.full(n, 0 if t == self.W - 1 else day),
                        skill=np.tile(skills, len(rows)), level=level.ravel(),
                        source=np.full(n, source))

    # ----------------------------------------------------------------- development
    def _development(self, f: np.ndarray, s: np.ndarray, stress: np.ndarray,
                     tenure: np.ndarray, t: int) -> None:
        fl, rng = self.fl, self.rng
        rows, items, by = [], [], []

        def add(sel: np.ndarray, item: np.ndarray | int, source: int) -> None:
            r = np.flatnonzero(sel)
            rows.append(r)
            items.append(np.broadcast_to(np.asarray(item)[sel] if np.ndim(item) else item,
                                         r.shape).astype(int))
            by.append(np.full(len(r), source))

        for pos, j in enumerate(C.MANDATORY_ITEMS):
            never = fl.count[f, j] == 0
            add(never & (tenure == pos % 3), j, 0)
            overdue = np.where(never, tenure >= 3,
                               t - fl.last_done[f, j] >= C.ITEM_RECERT_WEEKS[j])
            add(overdue & ~(never & (tenure == pos % 3)) & (rng.random(len(f)) < 0.45), j, 0)
        lead_due = (fl.lead_week[f] == t) & (fl.lead_item[f] >= 0)
        add(lead_due & (rng.random(len(f)) < 0.9), fl.lead_item[f], 1)
        fl.lead_item[f[lead_due]] = -1
        camp_due = (fl.camp_week[f] == t) & (fl.camp_item[f] >= 0)
        add(camp_due, fl.camp_item[f], 3)
        fl.camp_item[f[camp_due]] = -1
        enrol = rng.random(len(f)) < fl.self_rate[f] * np.exp(-0.35 * np.maximum(stress, 0))
        if enrol.any():
            picks = np.zeros(len(f), dtype=int)
            picks[enrol] = choose(self._self_weights(f[enrol], t), rng)
            add(enrol, picks, 2)
        row = np.concatenate(rows)
        item = np.concatenate(items)
        source = np.concatenate(by)
        # Coaching sessions: the ones leads scheduled after a dip, plus routine ones.
        coach_due = (fl.coach_week[f] == t) & (fl.coach_item[f] >= 0)
        routine = ~coach_due & (rng.random(len(f)) < self.coach_rate[fl.team[f]])
        topics = np.where(coach_due, fl.coach_item[f], 0)
        if routine.any():
            topics[routine] = self._coach_topic(s[routine])
        fl.coach_item[f[coach_due]] = -1
        c_row = np.flatnonzero(coach_due | routine)
        self._complete(f, s, stress, tenure, t, row, item, source, c_row, topics[c_row])

    def _complete(self, f, s, stress, tenure, t, row, item, source, c_row, c_item) -> None:
        fl, rng = self.fl, self.rng
        n = len(row)
        day = self._day(n, t)
        x_item = ((s[row] - 3) * C.ITEM_SKILL[item]).sum(1) / np.maximum(
            C.ITEM_SKILL[item].sum(1), 1)
        score = np.clip(np.round(rng.normal(81 + 8 * x_item + 4 * fl.ability[f[row]], 11)),
                        0, 100)
        score = np.where(source == 3, np.maximum(score, 60), score)
        scored = C.ITEM_SCORED[item]
        failed = scored & (score < 60)
        self.ev.add("fail", f=f[row[failed]], t=np.full(int(failed.sum()), t),
                    day=day[failed], item=item[failed], score=score[failed])
        ok = ~failed
        row, item, source, score, day = row[ok], item[ok], source[ok], score[ok], day[ok]
        self.ev.add("comp", f=f[row], t=np.full(len(row), t), day=day, item=item,
                    score=np.where(C.ITEM_SCORED[item], score, np.nan), by=source)
        c_day = self._day(len(c_row), t)
        coach = np.array([self.teams[team].lead for team in fl.team[f[c_row]]], dtype=int)
        self.ev.add("coach", f=f[c_row], t=np.full(len(c_row), t), day=c_day, item=c_item,
                    coach=coach, note=rng.integers(0, 1000, len(c_row)))
        # Knowledge tests right after scored courses feed skill assessments.
        test = C.ITEM_SCORED[item] & (C.ITEM_SKILL[item].sum(1) > 0) & (rng.random(len(row))
                                                                      < 0.5)
        for r, j, d in zip(row[test], item[test], day[test], strict=True):
            skills = np.flatnonzero(C.ITEM_SKILL[j])
            level = np.clip(np.round(s[r, skills] + rng.normal(0, 0.35, len(skills))), 1, 5)
            self.ev.add("assess", f=np.full(len(skills), f[r]), t=np.full(len(skills), t),
                        day=np.full(len(skills), d), skill=skills, level=level,
                        source=np.full(len(skills), "test"))
        all_rows = np.concatenate([row, c_row])
        all_items = np.concatenate([item, c_item]).astype(int)
        if not len(all_rows):
            return
        g = self.gains(f[all_rows], all_items, s[all_rows], stress[all_rows],
                       tenure[all_rows])
        g *= rng.lognormal(-0.3 ** 2 / 2, 0.3, len(all_rows))[:, None]
        np.add.at(fl.P, f[all_rows], g)
        np.add.at(fl.count, (f[all_rows], all_items), 1)
        fl.last_done[f[all_rows], all_items] = t
        fl.last_dev[f[all_rows]] = t

    def _self_weights(self, f: np.ndarray, t: int) -> np.ndarray:
        fl = self.fl
        done = fl.count[f] > 0
        missing = (~done).astype(float) @ C.ITEM_PREREQ.T.astype(float) > 0
        w = C.ITEM_POPULARITY * self.available(t) * ~C.ITEM_MANDATORY * (
            C.ITEM_KIND != "coaching")
        w = w * np.where(missing, 0.3, 1.0) * np.where(done, 0.15, 1.0)
        goal_codes = [g for g, _ in C.GOAL_ROLES]
        for g, code in enumerate(goal_codes):
            sel = fl.goal[f] == g
            if sel.any():
                req = np.zeros(C.N_SKILLS)
                for skill in C.ROLE_REQUIREMENTS[code]:
                    req[C.SK[skill]] = 1
                w[sel] *= np.where(C.ITEM_SKILL @ req > 0, 1.6, 1.0)
        return w

    def _coach_topic(self, s: np.ndarray) -> np.ndarray:
        perceived = s + self.rng.normal(0, 0.6, s.shape)
        weakest = np.argmin(perceived, axis=1)
        w = C.ITEM_SKILL[C.COACHING_ITEMS][:, weakest].T + 0.1
        return C.COACHING_ITEMS[choose(w, self.rng)]

    def _leads_react(self, f, s, values, tenure, t) -> None:
        """Leads assign training and coaching right after a bad week."""
        fl, rng = self.fl, self.rng
        observed = ((values - C.M_INTERCEPT) / C.M_REF_SD * C.M_SIGN) @ C.M_WEIGHT
        fresh = fl.ema_n[f] == 0
        fl.ema[f[fresh]] = observed[fresh]
        dip = (fl.ema_n[f] >= 3) & (observed < fl.ema[f] - DIP)
        fl.ema[f] = 0.8 * fl.ema[f] + 0.2 * observed
        fl.ema_n[f] += 1
        assign = dip & (fl.lead_item[f] < 0) & (rng.random(len(f)) < 0.35)
        if assign.any():
            rows = np.flatnonzero(assign)
            perceived = s[rows] + rng.normal(0, 0.6, (len(rows), C.N_SKILLS))
            weakest = np.argmin(perceived, axis=1)
            done = fl.count[f[rows]] > 0
            missing = (~done).astype(float) @ C.ITEM_PREREQ.T.astype(float) > 0
            w = (C.ITEM_SKILL[:, weakest].T * np.sqrt(C.ITEM_POPULARITY)
                 * self.available(t) * ~C.ITEM_MANDATORY * (C.ITEM_KIND != "coaching"))
            w = w * np.where(missing, 0.3, 1.0) * np.where(done, 0.3, 1.0) + 1e-9
            fl.lead_item[f[rows]] = choose(w, rng)
            fl.lead_week[f[rows]] = t + 1
        coach = dip & (fl.coach_item[f] < 0) & (rng.random(len(f)) < 0.3)
        if coach.any():
            rows = np.flatnonzero(coach)
            fl.coach_item[f[rows]] = self._coach_topic(s[rows])
            fl.coach_week[f[rows]] = t + 1 + rng.integers(0, 2, len(rows))

    def _careers(self, f, s, tenure, t) -> None:
        fl, rng = self.fl, self.rng
        date = week_start(t, self.W)
        promote = (~fl.senior[f] & (tenure >= 52) & (s.mean(1) >= 3.2)
                   & (rng.random(len(f)) < 0.012))
        for row in f[promote]:
            fl.senior[row] = True
            person = self.people[fl.pid[row]]
            person.role = "senior_agent"
            person.history.append((date, "senior_agent"))
            if person.goal == "senior_agent":
                person.goal = ""
        goal_codes = [g for g, _ in C.GOAL_ROLES]
        movable = np.array([g >= 0 and goal_codes[g] in C.MOVE_ROLES for g in fl.goal[f]],
                           dtype=bool)
        candidates = np.flatnonzero(movable & (tenure >= 39) & (rng.random(len(f)) < 0.02))
        for r in candidates:
            code = goal_codes[fl.goal[f[r]]]
            req = C.ROLE_REQUIREMENTS[code]
            if all(s[r, C.SK[k]] >= level - 0.4 for k, level in req.items()):
                fl.front[f[r]] = False
                person = self.people[fl.pid[f[r]]]
                person.role = code
                person.goal = ""
                person.history.append((date, code))
                self._schedule_hire(t)

    def _campaign(self, f, tenure, t, j) -> None:
        """A randomised pilot: a random half of eligible agents is assigned item j.

        Eligible: in-house (not vendor) agents working that week, with 8+ weeks of tenure,
        who have never completed j. 92% of those assigned complete it 1-3 weeks later.
        """
        fl, rng = self.fl, self.rng
        in_house = ~self.team_vendor[fl.team[f]]
        eligible = np.flatnonzero(in_house & (tenure >= 8) & (fl.count[f, j] == 0)
                                  & (fl.camp_item[f] < 0))
        chosen = rng.permutation(eligible)[: len(eligible) // 2]
        comply = rng.random(len(chosen)) < 0.92
        chosen = chosen[comply]
        fl.camp_item[f[chosen]] = j
        fl.camp_week[f[chosen]] = t + rng.integers(1, 4, len(chosen))

    # ----------------------------------------------------------------- helpers
    def week_dates(self, t: np.ndarray, day: np.ndarray) -> np.ndarray:
        start = np.datetime64(DATA_END) - np.timedelta64(7, "D") * (self.W - 1 - t)
        return start + day.astype("timedelta64[D]")
