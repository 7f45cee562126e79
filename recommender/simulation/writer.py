"""Turns a finished simulation into the contract's files (and the truth folder)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from . import catalogue as C
from .centre import BY, CHANNELS, QA_SKILLS, Centre
from .engine import DATA_END, DEV_HAZARD_RATIO, DEV_WINDOW
from .text import COACHING_NOTES, TOPICS, pulse_comment, transcripts
from .truth import item_gain, leaving

LMS_HOME = "https://lms.northwind-cc.example"
VERB = "http://adlnet.gov/expapi/verbs/"


def _bool(values) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "true", "false")


def _int(values) -> pd.Series:
    return pd.Series(values, dtype="float64").round().astype("Int64")


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.array([f"{prefix}{k:0{width}d}" for k in range(1, n + 1)], dtype=object)


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


class Writer:
    def __init__(self, centre: Centre, out_dir: Path) -> None:
        self.c, self.out = centre, Path(out_dir)
        self.rng = centre.rng_ids
        self.pid_of = centre.fl.pid[: centre.fl.n]
        self.eid = np.array([p.employee_id for p in centre.people])
        self.offset_of_team = np.array([t.offset for t in centre.teams])

    # ------------------------------------------------------------ small helpers
    def ids(self, f: np.ndarray) -> np.ndarray:
        return self.eid[self.pid_of[f]]

    def dates(self, t: np.ndarray, day: np.ndarray) -> np.ndarray:
        return np.datetime_as_string(self.c.week_dates(t, day), unit="D")

    def stamps(self, f: np.ndarray, t: np.ndarray, day: np.ndarray, sec: np.ndarray
               ) -> np.ndarray:
        """Local timestamps with the site's UTC offset (the local date is the date)."""
        local = self.c.week_dates(t, day).astype("datetime64[s]") + sec.astype(
            "timedelta64[s]")
        text = np.datetime_as_string(local, unit="s")
        offset = self.offset_of_team[self.c.fl.team[f]]
        return np.char.add(text.astype(str), offset.astype(str))

    def uuids(self, n: int) -> list[str]:
        return [str(uuid.UUID(bytes=self.rng.bytes(16), version=4)) for _ in range(n)]

    # ------------------------------------------------------------ catalogue
    def catalogue(self) -> None:
        out = self.out
        _write(pd.DataFrame(C.SKILLS, columns=["skill_code", "name", "category",
                                               "description"]), out / "skills.csv")
        _write(pd.DataFrame(C.ROLES, columns=["role_code", "name", "family", "level"]),
               out / "roles.csv")
        _write(pd.DataFrame(
            [(r, s, lvl) for r, req in C.ROLE_REQUIREMENTS.items() for s, lvl in req.items()],
            columns=["role_code", "skill_code", "min_level"]), out / "role_requirements.csv")
        _write(pd.DataFrame(
            [(code, name, step, role) for code, name, roles in C.CAREER_PATHS
             for step, role in enumerate(roles, start=1)],
            columns=["path_code", "name", "step", "role_code"]), out / "career_paths.csv")
        rows = []
        for it in C.ITEMS:
            skill_names = ", ".join(s.replace("_", " ") for s in it.skills) or "general"
            rows.append({
                "item_code": it.code, "title": it.title, "kind": it.kind,
                "duration_minutes": it.duration, "cost": it.cost,
                "skill_codes": ";".join(it.skills),
                "description": it.description or f"{it.kind.capitalize()} on {skill_names}.",
                "prerequisite_codes": ";".join(it.prerequisites),
                "xapi_activity_id": C.xapi_activity_id(it), "delivery": it.delivery,
                "active": "true" if it.active else "false",
                "mandatory": "true" if it.mandatory else "false",
                "recertify_months": it.recertify_months or "",
            })
        _write(pd.DataFrame(rows), out / "learning_items.csv")
        _write(pd.DataFrame(
            [(m[0], m[1], m[2], "true" if m[3] else "false", m[4]) for m in C.METRICS],
            columns=["metric_code", "name", "unit", "higher_is_better", "weight"]),
            out / "metrics.csv")

    # ------------------------------------------------------------ people
    def people(self) -> None:
        c, out = self.c, self.out
        _write(pd.DataFrame([
            {"team_code": t.code, "name": t.name, "site": t.site,
             "lead_employee_id": c.people[t.lead].employee_id} for t in c.teams]),
            out / "teams.csv")
        _write(pd.DataFrame([
            {"employee_id": p.employee_id, "name": p.name, "email": p.email,
             "team_code": c.teams[p.team].code, "role_code": p.role,
             "hire_date": p.hire_date.isoformat(), "work_arrangement": p.arrangement,
             "employment_type": p.etype, "goal_role_code": p.goal,
             "hourly_cost": f"{p.hourly_cost:.2f}"} for p in c.people]), out / "agents.csv")
        history = pd.DataFrame(
            [(p.employee_id, d.isoformat(), role) for p in c.people for d, role in p.history],
            columns=["employee_id", "from_date", "role_code"])
        history = history.drop_duplicates(["employee_id", "from_date"], keep="last")
        _write(history, out / "role_history.csv")
        _write(pd.DataFrame(
            [(c.people[pid].employee_id, d.isoformat(), reason)
             for pid, d, reason in c.separations],
            columns=["employee_id", "separation_date", "reason"]), out / "separations.csv")

    # ------------------------------------------------------------ signals
    def performance(self) -> np.ndarray:
        c, ev = self.c, self.c.ev.get("perf")
        f, t, v = ev["f"], ev["t"], ev["v"]
        n, W = len(f), c.W
        keep = np.ones((n, C.N_METRICS), dtype=bool)
        team = c.fl.team[f]
        # Speech analytics reached the vendor site only half-way through the run.
        keep[:, 5] &= ~(c.team_vendor[team] & (t < W // 2))
        # Survey gaps: a vendor outage for two weeks, and scattered missing weeks.
        keep[:, 2] &= self.rng.random(n) >= 0.04
        if W >= 10:
            keep[:, 2] &= ~np.isin(t, [W // 3, W // 3 + 1])
            bogota = np.array([tm.site.startswith("Bogot") for tm in c.teams])[team]
            keep[:, 0] &= ~(bogota & (t == (2 * W) // 3))
        decimals = [1, 4, 3, 2, 4, 4]
        rounded = np.column_stack([np.round(v[:, m], d) for m, d in enumerate(decimals)])
        rows, cols = np.nonzero(keep)
        frame = pd.DataFrame({
            "employee_id": self.ids(f)[rows],
            "period_start": self.dates(t, np.zeros(n, dtype=int))[rows],
            "metric_code": np.array(C.METRIC_CODES)[cols],
            "value": rounded[rows, cols],
        })
        _write(frame, self.out / "performance.csv")
        return v

    def interactions(self) -> pd.DataFrame:
        ev = self.c.ev.get("inter")
        n = len(ev["f"])
        topic = np.array(TOPICS)[ev["topic"]]
        tonly = ev["tonly"]
        text = np.full(n, "", dtype=object)
        text[tonly] = transcripts(ev["sentiment"][tonly], topic[tonly], self.c.rng_text)
        ids = _ids("INT", n, 9)
        frame = pd.DataFrame({
            "interaction_id": ids,
            "employee_id": self.ids(ev["f"]),
            "started_at": self.stamps(ev["f"], ev["t"], ev["day"], ev["sec"]),
            "channel": np.array(CHANNELS)[ev["channel"]],
            "topic": topic,
            "customer_sentiment": np.where(tonly, np.nan, ev["sentiment"]),
            "transcript": text,
            "handle_seconds": _int(ev["handle"]),
            "resolved": _bool(ev["resolved"]),
            "csat": _int(ev["csat"]),
        })
        _write(frame, self.out / "interactions.csv")
        return pd.DataFrame({"interaction_id": ids[tonly],
                             "true_sentiment": ev["sentiment"][tonly]})

    def qa(self) -> None:
        ev = self.c.ev.get("qa")
        n, k = ev["scores"].shape
        ids = _ids("QA", n, 7)
        frame = pd.DataFrame({
            "evaluation_id": np.repeat(ids, k),
            "skill_code": np.tile(np.array(C.SKILL_CODES)[QA_SKILLS], n),
            "employee_id": np.repeat(self.ids(ev["f"]), k),
            "evaluated_at": np.repeat(self.dates(ev["t"], ev["day"]), k),
            "evaluator_employee_id": np.repeat(self.eid[ev["evaluator"]], k),
            "score": _int(ev["scores"].ravel()),
        })
        _write(frame, self.out / "qa_evaluations.csv")

    def pulse(self) -> None:
        ev = self.c.ev.get("pulse")
        comment = [pulse_comment(int(w), int(c)) if c >= 0 else ""
                   for w, c in zip(ev["wellbeing"], ev["comment"], strict=True)]
        frame = pd.DataFrame({
            "employee_id": self.ids(ev["f"]),
            "answered_at": self.dates(ev["t"], ev["day"]),
            "engagement": _int(ev["engagement"]),
            "wellbeing": _int(ev["wellbeing"]),
            "enps": _int(ev["enps"]),
            "comment": comment,
        }).drop_duplicates(["employee_id", "answered_at"])
        _write(frame, self.out / "pulse_surveys.csv")

    def assessments(self) -> None:
        ev = self.c.ev.get("assess")
        frame = pd.DataFrame({
            "employee_id": self.ids(ev["f"]),
            "skill_code": np.array(C.SKILL_CODES)[ev["skill"]],
            "assessed_at": self.dates(ev["t"], ev["day"]),
            "level": _int(ev["level"]),
            "source": ev["source"],
        }).drop_duplicates(["employee_id", "skill_code", "assessed_at"])
        _write(frame, self.out / "skill_assessments.csv")

    # ------------------------------------------------------------ development
    def development(self) -> None:
        c, rng = self.c, self.rng
        ev = c.ev.get("comp")
        f, t, day, item = ev["f"], ev["t"], ev["day"], ev["item"]
        n = len(f)
        sec = rng.integers(8 * 3600, 19 * 3600, n)
        date = self.dates(t, day)
        stamp = self.stamps(f, t, day, sec)
        eid = self.ids(f)
        code = np.array(C.ITEM_CODES)[item]
        by = np.array(BY)[ev["by"]]
        # Duplicates of one item on one day (say, self-enrolled and lead-assigned) collapse.
        first = ~pd.DataFrame({"e": eid, "i": code, "d": date}).duplicated().to_numpy()
        lms = C.ITEM_XAPI[item] & first
        xapi_only = lms & np.isin(ev["by"], [0, 2]) & (rng.random(n) < 0.25)
        both = lms & ~xapi_only & (rng.random(n) < 0.03)
        in_csv = first & ~xapi_only
        completed_at = np.where(rng.random(n) < 0.3, stamp, date)
        _write(pd.DataFrame({
            "employee_id": eid[in_csv], "item_code": code[in_csv],
            "completed_at": completed_at[in_csv], "score": _int(ev["score"][in_csv]),
            "assigned_by": by[in_csv]}), self.out / "completions.csv")

        statements = []
        for r in np.flatnonzero(xapi_only | both):
            verb = "passed" if C.ITEM_SCORED[item[r]] and rng.random() < 0.5 else "completed"
            statements.append((stamp[r], verb, f[r], item[r], ev["score"][r]))
        fails = c.ev.get("fail")
        for r in np.flatnonzero(C.ITEM_XAPI[fails.get("item", np.zeros(0, dtype=int))]):
            s = self.stamps(fails["f"][r:r + 1], fails["t"][r:r + 1], fails["day"][r:r + 1],
                            rng.integers(8 * 3600, 19 * 3600, 1))[0]
            statements.append((s, "failed", fails["f"][r], fails["item"][r],
                               fails["score"][r]))
        # A few abandoned attempts, and completions recorded in error and then voided.
        lms_rows = np.flatnonzero(lms & (t < c.W - 2))
        for r in rng.choice(lms_rows, size=min(len(lms_rows), max(3, n // 200)),
                            replace=False):
            s = self.stamps(f[r:r + 1], t[r:r + 1], day[r:r + 1], np.array([7 * 3600]))[0]
            statements.append((s, "attempted", f[r], item[r], np.nan))
        perf = c.ev.get("perf")
        candidates = np.flatnonzero(perf["t"] < c.W - 2)
        online = np.flatnonzero(C.ITEM_XAPI & C.ITEM_ACTIVE)
        taken = set(zip(f.tolist(), item.tolist(), t.tolist(), strict=True))
        for r in rng.choice(candidates, size=min(len(candidates), max(2, c.N0 // 400)),
                            replace=False):
            fr, tr = perf["f"][r:r + 1], perf["t"][r:r + 1]
            j = int(rng.choice(online))
            while (int(fr[0]), j, int(tr[0])) in taken:  # never shadow a real completion
                j = int(rng.choice(online))
            done = self.stamps(fr, tr, np.array([1]), np.array([10 * 3600]))[0]
            void = self.stamps(fr, tr, np.array([2]), np.array([9 * 3600]))[0]
            # A voiding statement directly follows the statement it voids.
            statements.append((done, "completed", fr[0], j, 80.0))
            statements.append((void, "voided", fr[0], j, np.nan))
        self._xapi(statements)

        cs = c.ev.get("coach")
        m = len(cs["f"])
        held = np.where(rng.random(m) < 0.5,
                        self.stamps(cs["f"], cs["t"], cs["day"],
                                    rng.integers(8 * 3600, 17 * 3600, m)),
                        self.dates(cs["t"], cs["day"]))
        _write(pd.DataFrame({
            "session_id": _ids("CS", m, 6),
            "employee_id": self.ids(cs["f"]),
            "coach_employee_id": self.eid[cs["coach"]],
            "held_at": held,
            "item_code": np.array(C.ITEM_CODES)[cs["item"]],
            "notes": np.array(COACHING_NOTES)[cs["note"] % len(COACHING_NOTES)],
        }), self.out / "coaching_sessions.csv")

    def _xapi(self, statements: list) -> None:
        c, rng = self.c, self.rng
        ids = self.uuids(len(statements))
        lines, previous = [], None
        for sid, (stamp, verb, f, j, score) in zip(ids, statements, strict=True):
            person = c.people[c.fl.pid[f]]
            if rng.random() < 0.3:
                actor = {"objectType": "Agent", "name": person.name,
                         "mbox": f"mailto:{person.email}"}
            else:
                actor = {"objectType": "Agent", "name": person.name,
                         "account": {"homePage": LMS_HOME, "name": person.employee_id}}
            item = C.ITEMS[j]
            statement = {
                "id": sid, "actor": actor,
                "verb": {"id": VERB + verb, "display": {"en-US": verb}},
                "timestamp": str(stamp), "version": "1.0.3",
            }
            if verb == "voided":
                statement["object"] = {"objectType": "StatementRef", "id": previous}
            else:
                statement["object"] = {
                    "objectType": "Activity", "id": C.xapi_activity_id(item),
                    "definition": {"name": {"en-US": item.title},
                                   "type": "http://adlnet.gov/expapi/activities/course"}}
                result: dict = {"completion": True} if verb in ("completed", "passed") else {}
                if verb != "attempted":
                    result["success"] = verb != "failed"
                if not np.isnan(score):
                    result["score"] = {"scaled": round(float(score) / 100, 2),
                                       "raw": int(score), "min": 0, "max": 100}
                statement["result"] = result
            previous = sid
            lines.append((stamp, sid, json.dumps(statement, sort_keys=True,
                                                 ensure_ascii=False)))
        order = sorted(range(len(lines)), key=lambda i: (pd.Timestamp(str(lines[i][0])).value, i))
        with open(self.out / "xapi_statements.jsonl", "w", encoding="utf-8", newline="\n") as fh:
            for i in order:
                fh.write(lines[i][2] + "\n")

    # ------------------------------------------------------------ truth
    def truth(self, performance_values: np.ndarray, sentiment: pd.DataFrame) -> None:
        truth = self.out / "truth"
        truth.mkdir(parents=True, exist_ok=True)
        _write(item_gain(self.c, performance_values), truth / "item_gain.csv")
        _write(leaving(self.c), truth / "left_within_13w.csv")
        _write(sentiment, truth / "transcript_sentiment.csv")
        facts = {"data_end": DATA_END.isoformat(),
                 "development_hazard_ratio": DEV_HAZARD_RATIO,
                 "development_window_weeks": DEV_WINDOW}
        (truth / "facts.json").write_text(json.dumps(facts, indent=2, sort_keys=True) + "\n")

    def write_all(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        self.catalogue()
        self.people()
        values = self.performance()
        sentiment = self.interactions()
        self.qa()
        self.pulse()
        self.assessments()
        self.development()
        self.truth(values, sentiment)
