"""The meeting's votes on a secretary's report, weighed into a proposed rating (pure: no Django).

述职评议: the meeting votes 好 / 较好 / 一般 / 差 on the secretary's report. The votes are weighed
as an appraisal rubric — each vote counts its weight (`ReportVotesShape`: 1, 0.8, 0.5, 0 by
default) and the sum is divided by the number of voters — into a fraction between 0 and 1; the
proposed rating is the highest of the framework's ratings whose `min` that fraction reaches.

`check_votes` turns what a form or the API sent into whole vote counts, or raises `VotesRefused`
with its messages in both languages (`Text`): this module has no gettext, the caller picks the
language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assessment.scoring.spec.shape import RatingShape, ReportVotesShape
from assessment.scoring.text import Text

__all__ = [
    "VOTE_KINDS",
    "VotesRefused",
    "check_votes",
    "fraction",
    "proposed",
    "rating_named",
    "voters",
]

# The order the meeting's form and the pages show them in: 好, 较好, 一般, 差.
VOTE_KINDS: tuple[str, ...] = ("good", "fairly_good", "average", "poor")
VOTE_NAMES: dict[str, Text] = {
    "good": Text("好", "Good"),
    "fairly_good": Text("较好", "Fairly good"),
    "average": Text("一般", "Average"),
    "poor": Text("差", "Poor"),
}
# No meeting has more voters than this; a larger number is a typing mistake.
MAX_VOTES = 100_000


class VotesRefused(ValueError):
    """Votes that cannot be kept; `texts` say why, in both languages."""

    def __init__(self, texts: Sequence[Text]) -> None:
        super().__init__("; ".join(t.en for t in texts))
        self.texts = tuple(texts)

    def messages(self, lang: str) -> list[str]:
        return [t.get(lang) for t in self.texts]


@dataclass(frozen=True)
class Proposal:
    """What the votes come to: the weighed fraction and the rating it reaches (None: no votes)."""

    fraction: float | None
    rating: RatingShape | None


def _whole(value: object) -> int | None:
    """A whole number ≥ 0 from what a form or JSON gave, or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0
        if not text.isdigit():
            return None
        number = int(text)
    elif value is None:
        return 0
    else:
        return None
    return number if 0 <= number <= MAX_VOTES else None


def check_votes(raw: Mapping[str, object] | None) -> dict[str, int]:
    """The four vote counts as whole numbers (a missing or blank one is 0); at least one vote.

    Raises `VotesRefused` naming every bad count at once, or an unknown kind of vote.
    """
    if not isinstance(raw, Mapping):
        raise VotesRefused(
            [Text("投票结果格式不正确。", "The votes are not in the expected form.")]
        )
    problems: list[Text] = []
    unknown = sorted(str(k) for k in raw if k not in VOTE_KINDS)
    if unknown:
        problems.append(
            Text(
                f"未知的投票类别：{', '.join(unknown)}。",
                f"Unknown kind of vote: {', '.join(unknown)}.",
            )
        )
    votes: dict[str, int] = {}
    for kind in VOTE_KINDS:
        number = _whole(raw.get(kind))
        if number is None:
            name = VOTE_NAMES[kind]
            problems.append(
                Text(
                    f"“{name.zh}”的票数须为0至{MAX_VOTES}之间的整数。",
                    f"The votes for “{name.en}” must be a whole number from 0 to {MAX_VOTES}.",
                )
            )
        else:
            votes[kind] = number
    if not problems and sum(votes.values()) == 0:
        problems.append(Text("请至少录入一票。", "Enter at least one vote."))
    if problems:
        raise VotesRefused(problems)
    return votes


def voters(votes: Mapping[str, int]) -> int:
    return sum(int(votes.get(kind) or 0) for kind in VOTE_KINDS)


def fraction(votes: Mapping[str, int], weights: ReportVotesShape) -> float | None:
    """Σ count × weight ÷ voters, between 0 and 1; None when nobody voted."""
    total = voters(votes)
    if total <= 0:
        return None
    weighed = sum(int(votes.get(kind) or 0) * getattr(weights, kind) for kind in VOTE_KINDS)
    return weighed / total


def proposed(
    votes: Mapping[str, int], weights: ReportVotesShape, ratings: Sequence[RatingShape]
) -> Proposal:
    """The fraction of the votes and the highest rating whose `min` it reaches."""
    share = fraction(votes, weights)
    if share is None:
        return Proposal(None, None)
    # A hair of tolerance: 0.85 typed in the framework is reached by 17 of 20 votes.
    reached = [r for r in ratings if share + 1e-9 >= r.min]
    best = max(reached, key=lambda r: r.min, default=None)
    return Proposal(share, best)


def rating_named(ratings: Sequence[RatingShape], code: str) -> RatingShape | None:
    return next((r for r in ratings if r.code == code), None)
