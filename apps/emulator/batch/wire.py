"""The Batch data structures on the wire, built from the world's objects. The structures:
https://www.tencentcloud.com/document/api/599/30482
"""

from __future__ import annotations

from typing import Any

from apps.emulator.batch import content
from apps.emulator.batch import states as st
from apps.emulator.batch.fleet import Activity, Env, Node
from apps.emulator.batch.world import Instance, Job, Task
from apps.emulator.timefmt import batch_time as bt


def job_view(job: Job) -> dict[str, Any]:
    """JobView (DescribeJobs)."""
    return {
        "JobId": job.id,
        "JobName": job.name,
        "JobState": job.state,
        "Priority": job.priority,
        "Placement": {"Zone": job.zone},
        "CreateTime": bt(job.created),
        "EndTime": bt(job.ended),
        "TaskMetrics": st.metrics(t.state for t in job.tasks.values()),
        "Tags": job.tags,
    }


def job_detail(job: Job) -> dict[str, Any]:
    """The DescribeJob response."""
    return {
        "JobId": job.id,
        "JobName": job.name,
        "Zone": job.zone,
        "Priority": job.priority,
        "JobState": job.state,
        "CreateTime": bt(job.created),
        "EndTime": bt(job.ended),
        "TaskSet": [task_view(t) for t in job.tasks.values()],
        "DependenceSet": job.dependences,
        "TaskMetrics": st.metrics(t.state for t in job.tasks.values()),
        "TaskInstanceMetrics": st.metrics(i.state for i in job.instances()),
        "StateReason": job.state_reason,
        "Tags": job.tags,
        "NextAction": "",
    }


def task_view(task: Task) -> dict[str, Any]:
    return {
        "TaskName": task.name,
        "TaskState": task.state,
        "CreateTime": bt(task.created),
        "EndTime": bt(task.ended),
    }


def _redirect(task: Task, index: int) -> dict[str, str]:
    info = task.spec.get("RedirectInfo") or {}
    job_id = task.job.id
    return {
        "StdoutRedirectPath": info.get("StdoutRedirectPath", ""),
        "StderrRedirectPath": info.get("StderrRedirectPath", ""),
        "StdoutRedirectFileName": f"stdout.{job_id}.{task.name}.{index}.log",
        "StderrRedirectFileName": f"stderr.{job_id}.{task.name}.{index}.log",
    }


def instance_view(inst: Instance) -> dict[str, Any]:
    """TaskInstanceView (DescribeTask)."""
    return {
        "TaskInstanceIndex": inst.index,
        "TaskInstanceState": inst.state,
        "ExitCode": inst.exit_code,
        "StateReason": inst.reason,
        "ComputeNodeInstanceId": inst.node_instance_id,
        "CreateTime": bt(inst.created),
        "LaunchTime": bt(inst.launched),
        "RunningTime": bt(inst.running),
        "EndTime": bt(inst.ended),
        "RedirectInfo": _redirect(inst.task, inst.index),
        "StateDetailedReason": inst.detailed_reason,
    }


def has_log(inst: Instance) -> bool:
    return inst.running is not None


def instance_log(inst: Instance, now: float) -> dict[str, Any]:
    """TaskInstanceLog (DescribeTaskLogs): what the instance printed so far, tail-capped."""
    task = inst.task
    stdout, stderr = content.full_logs(
        inst.log_seed,
        label=f"{task.job.id}/{task.name}/{inst.index}",
        failed=inst.state in (st.FAILED, st.FAILED_INTERRUPTED),
        exit_code=inst.exit_code,
    )
    if inst.ended is None and inst.running is not None and inst.run_duration:
        fraction = (now - inst.running) / inst.run_duration
        stdout, stderr = content.visible(stdout, fraction), content.visible(stderr, fraction)
    redirect = _redirect(task, inst.index)
    return {
        "TaskInstanceIndex": inst.index,
        "StdoutLog": content.encode_log(stdout),
        "StderrLog": content.encode_log(stderr),
        **redirect,
    }


def node_metrics(env: Env) -> dict[str, int]:
    counts = dict.fromkeys(st.NODE_METRIC_FIELDS.values(), 0)
    for node in env.nodes.values():
        field = st.NODE_METRIC_FIELDS.get(node.state)
        if field:
            counts[field] += 1
    return counts


def env_view(env: Env) -> dict[str, Any]:
    """ComputeEnvView (DescribeComputeEnvs)."""
    return {
        "EnvId": env.id,
        "EnvName": env.name,
        "Placement": {"Zone": env.zone},
        "CreateTime": bt(env.created),
        "ComputeNodeMetrics": node_metrics(env),
        "EnvType": env.spec.get("EnvType", "MANAGED"),
        "DesiredComputeNodeCount": env.desired,
        "ResourceType": "CVM",
        "NextAction": env.next_action,
        "AttachedComputeNodeCount": env.attached,
        "Tags": env.tags,
    }


def node_view(node: Node) -> dict[str, Any]:
    """ComputeNode (DescribeComputeEnv)."""
    return {
        "ComputeNodeId": node.id,
        "ComputeNodeInstanceId": node.instance_id,
        "ComputeNodeState": node.state,
        "Cpu": node.cpu,
        "Mem": node.mem,
        "ResourceCreatedTime": bt(node.created),
        "TaskInstanceNumAvailable": 0 if node.busy or node.state != "RUNNING" else 1,
        "AgentVersion": "1.1.9",
        "PrivateIpAddresses": [node.private_ip],
        "PublicIpAddresses": [node.public_ip],
        "ResourceType": "CVM",
        "ResourceOrigin": node.origin,
    }


def activity_view(activity: Activity) -> dict[str, Any]:
    return {
        "ActivityId": activity.id,
        "ComputeNodeId": activity.node_id,
        "ComputeNodeActivityType": activity.kind,
        "EnvId": activity.env_id,
        "Cause": activity.cause,
        "ActivityState": activity.state,
        "StateReason": activity.reason,
        "StartTime": bt(activity.started),
        "EndTime": bt(activity.ended),
        "InstanceId": activity.instance_id,
    }


def env_create_info(env: Env) -> dict[str, Any]:
    """ComputeEnvCreateInfo: the environment as it was created."""
    spec = env.spec
    return {
        "EnvId": env.id,
        "EnvName": env.name,
        "EnvDescription": spec.get("EnvDescription", ""),
        "EnvType": spec.get("EnvType", "MANAGED"),
        "EnvData": spec.get("EnvData") or {},
        "MountDataDisks": spec.get("MountDataDisks") or [],
        "InputMappings": spec.get("InputMappings") or [],
        "Authentications": spec.get("Authentications") or [],
        "Notifications": spec.get("Notifications") or [],
        "DesiredComputeNodeCount": env.desired,
        "Tags": env.tags,
    }
