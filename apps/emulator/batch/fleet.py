"""Compute environments, their nodes and activities
(https://www.tencentcloud.com/document/api/599/30482#ComputeNode, #Activity).

A managed environment keeps `DesiredComputeNodeCount` nodes alive: it creates the missing
ones (activity CREATE_COMPUTE_NODE) and, as its default ActionIfComputeNodeInactive RECREATE
says, replaces nodes that failed to be created or turned ABNORMAL. Node lifecycle:
SUBMITTED -> CREATING -> CREATED -> RUNNING, CREATING -> CREATION_FAILED, RUNNING -> ABNORMAL,
terminable states -> DELETING -> gone (activity TERMINATE_COMPUTE_NODE).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apps.emulator.batch.world import BatchWorld

AGENT_VERSION = "1.1.9"
INSTANCE_SIZES = {
    "S1.SMALL1": (1, 1),
    "S1.SMALL2": (1, 2),
    "S5.MEDIUM4": (2, 4),
    "S5.LARGE8": (4, 8),
}


@dataclass(eq=False)
class Node:
    id: str
    instance_id: str
    env_id: str
    state: str
    created: float
    cpu: int
    mem: int
    private_ip: str
    public_ip: str
    origin: str = "BATCH_CREATED"
    busy: int = 0  # task instances running on it
    generation: int = 0


@dataclass(eq=False)
class Activity:
    id: str
    node_id: str
    env_id: str
    kind: str  # CREATE_COMPUTE_NODE | TERMINATE_COMPUTE_NODE
    cause: str
    started: float
    instance_id: str | None = None
    state: str = "PROCESSING"
    reason: str = ""
    ended: float | None = None


@dataclass(eq=False)
class Env:
    id: str
    name: str
    spec: dict[str, Any]  # the NamedComputeEnv as created
    zone: str
    created: float
    desired: int
    nodes: dict[str, Node] = field(default_factory=dict)
    activities: list[Activity] = field(default_factory=list)  # newest first
    next_action: str = ""
    tags: list[dict[str, str]] = field(default_factory=list)

    @property
    def instance_type(self) -> str:
        data = self.spec.get("EnvData") or {}
        return data.get("InstanceType") or (data.get("InstanceTypes") or ["S1.SMALL2"])[0]

    @property
    def attached(self) -> int:
        return sum(1 for n in self.nodes.values() if n.origin == "USER_ATTACHED")


class Fleet:
    """Node creation odds and timings are fixed here; the world's seed drives the dice."""

    CREATION_FAILURE_ODDS = 0.05
    ABNORMAL_ODDS = 0.05

    def __init__(self, world: BatchWorld) -> None:
        self.world = world
        self.envs: dict[str, Env] = {}

    @property
    def _rng(self) -> Any:
        return self.world.rng

    def all_instance_ids(self) -> set[str]:
        return {n.instance_id for env in self.envs.values() for n in env.nodes.values()}

    # --- environments --------------------------------------------------------------------
    def create_env(self, spec: dict[str, Any], zone: str) -> Env:
        env = Env(
            id=self.world.ids.short("env"),
            name=spec["EnvName"],
            spec=spec,
            zone=zone,
            created=self.world.now,
            desired=int(spec["DesiredComputeNodeCount"]),
            tags=list(spec.get("Tags") or []),
        )
        self.envs[env.id] = env
        self._reconcile(env, f"CreateComputeEnv: the capacity is {env.desired}")
        return env

    def set_desired(self, env: Env, desired: int) -> None:
        old, env.desired = env.desired, desired
        verb = "increase" if desired > old else "decrease"
        self._reconcile(env, f"ModifyComputeEnv: {verb} the capacity from {old} to {desired}")

    def delete_env(self, env: Env) -> None:
        env.next_action = "DELETING"
        env.desired = 0
        for node in list(env.nodes.values()):
            if node.state != "DELETING":
                self._terminate(env, node, "DeleteComputeEnv: delete the compute environment")
        self.world.sched.after(15.0, self._forget_env, env.id)

    def _forget_env(self, env_id: str) -> None:
        self.envs.pop(env_id, None)

    def live_nodes(self, env: Env) -> list[Node]:
        return [n for n in env.nodes.values() if n.state != "DELETING"]

    def _reconcile(self, env: Env, cause: str) -> None:
        if env.next_action == "DELETING":
            return
        # DesiredComputeNodeCount counts the nodes Batch creates; attached CVMs come on top.
        live = [n for n in self.live_nodes(env) if n.origin == "BATCH_CREATED"]
        for _ in range(env.desired - len(live)):
            self._create_node(env, cause)
        surplus = len(live) - env.desired
        for node in sorted(live, key=lambda n: (n.busy, -n.created))[: max(surplus, 0)]:
            self._terminate(env, node, cause)

    # --- nodes ---------------------------------------------------------------------------
    def _create_node(self, env: Env, cause: str, *, instance_id: str | None = None) -> Node:
        ids = self.world.ids
        cpu, mem = INSTANCE_SIZES.get(env.instance_type, (2, 4))
        node = Node(
            id=ids.short("node"),
            instance_id=instance_id or ids.short("ins"),
            env_id=env.id,
            state="SUBMITTED",
            created=self.world.now,
            cpu=cpu,
            mem=mem,
            private_ip=ids.ipv4(10),
            public_ip=ids.ipv4(132),
            origin="USER_ATTACHED" if instance_id else "BATCH_CREATED",
        )
        env.nodes[node.id] = node
        activity = Activity(
            ids.short("act"),
            node.id,
            env.id,
            "CREATE_COMPUTE_NODE",
            cause,
            self.world.now,
            instance_id=node.instance_id,
        )
        env.activities.insert(0, activity)
        sched = self.world.sched
        if instance_id:  # an attached CVM is reinstalled, then joins
            sched.after(
                self._rng.uniform(20, 40),
                self._node_step,
                node,
                node.generation,
                "CREATED",
                activity,
            )
        else:
            sched.after(2.0, self._node_step, node, node.generation, "CREATING", activity)
        return node

    def _node_step(self, node: Node, generation: int, target: str, activity: Activity) -> None:
        if generation != node.generation:
            return
        sched, rng = self.world.sched, self._rng
        node.state = target
        if target == "CREATING":
            if rng.random() < self.CREATION_FAILURE_ODDS:
                sched.after(
                    rng.uniform(20, 60),
                    self._node_step,
                    node,
                    generation,
                    "CREATION_FAILED",
                    activity,
                )
            else:
                sched.after(
                    rng.uniform(15, 45), self._node_step, node, generation, "CREATED", activity
                )
        elif target == "CREATED":
            self._close(activity, "SUCCEED")
            sched.after(3.0, self._node_step, node, generation, "RUNNING", activity)
        elif target == "CREATION_FAILED":
            self._close(
                activity, "FAILED", "ResourceInsufficient: the zone has no stock of this type"
            )
            sched.after(rng.uniform(30, 90), self._recreate, node, generation)
        elif target == "RUNNING" and rng.random() < self.ABNORMAL_ODDS:
            sched.after(
                rng.uniform(300, 1800), self._node_step, node, generation, "ABNORMAL", activity
            )
        elif target == "ABNORMAL":
            sched.after(rng.uniform(60, 180), self._recreate, node, generation)

    def _recreate(self, node: Node, generation: int) -> None:
        env = self.envs.get(node.env_id)
        if env is None or generation != node.generation or node.state == "DELETING":
            return
        self._terminate(env, node, f"RECREATE: the compute node is {node.state}")
        self._reconcile(env, f"RECREATE: replace the compute node {node.id}")

    def _close(self, activity: Activity, state: str, reason: str = "") -> None:
        # An ended activity carries its EndTime (the doc's SUCCEED examples all have one).
        activity.state, activity.reason, activity.ended = state, reason, self.world.now

    def _terminate(self, env: Env, node: Node, cause: str) -> None:
        node.generation += 1
        node.state = "DELETING"
        activity = Activity(
            self.world.ids.short("act"),
            node.id,
            env.id,
            "TERMINATE_COMPUTE_NODE",
            cause,
            self.world.now,
            instance_id=node.instance_id,
        )
        env.activities.insert(0, activity)
        self.world.sched.after(self._rng.uniform(8, 20), self._gone, env, node, activity)

    def _gone(self, env: Env, node: Node, activity: Activity) -> None:
        env.nodes.pop(node.id, None)
        activity.state, activity.ended = "SUCCEED", self.world.now

    def terminate_nodes(self, env: Env, nodes: list[Node]) -> None:
        """TerminateComputeNode(s): the desired count drops, so the nodes are not re-created."""
        for node in nodes:
            self._terminate(env, node, "TerminateComputeNode: terminate the compute node")
        env.desired = max(0, env.desired - sum(1 for n in nodes if n.origin == "BATCH_CREATED"))

    def attach(self, env: Env, instance_ids: list[str]) -> None:
        for instance_id in instance_ids:
            self._create_node(env, "AttachInstances: add the instance", instance_id=instance_id)

    def detach(self, env: Env, nodes: list[Node]) -> None:
        for node in nodes:
            self._terminate(env, node, "DetachInstances: remove the instance")

    # --- task placement ------------------------------------------------------------------
    def claim_node(self, env_id: str) -> str | None:
        """A RUNNING node of the environment for a task instance, or None when none is free."""
        env = self.envs.get(env_id)
        if env is None:
            return None
        free = sorted(n.id for n in env.nodes.values() if n.state == "RUNNING" and not n.busy)
        if not free:
            return None
        node = env.nodes[free[0]]
        node.busy += 1
        return node.instance_id

    def release_node(self, env_id: str | None, instance_id: str | None) -> None:
        env = self.envs.get(env_id or "")
        if env is None or instance_id is None:
            return
        for node in env.nodes.values():
            if node.instance_id == instance_id and node.busy:
                node.busy -= 1
                return
