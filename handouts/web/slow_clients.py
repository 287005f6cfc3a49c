"""Turn waitress into a server slow clients cannot starve: a deadline to send each request, idle connections closed, room for many sockets."""

from __future__ import annotations

import logging
import resource
import time
from typing import Any

from waitress.channel import HTTPChannel

REQUEST_SECONDS = 20
"""Time a client has to send one whole request (headers and form), however it trickles the bytes."""

IDLE_SECONDS = 15
"""A kept-alive connection that sends nothing for this long is closed."""

MAX_CONNECTIONS = 1000
"""Open connections at once. A slow client costs a socket, never a thread: requests reach the render
threads only once they have arrived whole. Past this many, new connections wait in the listen queue."""

SPARE_FILES = 64
"""File descriptors kept free for everything else the server opens (fonts, templates, logs)."""


class DeadlineChannel(HTTPChannel):  # type: ignore[misc]
    """A waitress channel that notes when the request it is receiving began."""

    request_started: float | None = None

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.monotonic()
        result: bool = super().received(data)
        if self.request is None:
            self.request_started = None
        return result


def close_late_requests(server: Any, now: float | None = None) -> int:
    """Mark for closing every channel that has taken longer than REQUEST_SECONDS to send its request."""
    cutoff = (time.monotonic() if now is None else now) - REQUEST_SECONDS
    late = 0
    for channel in list(server.active_channels.values()):
        started = getattr(channel, "request_started", None)
        if started is not None and started < cutoff and not channel.requests:
            channel.will_close = True
            late += 1
    return late


def install_deadlines(server: Any) -> None:
    """Give every listening socket of a waitress server the deadline channel and its clean-up."""
    listeners = [server] if hasattr(server, "active_channels") else list(getattr(server, "map", {}).values())
    for listener in listeners:
        if not hasattr(listener, "active_channels"):
            continue
        listener.channel_class = DeadlineChannel
        built_in = listener.maintenance

        def maintenance(now: float, listener: Any = listener, built_in: Any = built_in) -> None:
            built_in(now)  # closes connections idle for longer than channel_timeout
            close_late_requests(listener)

        listener.maintenance = maintenance


def connection_limit() -> int:
    """MAX_CONNECTIONS, or fewer when the process may not open that many files (raised to the hard limit first)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_CONNECTIONS + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, soft - SPARE_FILES))


def quiet_queue_log() -> None:
    """waitress warns "Task queue depth is N" for every request that waits for a thread: normal under load."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def slow_client_settings() -> dict[str, Any]:
    """The waitress settings that bound idle time and connections (poll: select() stops at 1,024 sockets)."""
    return {
        "channel_timeout": IDLE_SECONDS,
        "cleanup_interval": 2,
        "connection_limit": connection_limit(),
        "asyncore_use_poll": True,
    }
