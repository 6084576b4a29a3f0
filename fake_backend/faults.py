"""Faults on demand, as data: scripted rules, seeded random rates, per-request headers.

A rule names an endpoint, which of its calls to hit (``nth``, 1-based; None: every
one) and what to do. ``FaultPlan.parse`` reads the command-line form::

    run_sse#2=429, render=fail, run_sse=drop_after:3, credits=2001, silent=0.3

A test can also send ``X-Fake-Fault: 429`` on one request.

A plan is checked when it is read: an unknown endpoint or fault, a call number that is
not a whole number from 1 (``run_sse#x``, ``run_sse#0``) or a fault on an endpoint it
cannot happen on (``credits=fail``) is a :class:`FaultSpecError` naming the bad part.
Every fault that takes effect is counted (:meth:`FaultPlan.fired`), so the fault matrix
can check that each of its cells really happened.
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
    "claim",
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

# Where each fault can happen (the rest, answered before the handler runs, happen anywhere).
SESSION_BOUND = ("run_sse", "upload", "state", "render")
WHERE: dict[str, tuple[str, ...]] = {
    "1002": SESSION_BOUND,
    "silent": ("run_sse",),
    "drop_after": ("run_sse",),
    "error_event": ("run_sse",),
    "simplified_events": ("run_sse",),
    "fail": ("render",),
    "poll_form_b": ("poll",),
    "success_envelope": ("session", "upload", "credits", "state"),
}


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
    _effects: Counter[tuple[str, str]] = field(default_factory=Counter, init=False, repr=False)
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
            if key in RANDOM_KINDS and key not in ENDPOINTS:
                raise FaultSpecError(f"{item!r}: a rate is a number from 0 to 1")
            endpoint, hashed, nth = key.partition("#")
            if endpoint not in ENDPOINTS:
                raise FaultSpecError(f"{endpoint!r} is not an endpoint ({', '.join(ENDPOINTS)})")
            if hashed and not (nth.isascii() and nth.isdigit() and int(nth) >= 1):
                raise FaultSpecError(
                    f"{key!r}: the call number after # must be a whole number from 1"
                )
            rule = Rule(endpoint, parse_fault(value), int(nth) if hashed else None, 1)
            check_applies(rule.endpoint, rule.fault.action)
            plan.rules.append(rule)
        return plan

    def add(
        self, endpoint: str, action: str, *, nth: int | None = None, times: int | None = 1
    ) -> None:
        if endpoint not in ENDPOINTS:
            raise FaultSpecError(f"{endpoint!r} is not an endpoint ({', '.join(ENDPOINTS)})")
        if nth is not None and nth < 1:
            raise FaultSpecError(f"call number {nth}: calls are counted from 1")
        fault = parse_fault(action)
        check_applies(endpoint, fault.action)
        self.rules.append(Rule(endpoint, fault, nth, times))

    def note(self, endpoint: str, fault: Fault) -> None:
        """Record that ``fault`` took effect on a call of ``endpoint``."""
        with self._lock:
            self._effects[(endpoint, fault.action)] += 1

    def fired(self, endpoint: str, action: str) -> int:
        """How often ``action`` took effect on ``endpoint`` (0: the plan did nothing)."""
        with self._lock:
            return self._effects[(endpoint, action)]

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
    if argument and not (argument.isascii() and argument.isdigit()):
        raise FaultSpecError(f"{text!r}: the argument must be a whole number")
    return Fault(action, int(argument) if argument else None)


def check_applies(endpoint: str, action: str) -> None:
    where = WHERE.get(action)
    if where is not None and endpoint not in where:
        raise FaultSpecError(
            f"{endpoint}={action}: {action!r} cannot happen on {endpoint} "
            f"(only on {', '.join(where)})"
        )


def _is_rate(value: str) -> bool:
    try:
        return 0.0 <= float(value) <= 1.0
    except ValueError:
        return False
