# %% [markdown]
# # A design sweep
#
# The phase modulators' length swept through the Python API of `qkdchip.sweep`: two points on
# a local dask cluster of one worker. Each point is the reference scenario with
# `design.phase_modulator.length_um` overridden; its outputs need only the devices stage, so
# it runs in seconds (the modulator's Vπ·L is served from the shipped results and divided by
# the drawn length). Results land in a Parquet file under `$QKDCHIP_EXAMPLE_OUT` (default
# `results/examples`); a rerun reads them back instead of computing.
#
# The workers are new processes that import this script, so everything that starts the
# cluster runs under `if __name__ == "__main__":`.

# %%
import os
from pathlib import Path

from qkdchip.sweep import Axis, SweepSpec, read_results, run_sweep

OUT = Path(os.environ.get("QKDCHIP_EXAMPLE_OUT", "results/examples"))

# %% [markdown]
# A parameter is named by its place in the scenario file; `qkdchip sweep --list-outputs`
# lists what a point can report.

# %%
spec = SweepSpec(
    scenario="weiming",
    axes=(Axis("design.phase_modulator.length_um", (2000.0, 3000.0)),),
    outputs=("vpi_v", "vpi_l_v_mm"),
)

# %%
if __name__ == "__main__":
    result = run_sweep(spec, OUT / "sweeps" / "pm_length.parquet", flow_dir=OUT, workers=1)
    print(
        f"{result.computed} points computed, {result.reused} read back, "
        f"{len(result.failed)} failed; results in {result.path}"
    )
    for point in result.points:
        length = point.inputs["design.phase_modulator.length_um"]
        print(
            f"PM length {length:6.0f} µm: Vπ {point.outputs['vpi_v']:.2f} V "
            f"(Vπ·L {point.outputs['vpi_l_v_mm']:.2f} V·mm), {point.status}"
        )
    table = read_results(result.path)
    print(f"results file: {table.num_rows} rows, columns {table.column_names[:4]} ...")
