"""Supervision, Erlang/OTP style, on pykka: child specs, restart strategies and intensity,
backoff, and a directory of names so that a restarted actor keeps receiving."""

from supervisors.actor import PooledSupervisedActor, SupervisedActor
from supervisors.directory import ActorUnavailable, Address, Directory
from supervisors.faults import FaultInjector, InjectedFault
from supervisors.policy import Backoff, Restart, RestartIntensity, Strategy, children_to_restart
from supervisors.pool import Dispatcher, PooledActor
from supervisors.spec import ChildSpec, Link, SupervisorSpec, supervisor_child
from supervisors.supervisor import Escalation, Supervisor
from supervisors.tree import SupervisionTree

__all__ = [
    "ActorUnavailable",
    "Address",
    "Backoff",
    "ChildSpec",
    "Directory",
    "Dispatcher",
    "Escalation",
    "FaultInjector",
    "InjectedFault",
    "Link",
    "PooledActor",
    "PooledSupervisedActor",
    "Restart",
    "RestartIntensity",
    "Strategy",
    "SupervisedActor",
    "SupervisionTree",
    "Supervisor",
    "SupervisorSpec",
    "children_to_restart",
    "supervisor_child",
]
