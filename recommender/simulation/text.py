"""Names and short free texts (transcripts, pulse comments, coaching notes)."""

from __future__ import annotations

import numpy as np

FIRST_NAMES = [
    "Aisha", "Ben", "Carla", "Daniel", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jamal",
    "Kemi", "Liam", "Maria", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Samir", "Thandi",
    "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zanele", "Andres", "Bongani", "Camila",
    "Diego", "Erin", "Fatima", "Gabriel", "Hana", "Ivan", "Joy", "Kofi", "Lucia", "Mateo",
    "Naledi", "Olivia", "Paolo", "Rahul", "Sofia", "Tomas", "Valentina", "Wanjiru", "Yara",
    "Zoe", "Marco", "Lerato", "Jasmine", "Nico", "Amara", "Pedro", "Mei", "Sipho", "Laura",
]
LAST_NAMES = [
    "Khan", "Smith", "Garcia", "Dlamini", "Santos", "Reyes", "Nguyen", "Okafor", "Muller",
    "Rossi", "Patel", "Cruz", "Mokoena", "Lopez", "Bautista", "Chen", "Novak", "Ahmed",
    "Martinez", "Naidoo", "Kim", "Fischer", "Mendoza", "Botha", "Silva", "Torres", "Ramos",
    "Jones", "Castillo", "Ndlovu", "Ali", "Gomez", "Tan", "Vargas", "Pillay", "Herrera",
    "Aquino", "Moreno", "Zulu", "Diaz", "Brown", "Villanueva", "Jimenez", "Sithole",
]

TOPICS = ["billing", "technical support", "orders and delivery", "account changes",
          "cancellation", "complaint", "product information", "payments"]
OPENINGS = {
    "billing": "I have a question about my latest bill.",
    "technical support": "My internet keeps dropping since yesterday.",
    "orders and delivery": "I want to know where my order is.",
    "account changes": "I need to change the address on my account.",
    "cancellation": "I am thinking about cancelling my contract.",
    "complaint": "I want to make a complaint about my last call.",
    "product information": "Can you tell me about the new plans?",
    "payments": "I paid last week but the payment is not showing.",
}
AGENT_LINES = [
    "Let me check your account.", "I can look into that for you.",
    "One moment while I pull up the details.", "I have updated the record.",
    "Here is what I can see on the system.", "I will send you a confirmation.",
]
# Customer lines by tone: very negative, negative, neutral, positive, very positive.
TONE_LINES = [
    ["This is absolutely terrible service.",
     "I am furious, this is the third time I have called about this.",
     "You people are useless and I want to cancel.",
     "I am really angry and frustrated with this mess.",
     "Worst experience ever, I hate dealing with this company."],
    ["I am a bit disappointed, this should not have happened.",
     "Honestly it is annoying that it took so long.",
     "The bill is wrong again, which is frustrating.",
     "I am not happy with how this was handled."],
    ["I need to check the status of it.", "Okay, I see.",
     "Right, let me find the reference number.", "Can you tell me when it goes through?",
     "I will wait for the email then."],
    ["Thanks, that helps.", "Good, that sounds fine.",
     "Okay great, thank you for checking.", "That is helpful, I appreciate it."],
    ["Thank you so much, you have been amazing!",
     "Brilliant, that is exactly what I needed, great service.",
     "I really appreciate your help, wonderful!",
     "Excellent, I am very happy with this, thanks a lot."],
]
TONE_EDGES = np.array([-0.5, -0.15, 0.15, 0.5])

PULSE_COMMENTS = [
    ["Too many back-to-back calls lately, I am exhausted.",
     "Schedule changes keep wearing me down.",
     "I feel nobody notices the pressure on the queue."],
    ["An okay month overall.", "Busy but manageable.",
     "Would like more time for training."],
    ["Great support from my team lead this month.", "I enjoy the new tools.",
     "Good month, the team is really helpful."],
]
COACHING_NOTES = [
    "Listened to two recorded calls together and agreed on one habit to practise.",
    "Role-played a difficult call; follow-up in two weeks.",
    "Reviewed last week's dashboard and set a small goal.",
    "Side-by-side on live contacts; good progress on call structure.",
    "",
]


def transcripts(sentiment: np.ndarray, topics: np.ndarray, rng: np.random.Generator
                ) -> list[str]:
    """Short transcripts whose customer lines carry the tone of the true sentiment."""
    tone = np.searchsorted(TONE_EDGES, sentiment)
    n = len(sentiment)
    picks = rng.integers(0, 1_000_000, size=(n, 4))
    # Agent lines are neutral and follow the topic, which keeps the number of distinct
    # texts small enough for a lexicon analyser to score them all quickly.
    topic_ix = np.array([TOPICS.index(t) for t in topics], dtype=int)
    picks[:, 0] = topic_ix
    picks[:, 2] = topic_ix + 3
    # Mildly toned contacts mix in a neutral line, so lexicon scores come out milder.
    second = np.where(np.abs(sentiment) < 0.35, 2, tone)
    out = []
    for i in range(n):
        a, b, c, d = picks[i]
        lines_t = TONE_LINES[tone[i]]
        lines_s = TONE_LINES[second[i]]
        out.append(
            f"Customer: {OPENINGS[topics[i]]} "
            f"Agent: {AGENT_LINES[a % len(AGENT_LINES)]} "
            f"Customer: {lines_t[b % len(lines_t)]} "
            f"Agent: {AGENT_LINES[c % len(AGENT_LINES)]} "
            f"Customer: {lines_s[d % len(lines_s)]}"
        )
    return out


def pulse_comment(wellbeing: int, pick: int) -> str:
    bucket = 0 if wellbeing <= 2 else (1 if wellbeing == 3 else 2)
    lines = PULSE_COMMENTS[bucket]
    return lines[pick % len(lines)]
