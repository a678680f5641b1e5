"""Seeded worlds for the emulator to serve.

- `demo`: in ap-guangzhou, three compute environments, about sixty jobs submitted over the
  last 45 minutes in every state (new ones keep arriving), and about ten omics run groups in
  two projects (the default one and "rnaseq-lab").
- `scale`: `finished` ended jobs plus `active` jobs kept in flight, each with `tasks` tasks of
  `instances` instances; for load tests and benchmarks.
- `empty`: nothing but the default project and one omics environment (tests that build
  their own objects).

Every other region answers with an empty world of its own.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

from apps.emulator.batch import PRODUCT as BATCH
from apps.emulator.batch import states as st
from apps.emulator.batch.world import BatchWorld, Profile
from apps.emulator.omics import PRODUCT as OMICS
from apps.emulator.omics.world import App, OmicsWorld
from apps.emulator.registry import Product

PRODUCTS: list[Product] = [BATCH, OMICS]
HOME_REGION = "ap-guangzhou"
SCENARIOS = ("demo", "scale", "empty")


class Worlds(dict[tuple[str, str], Any]):
    """(service, region) -> world; a region nobody populated gets an empty world on first use."""

    def __init__(self, seed: int, start: float) -> None:
        super().__init__()
        self.seed, self.start = seed, start

    def __missing__(self, key: tuple[str, str]) -> Any:
        service, region = key
        seed = zlib.crc32(f"{self.seed}:{service}:{region}".encode())
        world: BatchWorld | OmicsWorld
        if service == "batch":
            world = BatchWorld(region, seed=seed, start=self.start)
        else:
            world = OmicsWorld(region, seed=seed, start=self.start)
            _omics_basics(world)
        self[key] = world
        return world


def build(name: str, *, seed: int, now: float, **options: Any) -> Worlds:
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    worlds = Worlds(seed, now)
    if name == "demo":
        worlds[("batch", HOME_REGION)] = _demo_batch(seed, now)
        worlds[("omics", HOME_REGION)] = _demo_omics(seed, now)
    elif name == "scale":
        worlds[("batch", HOME_REGION)] = _scale_batch(seed, now, **options)
    return worlds


# --- batch ----------------------------------------------------------------------------------
JOB_NAMES = (
    "align-sample",
    "render-frame",
    "nightly-etl",
    "qc-report",
    "variant-call",
    "transcode",
    "train-shard",
    "index-build",
)
ZONES = ("ap-guangzhou-3", "ap-guangzhou-4")


def _task(name: str, *, env_id: str | None, instances: int, rng: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "TaskName": name,
        "TaskInstanceNum": instances,
        "Application": {
            "DeliveryForm": "LOCAL",
            "Command": f"python {name}.py --shard ${{BATCH_TASK_INSTANCE_INDEX}}",
        },
        "RedirectInfo": {
            "StdoutRedirectPath": "cos://jobdeck-logs-1250000000.cos.ap-guangzhou.myqcloud.com/logs/",
            "StderrRedirectPath": "cos://jobdeck-logs-1250000000.cos.ap-guangzhou.myqcloud.com/logs/",
        },
        "FailedAction": rng.choice(("TERMINATE", "TERMINATE", "TERMINATE", "INTERRUPT")),
        "MaxRetryCount": rng.choice((0, 0, 1)),
    }
    if env_id:
        task["EnvId"] = env_id
    else:
        task["ComputeEnv"] = {
            "EnvType": "MANAGED",
            "EnvData": {"InstanceType": "S5.MEDIUM4", "ImageId": "img-m4q71qnq"},
        }
    return task


def random_job(
    world: BatchWorld, *, env_ids: list[str], tasks: int | None = None, instances: int | None = None
) -> dict[str, Any]:
    """A job spec: one task, a chain, or the doc's diamond A -> B, C -> D."""
    rng = world.rng
    shape = "flat" if tasks is not None else rng.choice(("single", "single", "chain", "diamond"))
    names = {
        "single": ["main"],
        "chain": ["prepare", "process"],
        "diamond": ["A", "B", "C", "D"],
    }.get(shape, [f"task{i}" for i in range(tasks or 1)])
    deps = {
        "chain": [("prepare", "process")],
        "diamond": [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")],
    }.get(shape, [])
    env_id = rng.choice([*env_ids, None]) if env_ids else None
    label = rng.choice(JOB_NAMES)
    return {
        "JobName": f"{label}-{rng.randrange(1000):03d}",
        "JobDescription": f"{label} ({shape})",
        "Priority": rng.randrange(1, 10),
        "Tasks": [
            _task(n, env_id=env_id, instances=instances or rng.choice((1, 1, 2, 3)), rng=rng)
            for n in names
        ],
        "Dependences": [{"StartTask": a, "EndTask": b} for a, b in deps],
        "Tags": [{"Key": "team", "Value": rng.choice(("genomics", "render", "data"))}],
    }


def _spawn(
    world: BatchWorld, make: Callable[[], dict[str, Any]], every: tuple[float, float]
) -> None:
    """Submit a job now and again, forever (the demo keeps moving)."""

    def tick() -> None:
        world.submit(make(), world.rng.choice(ZONES))
        world.sched.after(world.rng.uniform(*every), tick)

    world.sched.after(world.rng.uniform(*every), tick)


def _demo_batch(seed: int, now: float) -> BatchWorld:
    start = now - 45 * 60
    world = BatchWorld(HOME_REGION, seed=seed, start=start)
    fleet = world.fleet
    envs = [
        fleet.create_env(
            {
                "EnvName": name,
                "DesiredComputeNodeCount": count,
                "EnvType": "MANAGED",
                "EnvDescription": desc,
                "EnvData": {"InstanceType": kind, "ImageId": "img-m4q71qnq"},
                "Tags": [{"Key": "team", "Value": team}],
            },
            zone,
        )
        for name, count, kind, zone, team, desc in (
            ("render-farm", 4, "S5.LARGE8", "ap-guangzhou-3", "render", "Frame rendering"),
            (
                "genomics-cpu",
                3,
                "S5.MEDIUM4",
                "ap-guangzhou-4",
                "genomics",
                "Alignment and variant calling",
            ),
            ("spot-pool", 2, "S1.SMALL2", "ap-guangzhou-4", "data", "Cheap nightly batch work"),
        )
    ]
    env_ids = [env.id for env in envs]
    _spawn(world, lambda: random_job(world, env_ids=env_ids), every=(20, 70))
    world.advance(now)
    return world


def _scale_batch(
    seed: int,
    now: float,
    *,
    finished: int = 10_000,
    active: int = 1_000,
    tasks: int = 1,
    instances: int = 1,
    history: float = 3600.0,
) -> BatchWorld:
    """`finished` jobs ended over the last `history` seconds, and `active` jobs kept in flight."""
    fast = Profile(
        parse=(0.5, 1),
        schedule=(0.5, 1),
        queue=(0.5, 2),
        start=(0.5, 2),
        run=(2, 10),
        slow_parse_odds=0.0,
    )
    world = BatchWorld(HOME_REGION, seed=seed, start=now - history - 120, profile=fast)
    spacing = history / max(finished, 1)
    for i in range(finished):
        world.sched.at(world.now + i * spacing, _submit_flat, world, tasks, instances)
    world.advance(now - 60)  # every historic job has ended by now
    world.profile = Profile(
        parse=(1, 5),
        schedule=(5, 60),
        queue=(10, 120),
        start=(10, 60),
        run=(60, 600),
        slow_parse_odds=0.02,
    )

    def keep_active() -> None:
        running = sum(len(world.by_state[s]) for s in st.ACTIVE_ORDER)
        for _ in range(max(active - running, 0)):
            _submit_flat(world, tasks, instances)
        world.sched.after(1.0, keep_active)

    keep_active()
    world.advance(now)
    return world


def _submit_flat(world: BatchWorld, tasks: int, instances: int) -> None:
    world.submit(
        random_job(world, env_ids=[], tasks=tasks, instances=instances), world.rng.choice(ZONES)
    )


# --- omics ----------------------------------------------------------------------------------
def _omics_basics(world: OmicsWorld) -> None:
    """One available environment with its default volume; the default project."""
    env_id = world.ids.short("env")
    vol_id = world.ids.short("vol")
    world.environments[env_id] = {
        "EnvironmentId": env_id,
        "Name": "default-env",
        "Description": "Default compute environment",
        "Region": world.region,
        "Type": "KUBERNETES",
        "Status": "RUNNING",
        "Available": True,
        "IsDefault": True,
        "IsManaged": True,
        "Message": "",
        "ResourceIds": {
            "VPCId": world.ids.short("vpc"),
            "SubnetId": world.ids.short("subnet"),
            "SecurityGroupId": world.ids.short("sg"),
            "TDSQLCId": "",
            "CFSId": world.ids.short("cfs"),
            "CFSStorageType": "SD",
            "CVMId": world.ids.short("ins"),
            "EKSId": world.ids.short("cls"),
        },
        "LastWorkflowUuid": world.ids.uuid(),
        "CreationTime": "2026-01-05T10:00:00+08:00",
    }
    world.volumes[vol_id] = {
        "VolumeId": vol_id,
        "Name": f"default volume ({env_id})",
        "Description": "",
        "EnvironmentId": env_id,
        "Type": "SHARED",
        "Spec": "HP",
        "Capacity": 32768,
        "Usage": 973150879744,
        "BandwidthLimit": 380.0,
        "DefaultMountPath": f"/{vol_id}",
        "IsDefault": True,
        "Status": "AVAILABLE",
    }


def _demo_omics(seed: int, now: float) -> OmicsWorld:
    world = OmicsWorld(HOME_REGION, seed=seed + 1, start=now - 90 * 60, failure_odds=0.1)
    _omics_basics(world)
    broken = world.ids.short("env")
    world.environments[broken] = {
        **next(iter(world.environments.values())),
        "EnvironmentId": broken,
        "Name": "gpu-env",
        "Description": "GPU nodes (quota exhausted)",
        "Status": "ERROR",
        "Available": False,
        "IsDefault": False,
        "Message": "ResourceInsufficient: no GPU quota left in ap-guangzhou-6",
    }
    for name, kind, tasks in (
        ("fastp-qc", "WDL", ["fastp", "multiqc"]),
        ("gatk-germline", "WDL", ["bwa_mem", "mark_duplicates", "haplotype_caller"]),
        ("nf-rnaseq", "NEXTFLOW", ["trim_galore", "star_align", "salmon_quant"]),
    ):
        app = App(world.ids.words("app"), name, kind, tasks)
        app.versions.append(
            {
                "Type": "RELEASE",
                "ApplicationVersionId": "1",
                "Name": "first release",
                "Description": "the first released version",
                "Entrypoint": "main.wdl" if kind == "WDL" else "main.nf",
                "CreateTime": "2026-01-05 10:00:00",
                "CreatorName": "manager",
                "CreatorId": "100000000001",
            }
        )
        world.apps[app.id] = app
    table_id = world.ids.words("tab")
    world.tables[table_id] = {
        "TableId": table_id,
        "ProjectId": world.project_id,
        "Name": "samples-2026-11",
        "Description": "November sequencing batch",
        "_created": now - 86400,
        "Columns": [
            {"Header": "sampleId", "DataType": "String"},
            {"Header": "reads", "DataType": "File"},
        ],
        "_rows": [
            {
                "TableRowUuid": world.ids.uuid(),
                "Content": [f"S{i:03d}", f"cos://seq-data/S{i:03d}.fastq.gz"],
            }
            for i in range(1, 7)
        ],
    }
    env_id = next(iter(world.environments))
    apps = list(world.apps.values())
    counter = iter(range(1, 10_000))
    # A second project: a third of the run groups, invisible to a client that asks only for
    # the default one (the table is the default project's).
    lab = world.add_project("rnaseq-lab")

    def submit() -> None:
        app = world.rng.choice(apps)
        project_id = lab if world.rng.random() < 1 / 3 else world.project_id
        use_table = project_id == world.project_id and world.rng.random() < 0.3
        rows = world.tables[table_id]["_rows"]
        text = json.dumps(
            {f"{app.name}.sample": f"cos://seq-data/sample-{world.rng.randrange(100)}.fastq.gz"}
        )
        world.submit_group(
            project_id=project_id,
            name=f"{app.name}-{next(counter):04d}",
            description="",
            env_id=env_id,
            type=app.type,
            app=app,
            input=text,
            input_type="JSON",
            input_cos_uri="",
            table_id=table_id if use_table else "",
            option={"FailureMode": "NoNewCalls", "UseCallCache": True, "UseErrorOnHold": False},
            nf_option={"Report": True} if app.type == "NEXTFLOW" else {},
            inputs=[(text, r["TableRowUuid"], r["Content"][0]) for r in rows]
            if use_table
            else [(text, "", "")],
        )
        world.sched.after(world.rng.uniform(240, 600), submit)

    world.sched.after(60, submit)
    world.advance(now)
    return world
