"""Faults on demand, as data: scripted rules, seeded random rates, per-request headers.

A rule names an endpoint, which of its calls to hit (``nth``, 1-based; None: every
one) and what to do. ``FaultPlan.parse`` reads the command-line form::

    run_sse#2=429, render=fail, run_sse=drop_after:3, credits=2001, silent=0.3

A test can also send ``X-Fake-Fault: 429`` on one request.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

ENDPOINTS = (
    "token",
    "session",
    "run_sse",
    "upload",
    "credits",
    "state",
    "render",
    "poll",
    "cancel",
    "download",
)

# What a fault can do. ``drop`` cuts the connection right after the status line (before
# any body byte; on an upload, while the client may still be sending); ``drop_after:N``
# cuts a chat stream after N events; ``hang`` stops answering (on /run_sse: a stream that
# never ends; on render: a job that never completes).
ACTIONS = (
    "400",
    "429",
    "500",
    "1001",
    "1002",
    "2001",
    "4001",
    "4002",
    "402",
    "silent",
    "drop",
    "drop_after",
    "hang",
    "error_event",
    "fail",
    "success_envelope",
    "poll_form_b",
    "simplified_events",
)

RANDOM_KINDS = ("silent", "1001", "2001", "429")


class FaultSpecError(ValueError):
    """A fault plan that cannot be read (the user's fault)."""


@dataclass(frozen=True)
class Fault:
    action: str
    argument: int | None = None


@dataclass(frozen=True)
class Rule:
    endpoint: str
    fault: Fault
    nth: int | None = None  # None: every call
    times: int | None = 1  # how often it fires; None: always (with nth None)


@dataclass
class FaultPlan:
    """Scripted rules plus random rates (``silent`` applies to edit turns only)."""

    rules: list[Rule] = field(default_factory=list)
    rates: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    _calls: Counter[str] = field(default_factory=Counter, init=False, repr=False)
    _fired: Counter[int] = field(default_factory=Counter, init=False, repr=False)
    _random: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    @classmethod
    def realistic(cls, seed: int = 0) -> FaultPlan:
        """The documented rate of silent edit turns (about 30 %)."""
        return cls(rates={"silent": 0.3}, seed=seed)

    @classmethod
    def parse(cls, spec: str, seed: int = 0) -> FaultPlan:
        plan = cls(seed=seed)
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            if not sep:
                raise FaultSpecError(f"{item!r}: expected endpoint=action or kind=rate")
            key, value = key.strip(), value.strip()
            if key in RANDOM_KINDS and _is_rate(value):
                plan.rates[key] = float(value)
                continue
            endpoint, _, nth = key.partition("#")
            if endpoint not in ENDPOINTS:
                raise FaultSpecError(f"{endpoint!r} is not an endpoint ({', '.join(ENDPOINTS)})")
            plan.rules.append(
                Rule(endpoint, parse_fault(value), int(nth) if nth.isdigit() else None, 1)
            )
        return plan

    def add(
        self, endpoint: str, action: str, *, nth: int | None = None, times: int | None = 1
    ) -> None:
        self.rules.append(Rule(endpoint, parse_fault(action), nth, times))

    def next(self, endpoint: str, header: str | None = None) -> Fault | None:
        """The fault for this call of ``endpoint``, if any (counts the call)."""
        with self._lock:
            self._calls[endpoint] += 1
            if header:
                return parse_fault(header)
            call = self._calls[endpoint]
            for index, rule in enumerate(self.rules):
                if rule.endpoint != endpoint or (rule.nth is not None and rule.nth != call):
                    continue
                if rule.times is not None and self._fired[index] >= rule.times:
                    continue
                self._fired[index] += 1
                return rule.fault
            for kind in ("1001", "2001", "429"):
                rate = self.rates.get(kind, 0.0)
                if rate and endpoint != "token" and self._random.random() < rate:
                    return Fault(kind)
            return None

    def roll_silent(self) -> bool:
        """Whether this edit turn ends without text (the documented ~30 %)."""
        with self._lock:
            rate = self.rates.get("silent", 0.0)
            return bool(rate) and self._random.random() < rate


def parse_fault(text: str) -> Fault:
    action, _, argument = text.strip().partition(":")
    if action not in ACTIONS:
        raise FaultSpecError(f"{action!r} is not a fault ({', '.join(ACTIONS)})")
    if argument and not argument.isdigit():
        raise FaultSpecError(f"{text!r}: the argument must be a whole number")
    return Fault(action, int(argument) if argument else None)


def _is_rate(value: str) -> bool:
    try:
        return 0.0 <= float(value) <= 1.0
    except ValueError:
        return False
