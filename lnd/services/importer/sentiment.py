"""Customer sentiment for transcripts that come without one (VADER compound, −1…1)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _analyser():
    # Building the analyser loads the lexicon (~7k entries): once per process.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def transcript_sentiment(text: str) -> float:
    return float(_analyser().polarity_scores(text)["compound"])
