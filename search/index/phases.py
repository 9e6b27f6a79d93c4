"""Where a reindex spends its time: wall clock and CPU of each phase, one lap after another.

A million-article build is an hour of reading, writing segments, merging them and writing
their sidecars; without a figure per phase, work goes to the wrong one. A ``Timeline``
records laps: each ``lap(name)`` closes the phase that began at the previous lap. CPU is
counted for this process and for its children separately, and a forked child's CPU is
only known once it has been waited for: the writers' time lands in the lap in which they
are joined (the end of "reading, writing segments"), each merge's in its tier's.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import asdict, dataclass


@dataclass
class Phase:
    """One lap of a run."""

    name: str
    wall: float  # seconds
    cpu_self: float  # CPU seconds of this process (user + system)
    cpu_children: float  # CPU seconds of the child processes waited for during the lap
    load: float  # one-minute load average at its end: how shared the machine was

    @property
    def cpu(self) -> float:
        return self.cpu_self + self.cpu_children


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # no load average on this platform
        return float("nan")


class Timeline:
    """Laps of a run, from its creation on."""

    def __init__(self) -> None:
        self.phases: list[Phase] = []
        self._mark = self._now()

    @staticmethod
    def _now() -> tuple[float, float, float]:
        return (
            time.perf_counter(),
            _cpu(resource.RUSAGE_SELF),
            _cpu(resource.RUSAGE_CHILDREN),
        )

    def lap(self, name: str) -> Phase:
        """Records the time since the previous lap as the phase ``name``."""
        now = self._now()
        phase = Phase(
            name,
            now[0] - self._mark[0],
            now[1] - self._mark[1],
            now[2] - self._mark[2],
            _load(),
        )
        self.phases.append(phase)
        self._mark = now
        return phase

    def as_dicts(self) -> list[dict]:
        return [asdict(p) for p in self.phases]


def table(phases: list[Phase]) -> str:
    """The phases as a Markdown table, with their total."""
    lines = [
        "| phase | wall s | CPU s, this process | CPU s, child processes | load |",
        "|---|---|---|---|---|",
    ]
    for p in phases:
        lines.append(
            f"| {p.name} | {p.wall:.1f} | {p.cpu_self:.1f} | {p.cpu_children:.1f} | "
            f"{p.load:.1f} |"
        )
    lines.append(
        f"| total | {sum(p.wall for p in phases):.1f} | "
        f"{sum(p.cpu_self for p in phases):.1f} | "
        f"{sum(p.cpu_children for p in phases):.1f} | |"
    )
    return "\n".join(lines)
