"""The democratic appraisal of a branch's members, as rules over plain data (no Django).

A branch's members are ranked by score, ties broken by the share of top votes they received and
then by name. Each member is proposed the grade their score reaches on the member scale; at most
`cap_size(top_share, members)` members may hold the top grade (one third by default: 3 of 9,
1 of 3, none of 2), so those ranked beyond the cap are proposed the next grade down. Approval
checks the decided grades against the same cap (`check_cap`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assessment.scoring.text import Text

# The vote category counted as a top vote, and the key of the number of voters.
TOP_VOTE = "excellent"
VOTERS = "voters"

_SHARE_NAMES: dict[tuple[int, int], tuple[str, str]] = {
    (1, 2): ("二分之一", "one half"),
    (1, 3): ("三分之一", "one third"),
    (1, 4): ("四分之一", "one quarter"),
    (1, 5): ("五分之一", "one fifth"),
    (2, 3): ("三分之二", "two thirds"),
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One member of a branch as the appraisal sees them: their score, the grade it reaches on
    the scale, and the vote counts of the appraisal indicator (category -> count, `voters`)."""

    key: int
    name: str
    score: float | None
    grade: str
    votes: Mapping[str, int]

    @property
    def top_votes(self) -> int:
        return int(self.votes.get(TOP_VOTE) or 0)

    @property
    def voters(self) -> int:
        return int(self.votes.get(VOTERS) or 0)

    @property
    def top_vote_share(self) -> float:
        """The share of the voters who voted the top category (0 without voters)."""
        return self.top_votes / self.voters if self.voters else 0.0


@dataclass(frozen=True, slots=True)
class Proposal:
    """A member's place in the ranking and the grade proposed after the cap."""

    candidate: Candidate
    rank: int
    grade: str
    capped: bool  # the score reached the top grade but the cap moved them down


def cap_size(top_share: float, members: int) -> int:
    """How many of `members` may hold the top grade: the share, rounded down (a hair of
    tolerance so that 1/3 of 9 is 3, not 2.9999)."""
    if members <= 0 or top_share <= 0:
        return 0
    return int(top_share * members + 0.001)


def grade_for(score: float | None, bands: Sequence[tuple[str, float]]) -> str:
    """The grade a score reaches on a scale given as (grade, min) from the top; "" without one."""
    if score is None:
        return ""
    for grade, minimum in bands:
        if score >= minimum:
            return grade
    return bands[-1][0] if bands else ""


def next_grade(top_grade: str, scale: Sequence[str]) -> str:
    """The grade just below the top grade on the scale (the top grade itself if it is last)."""
    index = list(scale).index(top_grade)
    return scale[index + 1] if index + 1 < len(scale) else top_grade


def votes_of(value: object) -> dict[str, int]:
    """The whole vote counts of an appraisal input ({category: count, "voters": n}); {} if the
    input is not a mapping of counts."""
    if not isinstance(value, Mapping):
        return {}
    counts: dict[str, int] = {}
    for key, count in value.items():
        try:
            number = int(count)
        except (TypeError, ValueError):
            continue
        if number >= 0:
            counts[str(key)] = number
    return counts


def ranked(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Highest score first; then the larger share of top votes; then by name; members without
    a score last."""

    def order(c: Candidate) -> tuple:
        return (c.score is None, -(c.score or 0.0), -c.top_vote_share, c.name, c.key)

    return sorted(candidates, key=order)


def propose(
    candidates: Iterable[Candidate], *, top_grade: str, scale: Sequence[str], top_share: float
) -> list[Proposal]:
    """The ranking with each member's proposed grade, the top grade limited to the cap."""
    ordered = ranked(candidates)
    limit = cap_size(top_share, len(ordered))
    below = next_grade(top_grade, scale)
    proposals: list[Proposal] = []
    at_top = 0
    for rank, candidate in enumerate(ordered, start=1):
        grade, capped = candidate.grade, False
        if grade == top_grade:
            if at_top < limit:
                at_top += 1
            else:
                grade, capped = below, True
        proposals.append(Proposal(candidate, rank, grade, capped))
    return proposals


def share_name(share: float) -> Text:
    """A share as people say it: 三分之一 / one third, else a percentage."""
    for (numerator, denominator), (zh, en) in _SHARE_NAMES.items():
        if abs(share - numerator / denominator) < 1e-6:
            return Text(zh, en)
    percent = f"{share * 100:.4g}%"
    return Text(percent, percent)


@dataclass(frozen=True, slots=True)
class CapUse:
    """How many members hold the top grade against the cap."""

    members: int
    top: int
    limit: int
    top_share: float
    message: Text | None  # why approval is refused; None within the cap

    @property
    def exceeded_by(self) -> int:
        return max(0, self.top - self.limit)

    @property
    def within(self) -> bool:
        return self.exceeded_by == 0


def check_cap(
    grades: Iterable[str],
    *,
    top_grade: str,
    top_share: float,
    top_name: Text,
    members_name: Text,
) -> CapUse:
    """The decided grades of a branch against the cap, with the refusal when exceeded:
    "优秀 4 人，超过上限 3 人（党员 9 人的三分之一）"."""
    decided = list(grades)
    members = len(decided)
    top = sum(1 for grade in decided if grade == top_grade)
    limit = cap_size(top_share, members)
    message = None
    if top > limit:
        share = share_name(top_share)
        message = Text(
            f"{top_name.zh} {top} 人，超过上限 {limit} 人（{members_name.zh} {members} 人的"
            f"{share.zh}）",
            f"{top} members graded {top_name.en}, above the limit of {limit} ({share.en} of "
            f"{members} {members_name.en.lower()}s)",
        )
    return CapUse(members, top, limit, top_share, message)
