"""Roles, their skill requirements, and the next step of an agent's career path.

The next step is the role after the agent's current one on the career path holding their
goal role (or, with no goal, the path holding their current role). Where the current role
is not on that path, it is the lowest step above the current role's level, capped at the
goal. An agent already in their goal role has no next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from recommender.dataset import Dataset

ASSUMED_UNASSESSED_LEVEL = 1.0  # a skill never assessed counts as entry level for gaps


@dataclass(frozen=True)
class RoleModel:
    role_codes: tuple[str, ...]
    skill_codes: tuple[str, ...]
    requirement: np.ndarray   # [R, K] min_level, 0 where not required
    level: np.ndarray         # [R] role level (nan unknown)
    family: tuple[str, ...]
    role_names: tuple[str, ...]
    skill_names: tuple[str, ...]
    paths: pd.DataFrame       # path_code, name, step, role_code

    @classmethod
    def from_dataset(cls, ds: Dataset) -> RoleModel:
        role_codes = sorted(set(ds.roles["role_code"]) | set(ds.agents["role_code"].dropna())
                            | set(ds.role_requirements["role_code"])
                            | set(ds.career_paths["role_code"]))
        item_skills = {s for codes in ds.learning_items["skill_codes"] for s in _codes(codes)}
        skill_codes = sorted(set(ds.skills["skill_code"])
                             | set(ds.role_requirements["skill_code"]) | item_skills)
        r_ix = {c: i for i, c in enumerate(role_codes)}
        k_ix = {c: i for i, c in enumerate(skill_codes)}
        req = np.zeros((len(role_codes), len(skill_codes)))
        for row in ds.role_requirements.itertuples(index=False):
            req[r_ix[row.role_code], k_ix[row.skill_code]] = float(row.min_level)
        roles = ds.roles.set_index("role_code").reindex(role_codes)
        skills = ds.skills.set_index("skill_code").reindex(skill_codes)
        return cls(
            role_codes=tuple(role_codes), skill_codes=tuple(skill_codes), requirement=req,
            level=pd.to_numeric(roles["level"], errors="coerce").to_numpy(float),
            family=tuple(roles["family"].fillna("").astype(str)),
            role_names=tuple(roles["name"].fillna(pd.Series(role_codes, index=roles.index))),
            skill_names=tuple(skills["name"].fillna(pd.Series(skill_codes, index=skills.index))),
            paths=ds.career_paths.copy(),
        )

    def role_index(self, codes: pd.Series) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(self.role_codes)}
        return codes.map(lookup).fillna(-1).astype(int).to_numpy()

    @cached_property
    def _path_rows(self) -> list[tuple[str, int, str]]:
        """(path_code, step, role_code) per career-path row, in the data's order: plain
        tuples, since every scoring chunk asks for a few dozen next steps."""
        return [(str(r.path_code), int(r.step), r.role_code)
                for r in self.paths[["path_code", "step", "role_code"]].itertuples(index=False)]

    def next_step(self, current: int, goal: int) -> int:
        """Role index of the next step, or -1."""
        if goal >= 0 and goal == current:
            return -1
        target = goal if goal >= 0 else current
        if target < 0:
            return -1
        code = self.role_codes[target]
        on = [row for row in self._path_rows if row[2] == code]
        if not on:
            return goal if goal >= 0 else -1
        path = sorted((row for row in self._path_rows if row[0] == on[0][0]),
                      key=lambda row: row[1])
        cap = on[0][1] if goal >= 0 else max(row[1] for row in path)
        cur_code = self.role_codes[current] if current >= 0 else None
        if cur_code in {row[2] for row in path}:
            cur_step = next(row[1] for row in path if row[2] == cur_code)
            after = [row for row in path if row[1] > cur_step]
        else:
            cur_level = self.level[current] if current >= 0 else np.nan
            level_of = dict(zip(self.role_codes, self.level.tolist(), strict=True))
            # a step whose level is unknown is never below the agent's
            after = path if np.isnan(cur_level) else [
                row for row in path if not level_of.get(row[2], np.nan) <= cur_level]
        after = [row for row in after if row[1] <= cap]
        return self.role_codes.index(after[0][2]) if after else -1

    def next_steps(self, current: np.ndarray, goal: np.ndarray) -> np.ndarray:
        pairs = pd.DataFrame({"c": current, "g": goal})
        uniq = pairs.drop_duplicates().copy()
        uniq["n"] = [self.next_step(c, g) for c, g in zip(uniq["c"], uniq["g"], strict=True)]
        return pairs.merge(uniq, on=["c", "g"], how="left")["n"].to_numpy()

    def gaps(self, role_idx: np.ndarray, level: np.ndarray) -> np.ndarray:
        """[N, K] levels missing to each row's role requirements (0 for no role)."""
        req = np.where(role_idx[:, None] >= 0, self.requirement[np.maximum(role_idx, 0)], 0.0)
        filled = np.where(np.isnan(level), ASSUMED_UNASSESSED_LEVEL, level)
        return np.maximum(req - filled, 0.0)


def _codes(value: object) -> list[str]:
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value if str(v)]
    if isinstance(value, str):
        return [v for v in value.split(";") if v]
    return []
