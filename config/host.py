"""Can this host serve the metrics where the config says? The address is probed the way
prometheus-client will bind it (the first ``getaddrinfo`` answer, passive), on port 0, so the
check never holds the configured port: a daemon already running may own it, and ``run`` meets
a taken port itself (exit 2, one line)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from config.system import MetricsConfig
from config.validate import Problem

UNPRIVILEGED_PORT_START = Path("/proc/sys/net/ipv4/ip_unprivileged_port_start")
DEFAULT_UNPRIVILEGED_PORT_START = 1024


def metrics_address_problems(metrics: MetricsConfig) -> list[Problem]:
    """The bind address must resolve and be bindable here; the port must not need privileges
    this process lacks."""
    problems: list[Problem] = []
    try:
        infos = socket.getaddrinfo(
            metrics.bind, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        family, _, _, _, address = infos[0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((address[0], 0, *address[2:]))
    except OSError as exc:  # socket.gaierror included
        message = f"cannot listen on {metrics.bind} on this host: {exc.strerror or exc}"
        problems.append(("system.metrics.bind", message))
    problem = privileged_port_problem(metrics.port, os.geteuid(), unprivileged_port_start())
    if problem is not None:
        problems.append(("system.metrics.port", problem))
    return problems


def privileged_port_problem(port: int, euid: int, unprivileged_start: int) -> str | None:
    """Why ``port`` cannot be bound by user ``euid``, or None. Root is assumed to hold
    ``CAP_NET_BIND_SERVICE``; the shipped systemd unit runs as its own user without it."""
    if port == 0 or port >= unprivileged_start or euid == 0:
        return None
    return (
        f"port {port} is privileged on this host (below {unprivileged_start}) and this user "
        "may not bind it: use a port such as 9108"
    )


def unprivileged_port_start() -> int:
    """The lowest port any user may bind (Linux's sysctl; 1024 where it cannot be read)."""
    try:
        return int(UNPRIVILEGED_PORT_START.read_text())
    except (OSError, ValueError):
        return DEFAULT_UNPRIVILEGED_PORT_START
