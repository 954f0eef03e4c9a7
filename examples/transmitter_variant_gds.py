# %% [markdown]
# # A transmitter variant as GDS
#
# The InP transmitter chip with 2 mm phase modulators instead of 3 mm and a longer front
# grating, drawn from the same design records the simulations and the yield model use, checked
# (DRC, optical connectivity, light paths, metal nets) and written as a reproducible GDS file
# with a preview to `$QKDCHIP_EXAMPLE_OUT` (default `results/examples`). Open it with
# `klayout -l gds_out/inp.lyp <file>` after `qkdchip mask` has written the layer properties.

# %%
import os
from pathlib import Path

from qkdchip.circuits.masks import write_gds
from qkdchip.circuits.preview import layer_colours, render_chip_png
from qkdchip.circuits.transmitter import transmitter_chip
from qkdchip.circuits.verify import verify_chip
from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.pdk.inp import LAYER_VIEWS
from qkdchip.platforms import INP

OUT = Path(os.environ.get("QKDCHIP_EXAMPLE_OUT", "results/examples"))

# %% [markdown]
# The design change, in the spelling of `qkdchip run --design` and of a scenario's
# `[design.<device>]` tables. Every record validates itself: a length outside its range stops
# here with the field's name.

# %%
designs = ChipDesigns().with_overrides(
    {"phase_modulator.length_um": 2000.0, "laser.front_grating_um": 120.0}
)
print(designs.overrides())

# %% [markdown]
# A chip cell needs its platform's PDK active.

# %%
INP.activate()
chip = transmitter_chip(**designs.transmitter_cell_settings())
box = chip.dbbox()
print(f"{chip.name}: {box.width():.0f} x {box.height():.0f} µm")
print("active sections:", ", ".join(chip.info["active_sections"]))

# %%
check = verify_chip(chip, INP.design_rules(), keep_clear=INP.keep_clear_layers)
print(f"DRC violations: {check.drc_violations}")
for report in check.checks:
    print(f"  {report.name}: {'ok' if report.ok else report.problems}")

# %%
gds = write_gds(chip, OUT / "transmitter_pm2mm.gds")
png = render_chip_png(
    chip, OUT / "transmitter_pm2mm.png", colours=layer_colours(LAYER_VIEWS), title=chip.name
)
print(f"wrote {gds} and {png}")
