"""Ground truth computed from the generative model (expectations, not noisy draws)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import catalogue as C
from .centre import Centre
from .engine import DECAY, DEV_WINDOW, FUTURE_REPS, FUTURE_WEEKS, GAIN_WEEKS, RAMP


def active_agents(centre: Centre) -> np.ndarray:
    fl = centre.fl
    return np.flatnonzero(fl.active[: fl.n] & fl.front[: fl.n])


def _boost_paths(centre: Centre, f: np.ndarray, weeks: int) -> np.ndarray:
    """Active boost [week k = 1..weeks, agent, skill] with no further development."""
    a, p = centre.fl.A[f].copy(), centre.fl.P[f].copy()
    out = []
    for _ in range(weeks):
        a = DECAY * a + RAMP * p
        p = p * (1 - RAMP)
        out.append(a)
    return np.stack(out)


def composite_loading(performance_values: np.ndarray) -> np.ndarray:
    """Change of the composite per skill level, standardising by the data's agent-weeks."""
    sd = performance_values.std(axis=0)
    return (C.M_WEIGHT * C.M_SIGN / sd) @ C.M_SKILL


def item_gain(centre: Centre, performance_values: np.ndarray) -> pd.DataFrame:
    """Expected composite change over the 8 weeks after completing each item at the as-of.

    Exact under the model: KPIs are linear in the clipped skill levels, so the expected
    composite difference is the loading times the difference in clipped skills along the
    deterministic skill path (future stress and noise cancel out of the difference).
    """
    f = active_agents(centre)
    t = centre.W - 1
    tenure = t - centre.fl.hire_week[f]
    s_now = centre.skills(f, tenure)
    stress = centre.fl.stress[f]
    n, J = len(f), C.N_ITEMS
    rows = np.repeat(np.arange(n), J)
    items = np.tile(np.arange(J), n)
    g = centre.gains(f[rows], items, s_now[rows], stress[rows], tenure[rows])
    g = g.reshape(n, J, C.N_SKILLS)
    boost0 = _boost_paths(centre, f, GAIN_WEEKS)
    profile = np.empty(GAIN_WEEKS)
    a, p = 0.0, 1.0
    for k in range(GAIN_WEEKS):
        a = DECAY * a + RAMP * p
        p *= 1 - RAMP
        profile[k] = a
    loading = composite_loading(performance_values)
    total = np.zeros((n, J))
    for k in range(GAIN_WEEKS):
        base = centre.skills(f, tenure + k + 1, boost=boost0[k])
        unclipped = centre.skills(f, tenure + k + 1, boost=boost0[k], clip=False)
        raw = unclipped[:, None, :] + g * profile[k]
        treated = np.clip(raw, 1.0, 5.0)
        total += ((treated - base[:, None, :]) * loading).sum(axis=2)
    ids = np.array([centre.people[p].employee_id for p in centre.fl.pid[f]])
    return pd.DataFrame({
        "employee_id": np.repeat(ids, J),
        "item_code": np.tile(np.array(C.ITEM_CODES), n),
        "true_gain": np.round(total.ravel() / GAIN_WEEKS, 6),
    })


def leaving(centre: Centre) -> pd.DataFrame:
    """Leaving within the 13 weeks starting at the as-of week, and its true probability.

    The future is simulated forward from the state at the as-of date: stress keeps its
    AR(1) dynamics, skills follow the learning curve and already pending training effects,
    and new development (which only moves the exposure indicator) arrives at each agent's
    weekly self-enrolment rate plus a flat 5% for lead-assigned items, coaching and
    recertification. `true_p13` is the Monte Carlo mean over FUTURE_REPS paths of the
    path's exact leaving probability 1 - exp(-sum of weekly hazards) (Rao-Blackwellised,
    so the Monte Carlo error is tiny); `left` is one further independent path.
    """
    fl = centre.fl
    f = active_agents(centre)
    t0 = centre.W - 1
    tenure0 = t0 - fl.hire_week[f]
    boost = np.concatenate([fl.A[f][None], _boost_paths(centre, f, FUTURE_WEEKS - 1)])
    perf = np.stack([
        (centre.skills(f, tenure0 + k, boost=boost[k]) - 3) @ C.PERF_LOADING
        for k in range(FUTURE_WEEKS)])
    known = np.stack([centre.final_exposed[f]]
                     + [centre.exposed(f, t0 + k) for k in range(1, FUTURE_WEEKS)])

    def cumulative_hazard(rng: np.random.Generator, reps: int) -> np.ndarray:
        n = len(f)
        stress = np.broadcast_to(fl.stress[f], (reps, n)).copy()
        new_dev = np.zeros((reps, n), dtype=bool)
        total = np.zeros((reps, n))
        for k in range(FUTURE_WEEKS):
            if k:
                stress = (0.8 * stress + 0.2 * fl.stress_mu[f]
                          + centre.season_stress[t0 + k] + rng.normal(0, 0.45, (reps, n)))
            exposed = known[k] | new_dev
            total += centre.hazard(np.broadcast_to(f, (reps, n)), tenure0 + k, stress,
                                   perf[k], exposed)
            if k:  # development during week t0 + k counts from the week after
                rate = fl.self_rate[f] * np.exp(-0.35 * np.maximum(stress, 0)) + 0.05
                new_dev |= rng.random((reps, n)) < rate
        assert DEV_WINDOW >= FUTURE_WEEKS - 1  # a new exposure never expires in the window
        return total

    p13 = (-np.expm1(-cumulative_hazard(centre.rng_mc, FUTURE_REPS))).mean(axis=0)
    path = -np.expm1(-cumulative_hazard(centre.rng_fut, 1)[0])
    left = centre.rng_fut.random(len(f)) < path
    ids = [centre.people[p].employee_id for p in fl.pid[f]]
    return pd.DataFrame({"employee_id": ids, "left": left.astype(int),
                         "true_p13": np.round(p13, 6)})
