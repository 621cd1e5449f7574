"""Watched intervals: the arithmetic behind "≥90% actually watched".

The player reports the stretches of video it has played (the browser's
``video.played`` ranges, in seconds of video time).  We keep their union,
so replaying a part adds nothing and seeking to the end adds only the
seconds played there.  A report cannot add more new seconds than could
have been played since the last one at the fastest rate the player
offers: a forged report that claims the whole video at once is cut to
what the clock allows.  Pure functions, no Django.
"""

from collections.abc import Iterable

Interval = tuple[float, float]

#: The fastest playback rate the player offers (its menu stops at 2×).
MAX_RATE = 2.0
#: Seconds of grace per report for timer jitter and a report sent late.
SLACK_SECONDS = 5.0
#: The share of the duration that must be covered to complete a video.
COMPLETION_SHARE = 0.9


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals`` as sorted, non-overlapping intervals."""
    merged: list[list[float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def length(intervals: Iterable[Interval]) -> float:
    """Total length covered; ``intervals`` must already be merged."""
    return sum(end - start for start, end in intervals)


def clip(intervals: Iterable[Interval], *, duration: float) -> list[Interval]:
    """``intervals`` cut to ``[0, duration]``; empty and reversed ones dropped."""
    clipped = []
    for start, end in intervals:
        start, end = max(0.0, float(start)), min(float(duration), float(end))
        if end > start:
            clipped.append((start, end))
    return clipped


def subtract(intervals: list[Interval], covered: list[Interval]) -> list[Interval]:
    """The parts of merged ``intervals`` not in merged ``covered``."""
    result = []
    for start, end in intervals:
        cursor = start
        for c_start, c_end in covered:
            if c_end <= cursor or c_start >= end:
                continue
            if c_start > cursor:
                result.append((cursor, c_start))
            cursor = max(cursor, c_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def take(intervals: list[Interval], budget: float) -> list[Interval]:
    """The first ``budget`` seconds of merged ``intervals``, in video order."""
    taken = []
    for start, end in intervals:
        if budget <= 0:
            break
        end = min(end, start + budget)
        taken.append((start, end))
        budget -= end - start
    return taken


def add_report(
    known: list[Interval],
    reported: Iterable[Interval],
    *,
    duration: float,
    elapsed_seconds: float,
) -> list[Interval]:
    """The union after a report, with the report's new seconds capped.

    ``elapsed_seconds`` is the wall-clock time since the previous accepted
    report (or since the page was opened); no more than
    ``elapsed × MAX_RATE + SLACK_SECONDS`` new seconds are taken.
    """
    known = merge(clip(known, duration=duration))
    fresh = subtract(merge(clip(reported, duration=duration)), known)
    budget = max(0.0, elapsed_seconds) * MAX_RATE + SLACK_SECONDS
    return merge(known + take(fresh, budget))


def is_complete(intervals: list[Interval], *, duration: float) -> bool:
    """True when merged ``intervals`` cover at least 90% of ``duration``."""
    if duration <= 0:
        return False
    return length(intervals) >= COMPLETION_SHARE * duration - 1e-9
