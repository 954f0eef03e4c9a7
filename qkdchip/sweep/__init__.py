"""Design-space exploration: the main flow over a grid, a list or a sample of points, on dask.

A sweep point is a scenario plus overrides of its values (``<section>.<key>``, e.g.
``fibre.loss_db_per_km``; ``design.<record>.<field>``, e.g. ``design.ring.gap_um``; ``seed``),
evaluated by the main flow (:func:`qkdchip.flow.run_flow`), which runs only the stages the
chosen outputs need and shares their stage cache between points. Outputs come from a registry
(:data:`qkdchip.sweep.outputs.OUTPUTS`): ring FSR and D2, coupler Q_c, Vπ, usable comb lines and
their power, device and chip yield, key rate and QBER at a distance, the longest distance above
PLOB and the networking capability. Results go to one Parquet file (inputs, outputs, status and
error, stage statuses and cache keys per point); a rerun computes only the missing points.

Python::

    from qkdchip.sweep import Axis, SweepSpec, grid_values, read_results, run_sweep

    spec = SweepSpec(
        scenario="weiming",
        axes=(Axis("fibre.loss_db_per_km", grid_values(0.16, 0.22, 4)),),
        outputs=("total_key_rate_bps@370km", "max_distance_km_all_above_plob"),
    )
    result = run_sweep(spec, "results/weiming/sweeps/loss.parquet", flow_dir="results/weiming")
    table = read_results(result.path).to_pandas()

Engine: dask.distributed. By default a ``LocalCluster`` with one worker process per core and
one thread per worker; ``scheduler="tcp://host:8786"`` (``--scheduler``) uses a running
cluster, ``client=`` a client you hold. meep/MPB device simulations run as subprocesses of
the workers, as everywhere in qkdchip.

On a SLURM machine, dask-jobqueue starts the workers as batch jobs (``pip install
dask-jobqueue``; qkdchip must be installed on the compute nodes, and ``flow_dir`` and the
device cache ``$QKDCHIP_CACHE_DIR`` must be on a file system every node reaches)::

    from dask_jobqueue import SLURMCluster
    from distributed import Client

    cluster = SLURMCluster(cores=1, processes=1, memory="4GB", walltime="04:00:00",
                           job_extra_directives=["--partition=compute"])
    cluster.scale(jobs=64)  # 64 single-core workers
    with Client(cluster) as client:
        run_sweep(spec, "sweep.parquet", flow_dir="results/weiming", client=client)

or, from the command line, with a scheduler started by ``dask scheduler`` and workers started
by ``srun dask worker tcp://HOST:8786 --nthreads 1``: ``qkdchip sweep ... --scheduler
tcp://HOST:8786``.
"""

from qkdchip.sweep.engine import SweepResult, run_sweep
from qkdchip.sweep.optimise import (
    Bound,
    Constraint,
    Evaluation,
    OptimiseResult,
    OptimiseSpec,
    parse_constraints,
    run_optimise,
)
from qkdchip.sweep.outputs import OUTPUTS, OutputRequest
from qkdchip.sweep.points import PointResult
from qkdchip.sweep.sensitivity import (
    FieldStep,
    Sensitivity,
    SensitivityResult,
    SensitivitySpec,
    field_steps,
    run_sensitivity,
)
from qkdchip.sweep.spec import Axis, SweepSpec, grid_values
from qkdchip.sweep.store import read_results
from qkdchip.sweep.tolerances import TOLERANCES, FieldTolerance

__all__ = [
    "OUTPUTS",
    "TOLERANCES",
    "Axis",
    "Bound",
    "Constraint",
    "Evaluation",
    "FieldStep",
    "FieldTolerance",
    "OptimiseResult",
    "OptimiseSpec",
    "OutputRequest",
    "PointResult",
    "Sensitivity",
    "SensitivityResult",
    "SensitivitySpec",
    "SweepResult",
    "SweepSpec",
    "field_steps",
    "grid_values",
    "parse_constraints",
    "read_results",
    "run_optimise",
    "run_sensitivity",
    "run_sweep",
]
