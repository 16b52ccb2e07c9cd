"""Politeness: one request at a time per host, spaced by a delay, and robots.txt obeyed.

:class:`HostPacer` keeps, per host (``scheme://host:port``), the earliest moment the next
request may start: the end of the previous one plus the host's delay (the larger of the
crawl's ``--delay``, the profile's ``delay`` and robots.txt's ``Crawl-delay``), or later
after a 429/5xx back-off. The crawler asks it which host is ready first, so waiting on
one slow host does not hold up another.

:class:`RobotsRules` reads a host's robots.txt with protego, following RFC 9309: a 2xx
body is obeyed, a 4xx means no rules, and a 5xx or an unreachable robots.txt means the
host may not be crawled now.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

__all__ = ["HostPacer", "RobotsRules", "host_of"]


def host_of(url: str) -> str:
    """The politeness key of a URL: ``scheme://host[:port]``, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class HostPacer:
    """Per-host spacing of requests (one at a time, at least ``delay`` seconds apart)."""

    def __init__(self, delay: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if delay < 0:
            raise ValueError("delay must not be negative")
        self.delay = delay
        self._clock, self._sleep = clock, sleep
        self._delays: dict[str, float] = {}
        self._ended: dict[str, float] = {}  # when the last request to the host ended
        self._held: dict[str, float] = {}  # back-off: no request before this moment

    def set_delay(self, host: str, seconds: float | None) -> None:
        """Raise this host's delay to ``seconds`` (never below the crawl's own delay)."""
        if seconds is not None and seconds > self._delays.get(host, self.delay):
            self._delays[host] = float(seconds)

    def delay_of(self, host: str) -> float:
        return self._delays.get(host, self.delay)

    def ready_at(self, host: str) -> float:
        """The earliest moment (on the pacer's clock) the next request to the host may start."""
        ended = self._ended.get(host)
        after_delay = float("-inf") if ended is None else ended + self.delay_of(host)
        return max(after_delay, self._held.get(host, float("-inf")))

    def wait(self, host: str) -> None:
        """Sleep until the host may be asked again."""
        pause = self.ready_at(host) - self._clock()
        if pause > 0:
            self._sleep(pause)

    def done(self, host: str) -> None:
        """A request to the host has ended: the next may start one delay from now."""
        self._ended[host] = self._clock()

    def hold(self, host: str, seconds: float) -> None:
        """Back off: no request to the host for ``seconds`` from now (429, 503, ...)."""
        self._held[host] = max(self._held.get(host, float("-inf")), self._clock() + seconds)


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The robots.txt of one host, as it applies to our user-agent token."""

    parser: Protego | None  # None: no rules (robots.txt missing)
    refuse: str | None = None  # why the whole host is off limits (5xx, unreachable)

    @classmethod
    def from_response(cls, status: int | None, body: bytes, error: str | None = None) -> RobotsRules:
        if status is None:
            return cls(None, refuse=f"robots.txt unreachable ({error or 'no response'})")
        if 200 <= status < 300:
            return cls(Protego.parse(body.decode("utf-8", errors="replace")))
        if 400 <= status < 500:
            return cls(None)
        return cls(None, refuse=f"robots.txt answered HTTP {status}")

    def allowed(self, url: str, agent: str) -> bool:
        if self.refuse is not None:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        value = self.parser.crawl_delay(agent)
        return None if value is None else float(value)

    def sitemaps(self) -> list[str]:
        return [] if self.parser is None else list(self.parser.sitemaps)
