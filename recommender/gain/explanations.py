"""Reasons: plain sentences from the model's own per-feature contributions to the gain.

For each shown row we take the features that pushed the expected gain up most (the gain
model's `pred_contrib` vector: for the X-learner that is tau's vector, which is already
with-item minus without-item; for the S-learner the two vectors are subtracted), map each
to the fact behind it (the agent's own number and a comparison), and keep the first two
distinct facts. A third sentence states the estimate, its interval and the evidence
behind it. Pulse features never produce a sentence: answers are confidential.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from recommender.gain.composite import Standardiser
from recommender.gain.features import KIND, ItemTable, SkillState
from recommender.gain.paths import RoleModel

KIND_PLURAL = {v: k + "s" for k, v in KIND.items()} | {-1: "items"}
KIND_PLURAL[1] = "microlearning modules"
KIND_PLURAL[3] = "shadowing sessions"
KIND_PLURAL[4] = "coaching sessions"
METRIC_NAMES = {"aht_seconds": "average handle time", "fcr_rate": "first-contact resolution",
                "csat": "CSAT", "qa_score": "QA score", "adherence_rate": "schedule adherence",
                "customer_sentiment": "customer sentiment"}


@dataclass
class Facts:
    """What sentences may quote, for the shown rows (row j = agent a[j], item i[j])."""

    x: dict[str, Sequence[float]]  # feature name -> values of the shown rows
    a: np.ndarray              # state row per shown row
    i: np.ndarray              # item index per shown row
    skill: SkillState          # per state row
    role: np.ndarray           # current role index per state row
    team_qa_median: Sequence[float]  # per shown row: team median QA on the item's skills
    team_sent_median: Sequence[float]
    items: ItemTable
    roles: RoleModel
    std: Standardiser
    support: np.ndarray        # past completions of each item in the training window
    offset: np.ndarray         # per shown row: the item's own learned offset

    @cached_property
    def item_skills(self) -> list[np.ndarray]:
        """Per item: the indices of the skills it targets (looked up once per item, not
        once per sentence)."""
        return [np.flatnonzero(row) for row in self.items.skills]

    @cached_property
    def item_skill_names(self) -> list[str]:
        """Per item: its skills in words, "a, b and c"."""
        return [_names(self, ks) for ks in self.item_skills]


def _item_skills(f: Facts, j: int) -> np.ndarray:
    return f.item_skills[f.i[j]]


def _names(f: Facts, ks: np.ndarray) -> str:
    names = [f.roles.skill_names[k].lower() for k in ks]
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _qa(f: Facts, j: int, c: float = 0.0) -> str | None:
    v, m = f.x["it_qa_mean"][j], f.team_qa_median[j]
    if np.isnan(v):
        return None
    team = f" (team median {m:.0f})" if not np.isnan(m) else ""
    return (f"Your {f.item_skill_names[f.i[j]]} QA score averaged {v:.0f} over the last "
            f"8 weeks{team}.")


def _gap(f: Facts, j: int, which: str, c: float = 0.0) -> str | None:
    ks = _item_skills(f, j)
    a = f.a[j]
    gap = (f.skill.gap_cur if which == "cur" else f.skill.gap_next)[a, ks]
    if not len(ks) or gap.max() <= 0:
        return None
    k = ks[gap.argmax()]
    role = f.role[a] if which == "cur" else f.skill.next_role[a]
    if role < 0:
        return None
    need = f.roles.requirement[role, k]
    lvl = f.skill.level[a, k]
    name = f.roles.skill_names[k]
    target = (f"your role as {f.roles.role_names[role]}" if which == "cur"
              else f"the next step on your path, {f.roles.role_names[role]}")
    if np.isnan(lvl):
        return f"{name} has not been assessed for you yet, and {target} requires level {need:.0f}."
    return f"Your latest assessed {name.lower()} level is {lvl:.0f}; {target} requires {need:.0f}."


def _level(f: Facts, j: int, c: float = 0.0) -> str | None:
    ks = _item_skills(f, j)
    lv = f.skill.level[f.a[j], ks]
    if not len(ks) or np.isnan(lv).all():
        return None
    k = ks[np.nanargmin(lv)]
    return f"Your latest assessed {f.roles.skill_names[k].lower()} level is " \
           f"{np.nanmin(lv):.0f} of 5."


def _metric(code: str) -> Callable[[Facts, int, float], str | None]:
    def sentence(f: Facts, j: int, c: float = 0.0) -> str | None:
        z = f.x[f"z_{code}_mean4"][j]
        if np.isnan(z):
            return None
        m = f.std.metric_codes.index(code)
        raw = z * f.std.signs[m] * f.std.stds[m] + f.std.means[m]
        mean = f.std.means[m]
        name = METRIC_NAMES.get(code, code.replace("_", " "))
        return f"Your {name} over the last 4 weeks was {_fmt(raw)} " \
               f"(centre average {_fmt(mean)})."
    return sentence


def _fmt(v: float) -> str:
    if abs(v) >= 20:
        return f"{v:.0f}"
    return f"{v:.2f}"


def _trend(f: Facts, j: int, c: float = 0.0) -> str | None:
    d = f.x["comp_trend"][j]
    if np.isnan(d) or abs(d) < 0.05:
        return None
    word = "fallen" if d < 0 else "risen"
    return f"Your overall performance has {word} by {abs(d):.2f} standard deviations over " \
           f"the last 4 weeks compared with the 8 before."


def _sentiment(f: Facts, j: int, c: float = 0.0) -> str | None:
    v, m = f.x["sent_mean4"][j], f.team_sent_median[j]
    if np.isnan(v):
        return None
    team = f" (team median {m:+.2f})" if not np.isnan(m) else ""
    return f"Customer sentiment on your sampled contacts averaged {v:+.2f} over the last " \
           f"4 weeks{team}."


def _tenure(f: Facts, j: int, c: float = 0.0) -> str | None:
    weeks = f.x["tenure_weeks"][j]
    if np.isnan(weeks):
        return None
    kind = KIND_PLURAL[int(f.items.kind[f.i[j]])].capitalize()
    if weeks < 26:
        return f"{kind} have helped agents in their first six months most; you are in " \
               f"week {weeks:.0f}."
    return f"{kind} have helped agents with about {weeks / 52:.1f} years' tenure like you."


def _kind(f: Facts, j: int, c: float = 0.0) -> str | None:
    kind = KIND_PLURAL[int(f.items.kind[f.i[j]])]
    return f"In past results, {kind} were followed by larger gains than other formats " \
           f"for agents with records like yours (+{c:.2f} of this estimate)."


def _development(f: Facts, j: int, c: float = 0.0) -> str | None:
    n = f.x["dev_12w"][j]
    if np.isnan(n):
        return None
    if n == 0:
        return "You have not completed any learning in the last 12 weeks."
    return f"You have completed {n:.0f} learning item{'s' if n != 1 else ''} in the last " \
           f"12 weeks."


def _offset(f: Facts, j: int, c: float = 0.0) -> str | None:
    v = float(f.offset[j])
    if v <= 0:
        return None
    return f"{f.items.titles[f.i[j]]} has done better in past results than other items " \
           f"on the same skills and format (+{v:.2f} on top)."


def rule_for(name: str) -> tuple[str, Callable[[Facts, int, float], str | None]] | None:
    """(group, sentence builder) for a feature, or None if it may not be quoted."""
    if name.startswith("pulse_") or name in ("treated", "it_done_before", "role_level",
                                            "has_next_step", "comp_obs12", "n_assessed"):
        return None
    if name == "item_offset":
        return "offset", _offset
    if name in ("it_qa_mean", "it_qa_vs_own") or name.startswith("qa8_"):
        return "qa", _qa
    if name.startswith(("it_gap_cur", "gap_cur")):
        return "gap_cur", lambda f, j, c: _gap(f, j, "cur")
    if name.startswith(("it_gap_next", "gap_next")):
        return "gap_next", lambda f, j, c: _gap(f, j, "next")
    if name.startswith(("it_lvl", "lvl_", "it_unassessed")):
        return "level", _level
    if name.startswith("z_") and name.endswith("_mean4"):
        code = name[2:-6]
        return f"metric_{code}", _metric(code)
    if name.startswith("z_") or name.startswith("comp_"):
        return "trend", _trend
    if name.startswith("sent_"):
        return "sentiment", _sentiment
    if name == "tenure_weeks":
        return "tenure", _tenure
    if name in ("item_kind", "item_delivery", "remote_x_in_person", "work_arrangement",
                "employment_type", "item_duration"):
        return "kind", _kind
    if name.startswith("dev_") or name == "weeks_since_dev":
        return "development", _development
    return None


def reasons(contrib: np.ndarray, names: list[str], facts: Facts, gain: np.ndarray,
            low: np.ndarray, high: np.ndarray, *, per_row: int = 2) -> list[list[str]]:
    rules = [rule_for(n) for n in names]
    order = np.argsort(-contrib, axis=1, kind="stable")[:, :10]
    top = np.take_along_axis(contrib, order, 1)
    # Python numbers in the loop: numpy scalars cost more to index and format than the
    # sentences do, 50,000 rows a chunk.
    support = facts.support[facts.i].astype(int).tolist()
    rows = zip(order.tolist(), top.tolist(), support, gain.tolist(), low.tolist(),
               high.tolist(), strict=True)
    out: list[list[str]] = []
    for j, (columns, values, n, g, lo, hi) in enumerate(rows):
        said: list[str] = []
        groups: set[str] = set()
        for c, value in zip(columns, values, strict=True):
            if value <= 0 or len(said) >= per_row:
                break
            rule = rules[c]
            if rule is None or rule[0] in groups:
                continue
            text = rule[1](facts, j, value)
            if text:
                said.append(text)
                groups.add(rule[0])
        said.append(_estimate(n, g, lo, hi))
        out.append(said)
    return out


def _estimate(n: int, gain: float, low: float, high: float) -> str:
    """The closing sentence: estimate, interval and how many past completions back it."""
    basis = (f"{n} completion{'s' if n != 1 else ''} of this item in past data"
             if n else "no past completions of this item, so it is scored from its skills "
                       "and format")
    interval = f" (range {low:+.2f} to {high:+.2f})" if low == low else ""  # NaN: none
    return f"Expected change in your performance composite over the next 8 weeks: " \
           f"{gain:+.2f}{interval}, based on {basis}."
