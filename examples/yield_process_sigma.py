# %% [markdown]
# # Yield with another process spread
#
# The InP transmitter's wafer yield with the platform's process statistics, and again with a
# ridge-width lithography three times worse within the wafer. Four wafers keep it to seconds
# (`qkdchip yield` runs 1024 by default); the wafer maps of the second run go to
# `$QKDCHIP_EXAMPLE_OUT` (default `results/examples`).

# %%
import os
from pathlib import Path

from qkdchip.platforms import INP
from qkdchip.simulations.wafer_yield import write_outputs
from qkdchip.simulations.wafer_yield.engine import YieldModel, run_wafer_yield

OUT = Path(os.environ.get("QKDCHIP_EXAMPLE_OUT", "results/examples"))
WAFERS = 4

# %% [markdown]
# The process statistics are one object per platform: every parameter's nominal value and its
# wafer-to-wafer, within-wafer (correlated), die and device sigma, with its source.

# %%
width = INP.process["ridge_width_nm"]
print(
    f"ridge width: nominal {width.nominal:g} {width.unit}, sigma within wafer "
    f"{width.sigma_within:g} {width.unit} over {width.correlation_length_mm:g} mm, "
    f"total {width.sigma_total:.1f} {width.unit}"
)
print(f"  source: {width.source}")

# %% [markdown]
# `replace_parameter` returns a validated copy; the yield model takes it in place of the
# platform's own statistics. The same seed draws the same wafers, so the difference is the
# spread alone.

# %%
wide = INP.process.replace_parameter("ridge_width_nm", sigma_within=3 * width.sigma_within)
models = {
    "platform": YieldModel.build(INP),
    "3x ridge-width spread": YieldModel.build(INP, stats=wide),
}
results = {
    name: run_wafer_yield(INP, n_wafers=WAFERS, seed=1, model=model)
    for name, model in models.items()
}

# %%
for name, result in results.items():
    mod, chip = result.modulator_yield, result.chip_yield
    print(
        f"{name}: modulator yield {100 * mod.value:.1f} % "
        f"[{100 * mod.ci_low:.1f}, {100 * mod.ci_high:.1f}], chip yield "
        f"{100 * chip.value:.1f} % [{100 * chip.ci_low:.1f}, {100 * chip.ci_high:.1f}]"
    )
    for cause in result.to_dict()["top_failure_causes"][:3]:
        print(f"  {cause['cause']}: {100 * cause['fraction_of_chips']:.1f} % of chips")

# %% [markdown]
# The same files `qkdchip yield` writes: yield table (JSON, Markdown), failure causes and a
# wafer map per metric.

# %%
paths = write_outputs(
    results["3x ridge-width spread"], OUT / "yield", layout=models["platform"].spec.layout
)
print(f"wrote {len(paths)} files to {OUT / 'yield'}")
