"""Supervision, Erlang/OTP style, on shikra's own actor runtime: child specs, restart
strategies and intensity, backoff, a directory of names so that a restarted actor keeps
receiving, pooled actors, and what liveness is watched through."""

from supervisors.actor import PooledSupervisedActor, SupervisedActor
from supervisors.directory import ActorUnavailable, Address, Directory
from supervisors.faults import FaultInjector, InjectedFault
from supervisors.liveness import PoolWatch, RunningSlice, ServiceManager
from supervisors.policy import Backoff, Restart, RestartIntensity, Strategy, children_to_restart
from supervisors.pool import Dispatcher, PooledActor
from supervisors.runtime import ActorRef
from supervisors.spec import ChildSpec, Link, SupervisorSpec, supervisor_child
from supervisors.supervisor import Escalation, Supervisor
from supervisors.tree import SupervisionTree

__all__ = [
    "ActorRef",
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
    "PoolWatch",
    "PooledActor",
    "PooledSupervisedActor",
    "Restart",
    "RestartIntensity",
    "RunningSlice",
    "ServiceManager",
    "Strategy",
    "SupervisedActor",
    "SupervisionTree",
    "Supervisor",
    "SupervisorSpec",
    "children_to_restart",
    "supervisor_child",
]
