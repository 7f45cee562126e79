"""Time-varying Cox models of leaving: development exposure, adjusted and naive.

Cause-specific hazards: for voluntary leaving, involuntary separations are censored at
their date (and vice versa). Tenure is the time scale, so it is held fixed by design;
performance, pulse, employment type and work arrangement are covariates.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from lifelines import CoxTimeVaryingFitter
from lifelines.exceptions import ConvergenceError
from scipy import stats

# Engagement is measured but not adjusted for: development itself lifts engagement, so
# holding it fixed would compare exposed agents with worse underlying wellbeing to
# unexposed ones (collider/mediator). Wellbeing and eNPS carry the stress signal.
# Skill measures (assessed levels, QA) sharpen "performance" beyond noisy weekly KPIs.
# Last week's composite next to the 4-week mean: the state that moves people to leave
# (stress, a bad patch) persists from week to week, so the latest week says most about now.
ADJUST_NUMERIC = ("perf", "perf_last", "wellbeing", "enps", "pulse_missing", "qa_recent",
                  "qa_recent_missing", "skill_level_missing")
SKILL_PREFIX = "skill__"
ADJUST_CATEGORICAL = ["employment_type", "work_arrangement"]


def design(pp: pd.DataFrame, *, adjusted: bool, interaction: bool = False,
           numeric: tuple[str, ...] | None = None) -> pd.DataFrame:
    cols = ["employee_id", "start", "stop", "exposed"]
    x = pp[cols].copy()
    if adjusted:
        if numeric is None:
            numeric = ADJUST_NUMERIC + tuple(
                c for c in pp.columns if c.startswith(SKILL_PREFIX) and not c.endswith("_missing"))
        for c in numeric:
            if c in pp and pp[c].std() > 0:
                x[c] = pp[c]
        for c in ADJUST_CATEGORICAL:
            counts = pp.groupby(c)["employee_id"].nunique()
            ref = counts.idxmax()
            for level in counts.index:
                if level != ref and counts[level] >= 2:
                    x[f"{c}={level}"] = (pp[c] == level).astype(float)
    if interaction:
        # exposure × log(time): a non-zero slope means the ratio drifts with tenure
        x["exposed_x_logt"] = pp["exposed"] * np.log1p(pp["stop"])
    return x


def fit_cox(pp: pd.DataFrame, event: str, *, adjusted: bool = True,
            interaction: bool = False,
            numeric: tuple[str, ...] | None = None) -> CoxTimeVaryingFitter | None:
    x = design(pp, adjusted=adjusted, interaction=interaction, numeric=numeric)
    x["event"] = pp[event].to_numpy()
    if x["event"].sum() < 2 or x["exposed"].nunique() < 2:
        return None
    for penalizer in (0.0, 1e-3, 1e-2):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ctv = CoxTimeVaryingFitter(penalizer=penalizer)
                ctv.fit(x, id_col="employee_id", event_col="event", start_col="start",
                        stop_col="stop")
            if np.isfinite(ctv.params_).all():
                return ctv
        except (ConvergenceError, np.linalg.LinAlgError):
            continue  # separation or collinearity: retry with a little more penalty
    return None


def exposure_ratio(ctv: CoxTimeVaryingFitter | None) -> dict:
    if ctv is None:
        return {"hazard_ratio": None, "ci_low": None, "ci_high": None, "p_value": None}
    s = ctv.summary.loc["exposed"]
    return {"hazard_ratio": float(np.exp(s["coef"])),
            "ci_low": float(np.exp(s["coef lower 95%"])),
            "ci_high": float(np.exp(s["coef upper 95%"])), "p_value": float(s["p"])}


def ph_check(pp: pd.DataFrame, event: str) -> dict:
    """Proportional-hazards check: Wald test of an exposure × log(1+tenure) term."""
    ctv = fit_cox(pp, event, adjusted=True, interaction=True)
    if ctv is None or "exposed_x_logt" not in ctv.summary.index:
        return {"interaction_coef": None, "p_value": None, "holds": None}
    s = ctv.summary.loc["exposed_x_logt"]
    p = float(s["p"])
    return {"test": "exposure x log(1 + weeks since hire), Wald",
            "interaction_coef": float(s["coef"]), "p_value": p, "holds": bool(p >= 0.05)}


def covariate_table(ctv: CoxTimeVaryingFitter | None) -> list[dict]:
    if ctv is None:
        return []
    s = ctv.summary
    return [{"covariate": str(i), "hazard_ratio": float(np.exp(r["coef"])),
             "ci_low": float(np.exp(r["coef lower 95%"])),
             "ci_high": float(np.exp(r["coef upper 95%"])), "p_value": float(r["p"])}
            for i, r in s.iterrows()]


def development_effect(pp: pd.DataFrame, *, window_weeks: int) -> dict:
    """Adjusted and naive exposure hazard ratios for voluntary, involuntary and any leaving."""
    out: dict = {"window_weeks": int(window_weeks),
                 "n_agents": int(pp["employee_id"].nunique()),
                 "n_events": int(pp["event_voluntary"].sum()),
                 "person_weeks": float((pp["stop"] - pp["start"]).sum())}
    main = fit_cox(pp, "event_voluntary", adjusted=True)
    out.update(exposure_ratio(main))
    naive = exposure_ratio(fit_cox(pp, "event_voluntary", adjusted=False))
    out["naive_hazard_ratio"] = naive["hazard_ratio"]
    out["naive_ci_low"], out["naive_ci_high"] = naive["ci_low"], naive["ci_high"]
    out["covariates"] = covariate_table(main)
    out["by_outcome"] = {}
    for name in ("involuntary", "any"):
        ev = f"event_{name}"
        adj = exposure_ratio(fit_cox(pp, ev, adjusted=True))
        nv = exposure_ratio(fit_cox(pp, ev, adjusted=False))
        out["by_outcome"][name] = {**adj, "naive_hazard_ratio": nv["hazard_ratio"],
                                   "n_events": int(pp[ev].sum())}
    out["proportional_hazards"] = ph_check(pp, "event_voluntary")
    out["interpretation"] = interpret(out)
    return out


def interpret(res: dict) -> str:
    hr, lo, hi = res.get("hazard_ratio"), res.get("ci_low"), res.get("ci_high")
    w = res["window_weeks"]
    if hr is None:
        return ("There were too few voluntary leavers or too little variation in development "
                "to estimate how development relates to leaving.")
    pct = abs(1 - hr) * 100
    direction = "lower" if hr < 1 else "higher"
    text = (f"Agents who completed a learning item or had a coaching session in the previous "
            f"{w} weeks had a {pct:.0f}% {direction} weekly rate of leaving voluntarily than "
            f"comparable agents without recent development (hazard ratio {hr:.2f}, 95% interval "
            f"{lo:.2f} to {hi:.2f}), comparing agents of the same tenure, recent performance, "
            f"assessed skills, pulse wellbeing, employment type and work arrangement.")
    if lo <= 1 <= hi:
        text += " The interval includes 1, so the data are consistent with no difference."
    nv = res.get("naive_hazard_ratio")
    if nv is not None:
        text += f" Without those adjustments the ratio would be {nv:.2f}."
    ph = res.get("proportional_hazards", {})
    if ph.get("holds") is False:
        text += " The ratio appears to change with tenure, so read it as an average."
    text += (" This is an association in observational data, not proof that development "
             "keeps people: agents chosen for development may differ in ways the data do not "
             "show. A randomised pilot is the way to confirm it.")
    return text


def normal_p(est: float, se: float) -> float:
    return float(2 * stats.norm.sf(abs(est / se))) if se > 0 else float("nan")
