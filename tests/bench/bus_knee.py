"""The knee of a rate search: the highest offered rate that passes (for the
device bus: p99 under 250 ms), found by doubling (or halving) from a start
rate until a run passes and a run fails, then by bisection between the
two until they are within ``precision`` of each other or the trials are
spent. Pure logic: ``trial(rate) -> result`` and ``passes(result) -> bool``
do the work."""

import math
from dataclasses import dataclass, field


@dataclass
class Search:
    trials: list = field(default_factory=list)  # (rate, result, passed) in the order run

    @property
    def knee(self):
        """The highest passing rate below every failing one, or None."""
        passed = [rate for rate, _r, ok in self.trials if ok and rate < self.first_fail_rate]
        return max(passed) if passed else None

    @property
    def first_fail_rate(self):
        """The lowest failing rate (inf when every trial passed)."""
        return min((rate for rate, _r, ok in self.trials if not ok), default=math.inf)

    def result_at(self, rate):
        return next((result for r, result, _ok in reversed(self.trials) if r == rate), None)

    @property
    def bracketed(self):
        """A failing rate was found above the knee (the knee is not just the last rate tried)."""
        return self.knee is not None and self.first_fail_rate < math.inf


def _rounded(rate, step):
    return max(step, int(round(rate / step)) * step)


def find_knee(trial, passes, start, *, floor=100, cap=64_000, precision=1.25, max_trials=6, step=50):
    """Run ``trial`` at rates chosen as above; returns the Search."""
    search = Search()

    def run(rate):
        result = trial(rate)
        ok = bool(passes(result))
        search.trials.append((rate, result, ok))
        return ok

    rate = _rounded(min(max(start, floor), cap), step)
    while len(search.trials) < max_trials:
        ok = run(rate)
        if ok and search.first_fail_rate < math.inf or not ok and search.knee is not None:
            break
        following = rate * 2 if ok else rate / 2
        if following > cap or following < floor:
            return search
        rate = _rounded(following, step)
    while len(search.trials) < max_trials and search.bracketed:
        low, high = search.knee, search.first_fail_rate
        if high / low <= precision:
            break
        rate = _rounded(math.sqrt(low * high), step)
        if rate in (low, high):
            break
        run(rate)
    return search
