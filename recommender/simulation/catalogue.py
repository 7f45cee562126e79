"""The simulated centre's catalogue: skills, roles, paths, metrics and learning items.

Public columns follow the data contract; the `effect`, `popularity`, `backfire` fields of
`Item` are the simulator's hidden truth and are never written to the data files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SKILLS: list[tuple[str, str, str, str]] = [
    ("product_knowledge", "Product knowledge", "knowledge",
     "Plans, billing rules, devices and current offers."),
    ("emotional_intelligence", "Emotional intelligence", "behaviour",
     "Reading and responding to the customer's emotions."),
    ("deescalation", "De-escalation", "behaviour",
     "Calming angry customers and recovering the conversation."),
    ("data_analytics", "Data and analytics", "analytical",
     "Reading dashboards, spotting patterns in contacts and KPIs."),
    ("journey_mapping", "Customer-journey mapping", "analytical",
     "Mapping and optimising the end-to-end customer journey."),
    ("tools_systems", "Tools and systems", "technical",
     "CRM, knowledge base, desktop and channel tools."),
    ("compliance", "Compliance", "knowledge",
     "Data protection, payment security and complaint regulations."),
    ("communication", "Communication", "behaviour",
     "Clear structure and wording on voice, chat and email."),
    ("problem_solving", "Problem solving", "analytical",
     "Diagnosing the root cause and resolving it first time."),
    ("sales_retention", "Sales and retention", "commercial",
     "Consultative selling and saving customers who want to leave."),
]
SKILL_CODES = [s[0] for s in SKILLS]
SK = {code: k for k, code in enumerate(SKILL_CODES)}
N_SKILLS = len(SKILLS)

# Average skill level an experienced agent reaches through work alone, on top of their
# innate level (added over the first year or two of tenure).
EXPERIENCE_GAIN = np.array([0.9, 0.5, 0.55, 0.2, 0.2, 0.9, 0.6, 0.5, 0.55, 0.3])
# Where new hires start, per skill, on the 1-5 scale.
HIRE_LEVEL = np.array([2.2, 2.6, 2.3, 1.9, 1.8, 2.3, 2.6, 2.6, 2.4, 2.1])

ROLES: list[tuple[str, str, str, int]] = [
    ("agent", "Customer service agent", "frontline", 1),
    ("senior_agent", "Senior agent", "frontline", 2),
    ("team_lead", "Team lead", "leadership", 3),
    ("ops_manager", "Operations manager", "leadership", 4),
    ("qa_analyst", "Quality analyst", "specialist", 2),
    ("wfm_analyst", "Workforce planning analyst", "specialist", 2),
    ("trainer", "Trainer", "specialist", 2),
    ("voc_analyst", "Voice-of-the-customer analyst", "outside_cc", 2),
    ("product_specialist", "Product specialist", "outside_cc", 2),
    ("loyalty_specialist", "Loyalty specialist", "outside_cc", 2),
    ("sales_rep", "Sales representative", "outside_cc", 2),
]
FRONTLINE_ROLES = ("agent", "senior_agent")

ROLE_REQUIREMENTS: dict[str, dict[str, int]] = {
    "agent": {"product_knowledge": 2, "communication": 2, "compliance": 3,
              "tools_systems": 2},
    "senior_agent": {"product_knowledge": 3, "emotional_intelligence": 3,
                     "deescalation": 3, "tools_systems": 3, "compliance": 3,
                     "problem_solving": 3},
    "team_lead": {"emotional_intelligence": 4, "deescalation": 4, "data_analytics": 3,
                  "communication": 4, "problem_solving": 3, "compliance": 3},
    "ops_manager": {"data_analytics": 4, "journey_mapping": 3, "communication": 4,
                    "problem_solving": 4},
    "qa_analyst": {"compliance": 4, "communication": 3, "data_analytics": 3,
                   "product_knowledge": 3},
    "wfm_analyst": {"data_analytics": 4, "tools_systems": 3, "problem_solving": 3},
    "trainer": {"communication": 4, "product_knowledge": 4, "emotional_intelligence": 3},
    "voc_analyst": {"data_analytics": 4, "journey_mapping": 4, "emotional_intelligence": 3},
    "product_specialist": {"product_knowledge": 4, "problem_solving": 4,
                           "journey_mapping": 3},
    "loyalty_specialist": {"sales_retention": 4, "emotional_intelligence": 3,
                           "deescalation": 3, "journey_mapping": 3},
    "sales_rep": {"sales_retention": 4, "communication": 3, "product_knowledge": 3},
}

CAREER_PATHS: list[tuple[str, str, list[str]]] = [
    ("frontline_leadership", "Agent to team lead",
     ["agent", "senior_agent", "team_lead", "ops_manager"]),
    ("quality", "Quality assurance", ["agent", "senior_agent", "qa_analyst"]),
    ("workforce", "Workforce management", ["agent", "wfm_analyst"]),
    ("training", "Training and enablement", ["agent", "senior_agent", "trainer"]),
    ("voice_of_customer", "Voice of the customer", ["agent", "voc_analyst"]),
    ("product", "Product specialist", ["agent", "senior_agent", "product_specialist"]),
    ("loyalty", "Loyalty team rotation", ["agent", "loyalty_specialist"]),
    ("sales", "Sales", ["agent", "sales_rep"]),
]
# Goal roles agents state, with how often each is chosen.
GOAL_ROLES = [("senior_agent", 3.0), ("team_lead", 2.0), ("qa_analyst", 1.0),
              ("wfm_analyst", 0.6), ("trainer", 0.8), ("voc_analyst", 0.7),
              ("product_specialist", 1.0), ("loyalty_specialist", 1.2), ("sales_rep", 0.9)]
# Roles an agent can move into and leave the queues for (internal mobility).
MOVE_ROLES = ("qa_analyst", "wfm_analyst", "trainer", "voc_analyst", "product_specialist",
              "loyalty_specialist", "sales_rep")

# Metrics: code, name, unit, higher_is_better, weight, intercept, per-skill slopes on
# (level - 3), stress slope, weekly noise sd, agent offset sd, valid range.
METRICS = [
    ("aht_seconds", "Average handle time", "seconds", False, 0.15, 440.0,
     {"product_knowledge": -26.0, "tools_systems": -28.0, "problem_solving": -12.0,
      "journey_mapping": -5.0}, 18.0, 34.0, 32.0, (60.0, 3600.0)),
    ("fcr_rate", "First-contact resolution", "ratio", True, 0.20, 0.70,
     {"product_knowledge": 0.045, "problem_solving": 0.035, "journey_mapping": 0.02,
      "tools_systems": 0.015, "data_analytics": 0.01}, -0.006, 0.05, 0.03, (0.0, 1.0)),
    ("csat", "Customer satisfaction", "score 1-5", True, 0.20, 4.02,
     {"emotional_intelligence": 0.11, "deescalation": 0.10, "product_knowledge": 0.06,
      "communication": 0.06, "sales_retention": 0.02}, -0.035, 0.15, 0.08, (1.0, 5.0)),
    ("qa_score", "Quality score", "points 0-100", True, 0.20, 78.0,
     {"compliance": 4.0, "communication": 2.5, "tools_systems": 2.0,
      "product_knowledge": 2.0, "emotional_intelligence": 1.0}, -0.5, 4.5, 3.0,
     (0.0, 100.0)),
    ("adherence_rate", "Schedule adherence", "ratio", True, 0.10, 0.905,
     {"tools_systems": 0.008}, -0.022, 0.025, 0.015, (0.0, 1.0)),
    ("customer_sentiment", "Customer sentiment", "score -1 to 1", True, 0.15, 0.16,
     {"emotional_intelligence": 0.08, "deescalation": 0.09, "product_knowledge": 0.04,
      "communication": 0.03}, -0.03, 0.08, 0.04, (-1.0, 1.0)),
]
METRIC_CODES = [m[0] for m in METRICS]
N_METRICS = len(METRICS)
M_INTERCEPT = np.array([m[5] for m in METRICS])
M_SKILL = np.zeros((N_METRICS, N_SKILLS))
for _m, _spec in enumerate(METRICS):
    for _code, _slope in _spec[6].items():
        M_SKILL[_m, SK[_code]] = _slope
M_STRESS = np.array([m[7] for m in METRICS])
M_NOISE = np.array([m[8] for m in METRICS])
M_OFFSET = np.array([m[9] for m in METRICS])
M_LOW = np.array([m[10][0] for m in METRICS])
M_HIGH = np.array([m[10][1] for m in METRICS])
M_SIGN = np.array([1.0 if m[3] else -1.0 for m in METRICS])
M_WEIGHT = np.array([m[4] for m in METRICS]) / sum(m[4] for m in METRICS)
# Rough agent-week spreads, fixed in advance, that turn skills into the latent performance
# score driving the leaving hazard (the data-dependent composite is only for the truth).
M_REF_SD = np.array([58.0, 0.085, 0.21, 6.8, 0.04, 0.12])
PERF_LOADING = (M_WEIGHT * M_SIGN / M_REF_SD) @ M_SKILL  # per skill, per level


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    kind: str
    duration: int
    cost: float
    skills: tuple[str, ...]
    delivery: str
    effect: float  # skill levels gained by a typical agent (gap 1.8, tenure ~1y)
    popularity: float = 1.0
    prerequisites: tuple[str, ...] = ()
    mandatory: bool = False
    recertify_months: int | None = None
    active: bool = True
    backfire: bool = False  # harms stressed agents
    description: str = ""

    @property
    def has_xapi(self) -> bool:
        return self.kind != "coaching" and self.delivery != "in_person"

    @property
    def scored(self) -> bool:
        return self.kind in ("course", "microlearning", "simulation")


def _i(*args, **kwargs) -> Item:
    return Item(*args, **kwargs)


ITEMS: list[Item] = [
    _i("PK-101", "Product essentials", "course", 240, 120, ("product_knowledge",),
       "online", 0.45, 3.0, description="Plans, devices, billing basics."),
    _i("PK-201", "Advanced product: billing and plans", "course", 360, 250,
       ("product_knowledge",), "blended", 0.55, 1.5, ("PK-101",)),
    _i("PK-301", "Product specialist deep dive", "course", 480, 420,
       ("product_knowledge", "problem_solving"), "in_person", 0.5, 0.6, ("PK-201",)),
    _i("EI-101", "Emotional intelligence at work", "course", 180, 90,
       ("emotional_intelligence", "communication"), "online", 0.4, 2.0),
    _i("EI-201", "Empathy in difficult conversations", "course", 300, 220,
       ("emotional_intelligence", "deescalation"), "blended", 0.45, 1.0, ("EI-101",)),
    _i("DE-101", "De-escalation fundamentals", "course", 120, 80, ("deescalation",),
       "online", 0.4, 1.6),
    _i("DA-101", "Data and analytics for agents", "course", 240, 150, ("data_analytics",),
       "online", 0.5, 0.8),
    _i("DA-201", "Reading your dashboard: KPIs and their drivers", "microlearning", 30, 15,
       ("data_analytics", "problem_solving"), "online", 0.15, 1.0),
    _i("CJ-101", "Customer-journey mapping", "course", 300, 260,
       ("journey_mapping", "problem_solving"), "blended", 0.45, 0.7),
    _i("CJ-201", "Journey optimisation workshop", "course", 420, 380,
       ("journey_mapping", "data_analytics"), "in_person", 0.45, 0.4, ("CJ-101",)),
    _i("TS-101", "CRM and desktop tools", "course", 150, 60, ("tools_systems",), "online",
       0.45, 2.0),
    _i("TS-102", "Knowledge base search mastery", "microlearning", 20, 10,
       ("tools_systems", "product_knowledge"), "online", 0.15, 1.5),
    _i("CO-101", "Data protection and privacy", "course", 60, 0, ("compliance",), "online",
       0.2, 0.3, mandatory=True, recertify_months=12),
    _i("CO-102", "Payment card security (PCI DSS)", "course", 45, 0, ("compliance",),
       "online", 0.2, 0.3, mandatory=True, recertify_months=12),
    _i("CO-103", "Complaints handling regulations", "course", 90, 0,
       ("compliance", "deescalation"), "online", 0.25, 0.3, mandatory=True,
       recertify_months=24),
    _i("CO-104", "Health and safety at work", "microlearning", 30, 0, (), "online", 0.0,
       0.3, mandatory=True, recertify_months=12),
    _i("CM-101", "Clear writing for chat and email", "course", 120, 70, ("communication",),
       "online", 0.4, 1.2),
    _i("CM-102", "Call control and structure", "microlearning", 15, 10,
       ("communication", "problem_solving"), "online", 0.12, 1.5),
    _i("PS-101", "Structured problem solving", "course", 180, 110, ("problem_solving",),
       "online", 0.4, 1.0),
    _i("SR-101", "Retention conversations", "course", 240, 180, ("sales_retention",),
       "blended", 0.45, 0.9),
    _i("SR-102", "Consultative selling", "course", 200, 160,
       ("sales_retention", "communication"), "online", 0.4, 0.7, ("SR-101",)),
    # Popular and well rated, but they change nothing measurable.
    _i("GEN-100", "Customer service excellence masterclass (video series)", "course", 90,
       49, ("communication", "emotional_intelligence"), "online", 0.0, 6.0),
    _i("MIC-WELL", "Wellness minute", "microlearning", 5, 0, (), "online", 0.0, 4.0),
    _i("MIC-MOT", "Motivation Monday: a winning mindset", "microlearning", 10, 0,
       ("emotional_intelligence",), "online", 0.0, 5.0),
    _i("GAM-QUIZ", "Product trivia league", "microlearning", 15, 5, ("product_knowledge",),
       "online", 0.0, 4.5, description="Gamified weekly quiz with a leaderboard."),
    _i("MIC-EI", "Micro: naming the emotion", "microlearning", 10, 5,
       ("emotional_intelligence",), "online", 0.12, 1.5),
    _i("MIC-DE", "Micro: three phrases that calm", "microlearning", 8, 5,
       ("deescalation",), "online", 0.12, 1.5),
    _i("MIC-PK", "Micro: this week's product update", "microlearning", 10, 0,
       ("product_knowledge",), "online", 0.10, 3.0),
    _i("MIC-CO", "Micro: spotting social engineering", "microlearning", 10, 0,
       ("compliance",), "online", 0.08, 1.0),
    _i("MIC-TS", "Micro: keyboard shortcuts", "microlearning", 5, 0, ("tools_systems",),
       "online", 0.06, 2.0),
    _i("SIM-DE", "Angry caller simulation", "simulation", 60, 40,
       ("deescalation", "emotional_intelligence"), "online", 0.45, 1.2),
    _i("SIM-ESC", "Escalation gauntlet: live high-pressure simulation", "simulation", 120,
       150, ("deescalation", "emotional_intelligence"), "blended", 0.55, 1.5,
       backfire=True),
    _i("SIM-CH", "Chat concurrency simulator", "simulation", 45, 30,
       ("tools_systems", "communication"), "online", 0.35, 1.0),
    _i("SIM-BILL", "Billing dispute simulation", "simulation", 60, 40,
       ("product_knowledge", "problem_solving"), "online", 0.4, 1.0),
    _i("SHD-SEN", "Shadow a senior agent", "shadowing", 240, 0,
       ("product_knowledge", "problem_solving", "tools_systems"), "in_person", 0.5, 1.6),
    _i("SHD-QA", "Sit with QA: calibration session", "shadowing", 120, 0,
       ("compliance", "communication"), "in_person", 0.4, 0.8),
    _i("SHD-LOY", "Loyalty team rotation day", "shadowing", 420, 0,
       ("sales_retention", "journey_mapping"), "in_person", 0.45, 0.8),
    _i("SHD-VIRT", "Virtual shadowing by screen share", "shadowing", 120, 0,
       ("product_knowledge", "tools_systems"), "online", 0.3, 0.9),
    _i("CCH-DE", "Coaching: de-escalation", "coaching", 30, 25,
       ("deescalation", "emotional_intelligence"), "blended", 0.35, 1.0),
    _i("CCH-AHT", "Coaching: call flow and handle time", "coaching", 30, 25,
       ("tools_systems", "problem_solving", "product_knowledge"), "blended", 0.35, 1.0),
    _i("CCH-QA", "Coaching: quality and compliance", "coaching", 30, 25,
       ("compliance", "communication"), "blended", 0.3, 1.0),
    _i("CCH-EI", "Coaching: empathy and tone", "coaching", 30, 25,
       ("emotional_intelligence", "communication"), "blended", 0.35, 1.0),
    _i("CCH-CAR", "Coaching: career conversation", "coaching", 45, 25, (), "blended", 0.0,
       0.6),
    _i("OLD-CRM", "Legacy CRM basics (retired)", "course", 120, 60, ("tools_systems",),
       "online", 0.1, 1.0, active=False),
    _i("OLD-PK", "Product essentials, 2023 edition (retired)", "course", 200, 100,
       ("product_knowledge",), "online", 0.3, 1.5, active=False),
]
ITEM_CODES = [it.code for it in ITEMS]
IT = {code: j for j, code in enumerate(ITEM_CODES)}
N_ITEMS = len(ITEMS)
ITEM_SKILL = np.zeros((N_ITEMS, N_SKILLS))
for _j, _it in enumerate(ITEMS):
    for _code in _it.skills:
        ITEM_SKILL[_j, SK[_code]] = 1.0
ITEM_EFFECT = np.array([it.effect for it in ITEMS])
ITEM_POPULARITY = np.array([it.popularity for it in ITEMS])
ITEM_KIND = np.array([it.kind for it in ITEMS])
ITEM_DELIVERY = np.array([it.delivery for it in ITEMS])
ITEM_BACKFIRE = np.array([it.backfire for it in ITEMS])
ITEM_MANDATORY = np.array([it.mandatory for it in ITEMS])
ITEM_ACTIVE = np.array([it.active for it in ITEMS])
ITEM_XAPI = np.array([it.has_xapi for it in ITEMS])
ITEM_SCORED = np.array([it.scored for it in ITEMS])
ITEM_PREREQ = np.zeros((N_ITEMS, N_ITEMS), dtype=bool)  # [item, prerequisite]
for _j, _it in enumerate(ITEMS):
    for _code in _it.prerequisites:
        ITEM_PREREQ[_j, IT[_code]] = True
ITEM_RECERT_WEEKS = np.array([
    round(it.recertify_months * 52 / 12) if it.recertify_months else 0 for it in ITEMS])
COACHING_ITEMS = np.flatnonzero(ITEM_KIND == "coaching")
MANDATORY_ITEMS = np.flatnonzero(ITEM_MANDATORY)
XAPI_BASE = "https://lms.northwind-cc.example/xapi/activities/"


def xapi_activity_id(item: Item) -> str:
    return XAPI_BASE + item.code.lower() if item.has_xapi else ""
