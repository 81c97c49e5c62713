"""Where the CPU goes during a benchmark run: a sampler thread reads the
CPU time (utime + stime, /proc/<pid>/stat) of the processes of each role
(listeners, broker, responders, PostgreSQL backends of the benchmark's
database) and of the whole machine (/proc/stat) every ``interval`` seconds;
``split(t0, t1)`` gives the cores each role used between two instants (the
load processes report their own CPU: they come and go with each run).

Linux only; on another system every figure is empty (the benchmark still
runs). Pure parsing functions are tested in tests/test_bench_harness.py."""

import math
import os
import threading
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def parse_stat(text):
    """(ppid, CPU seconds) from the text of /proc/<pid>/stat (the command
    name, in parentheses, may hold spaces and parentheses)."""
    fields = text[text.rindex(")") + 2:].split()
    # after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def parse_machine(text):
    """(busy CPU seconds, cores) from the text of /proc/stat: every core's time but idle and iowait."""
    total, cores = None, 0
    for line in text.splitlines():
        if line.startswith("cpu "):
            values = [int(v) for v in line.split()[1:9]]
            total = (sum(values) - values[3] - values[4]) / CLOCK_TICKS
        elif line.startswith("cpu"):
            cores += 1
    return total, cores


def is_backend_of(cmdline, db):
    """A PostgreSQL backend serving ``db`` (its process title: "postgres: <user> <db> <host> <state>")."""
    words = cmdline.replace(b"\0", b" ").decode(errors="replace").split()
    return len(words) >= 3 and words[0] == "postgres:" and words[2] == db


def _read(path, mode="r"):
    try:
        with open(path, mode) as handle:
            return handle.read()
    except OSError:
        return None


def process_cpu(pid):
    text = _read(f"/proc/{pid}/stat")
    return parse_stat(text)[1] if text else None


def backends(db):
    found = []
    for name in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if name.isdigit():
            cmdline = _read(f"/proc/{name}/cmdline", "rb")
            if cmdline and is_backend_of(cmdline, db):
                found.append(int(name))
    return found


def thread_cpu(pid):
    """{thread id: CPU seconds} of a process's threads."""
    found = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        text = _read(f"/proc/{pid}/task/{tid}/stat")
        if text:
            found[int(tid)] = parse_stat(text)[1]
    return found


class Sampler:
    """``roles()`` -> {role: [pid, ...]}, called at each sample (the processes change between runs).
    The processes of the roles in ``threads`` are also split into their main
    thread ("<role> main") and their other threads ("<role> threads")."""

    def __init__(self, roles, db=None, interval=0.25, threads=("listeners",)):
        self.roles, self.db, self.interval, self.threads = roles, db, interval, threads
        self.samples = []  # (monotonic time, machine busy seconds, {pid: (role, seconds)})
        self.stopping = threading.Event()
        self.thread = None
        self.cores = os.cpu_count() or 1
        self._backends, self._backends_at = [], -math.inf

    def sample(self):
        pids = {}
        for role, members in self.roles().items():
            for pid in members:
                pids[pid] = role
        if self.db:
            now = time.monotonic()
            if now - self._backends_at > 2:  # a scan of /proc: the listeners' backends live long
                self._backends, self._backends_at = backends(self.db), now
            for pid in self._backends:
                pids.setdefault(pid, "postgres")
        seen = {}
        for pid, role in pids.items():
            seconds = process_cpu(pid)
            if seconds is not None:
                seen[pid] = (role, seconds)
                if role in self.threads:
                    for tid, spent in thread_cpu(pid).items():
                        seen[("thread", tid)] = (f"{role} {'main' if tid == pid else 'threads'}", spent)
        text = _read("/proc/stat")
        busy = parse_machine(text)[0] if text else None
        self.samples.append((time.monotonic(), busy, seen))
        del self.samples[:-2000]

    def start(self):
        if not os.path.isdir("/proc"):
            return self
        self.thread = threading.Thread(target=self._loop, daemon=True, name="bench-cpu")
        self.thread.start()
        return self

    def _loop(self):
        while not self.stopping.wait(self.interval):
            try:
                self.sample()
            except Exception:  # noqa: BLE001 - the figures are an aid, never a reason to stop
                pass

    def stop(self):
        self.stopping.set()
        if self.thread:
            self.thread.join(2)

    def split(self, t0, t1):
        """{role: cores used} between t0 and t1 (monotonic), with "machine"
        (every process of the machine) and "other" (the machine minus the
        roles: other work on the machine); {} without samples around them."""
        return split(self.samples, t0, t1)


def split(samples, t0, t1):
    first = next((s for s in samples if s[0] >= t0), None)
    last = next((s for s in reversed(samples) if s[0] <= t1), None)
    if first is None or last is None or last[0] - first[0] <= 0:
        return {}
    wall = last[0] - first[0]
    used = {}
    for pid, (role, end) in last[2].items():
        start = first[2].get(pid, (role, None))[1]
        if start is None:  # appeared during the window: from its first sample in it
            start = next((s[2][pid][1] for s in samples if first[0] <= s[0] and pid in s[2]), end)
        used[role] = used.get(role, 0.0) + (end - start) / wall
    if first[1] is not None and last[1] is not None:
        used["machine"] = (last[1] - first[1]) / wall
        used["other"] = max(0.0, used["machine"] - sum(v for k, v in used.items()
                                                       if k != "machine" and " " not in k))
    return used


def describe(used, load_cores=None, rate=None, order=("listeners", "postgres", "broker", "echo")):
    """"cores: listeners 1.10, postgres 0.30, broker 0.25, load 0.20, other 0.05 (machine busy 1.90)"
    (cores used); with ``rate`` (frames answered per second), each role's CPU per frame too."""
    if not used:
        return ""
    used = dict(used)
    if load_cores is not None:
        used["load"] = load_cores
        if "other" in used:
            used["other"] = max(0.0, used["other"] - load_cores)
    parts = []
    for role in (*order, "load", "other"):
        if role in used:
            inner = [f"{name.split(' ', 1)[1]} {value:.2f}" for name, value in sorted(used.items())
                     if name.startswith(role + " ")]
            parts.append(f"{role} {used[role]:.2f}" + (f" ({', '.join(inner)})" if inner else ""))
    machine = f" (machine busy {used['machine']:.2f})" if "machine" in used else ""
    per_frame = ""
    if rate:
        per_frame = "; CPU per answered frame: " + ", ".join(
            f"{role} {used[role] * 1e6 / rate:.0f} us" for role in (*order, "load") if role in used)
    return f"cores: {', '.join(parts)}{machine}{per_frame}"
