"""Which meter samples of a finished session to keep when it is thinned.

Pure logic for ``models/charge_retention.py``: one sample per interval
still draws the power curve, and the samples a bill is derived from stay,
so that the order's energy (per band) and figures come out the same when
they are computed again from what is left:

- the first and last sample of the session, the first and last register
  (energy) reading, the first and last SoC reading and the highest power;
- around every pinned instant (a tariff band boundary inside the session),
  the register readings just at or before it and just after it: the energy
  at that instant is interpolated between those two;
- when the register ever went backwards, every sample (the evidence of a
  faulty meter is kept whole).

Samples are ``Sample`` tuples of one session; times are naive UTC.
"""

from bisect import bisect_right
from collections import namedtuple

Sample = namedtuple("Sample", "id at energy_wh power_w soc")


def register_went_backwards(samples):
    """True when a register reading is below an earlier one."""
    highest = None
    for sample in sorted(samples, key=_key):
        if not sample.energy_wh:
            continue
        if highest is not None and sample.energy_wh < highest:
            return True
        highest = sample.energy_wh if highest is None else max(highest, sample.energy_wh)
    return False


def samples_to_keep(samples, every, pinned=()):
    """The ids of ``samples`` to keep when the session is thinned to one
    sample per ``every`` (a timedelta, counted from the first sample), with
    the bill's samples (see the module's docstring) around the ``pinned``
    instants."""
    ordered = sorted(samples, key=_key)
    if not ordered:
        return set()
    if register_went_backwards(ordered):
        return {sample.id for sample in ordered}
    keep = {ordered[0].id, ordered[-1].id}
    # one per interval: the first sample of each
    origin, seen = ordered[0].at, set()
    step = every.total_seconds()
    for sample in ordered:
        bucket = int((sample.at - origin).total_seconds() // step) if step > 0 else sample.at
        if bucket not in seen:
            seen.add(bucket)
            keep.add(sample.id)
    # what the figures of the order are read from
    readings = [sample for sample in ordered if sample.energy_wh]
    socs = [sample for sample in ordered if sample.soc]
    powered = [sample for sample in ordered if sample.power_w]
    for group in (readings, socs):
        if group:
            keep.update((group[0].id, group[-1].id))
    if powered:
        keep.add(max(powered, key=lambda sample: (sample.power_w, -sample.id)).id)
    # the register just at or before and just after each pinned instant, with every reading of those instants
    times = [sample.at for sample in readings]
    instants = set()
    for moment in pinned:
        index = bisect_right(times, moment)
        if index > 0:
            instants.add(times[index - 1])
        if index < len(times):
            instants.add(times[index])
    keep.update(sample.id for sample in readings if sample.at in instants)
    return keep


def _key(sample):
    return sample.at, sample.id
