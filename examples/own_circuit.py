# %% [markdown]
# # Your own circuit with the PDK
#
# A balanced pair of phase modulators behind a 1x2 MMI on the InP platform: activate the PDK,
# place its cells, route the waveguides with the platform's deep-ridge cross-section and the
# electrodes to pads with its metal cross-section, check the result against the platform's
# design rules and write GDS and a preview to `$QKDCHIP_EXAMPLE_OUT` (default
# `results/examples`).

# %%
import os
from pathlib import Path

import gdsfactory as gf

from qkdchip.circuits.masks import write_gds
from qkdchip.circuits.preview import layer_colours, render_chip_png
from qkdchip.components.inp import mmi1x2, pad_dc, phase_modulator
from qkdchip.pdk import inp
from qkdchip.pdk.drc import run_drc

OUT = Path(os.environ.get("QKDCHIP_EXAMPLE_OUT", "results/examples"))

# %% [markdown]
# Activation registers the platform's cells and cross-sections (`xs_inp_deep`,
# `xs_inp_shallow`, `xs_inp_metal`) on top of gdsfactory's generic PDK; nothing is activated
# at import.

# %%
inp.get_pdk().activate()

# %% [markdown]
# Place the splitter and one modulator per output, 400 µm above and below it: more than twice
# the deep ridge's 150 µm bend radius, so the router fits two bends. The lower modulator is
# mirrored so its electrode faces away from the circuit.

# %%
circuit = gf.Component(name="balanced_phase_modulators")
splitter = circuit << mmi1x2()
arms = {}
for port, dy in (("o2", 400.0), ("o3", -400.0)):
    arm = circuit << phase_modulator(length_um=1000.0)
    if dy < 0:
        arm.dmirror_y()
    x, _ = splitter.ports[port].center
    arm.dmove((x + 600.0 - arm.ports["o1"].center[0], dy - arm.ports["o1"].center[1]))
    gf.routing.route_single(
        circuit, splitter.ports[port], arm.ports["o1"], cross_section="xs_inp_deep"
    )
    arms[port] = arm

# %% [markdown]
# A DC pad per electrode, wired with the p-metal cross-section (wire corners, no bends).

# %%
for arm in arms.values():
    pad = circuit << pad_dc()
    x, y = arm.ports["e1"].center
    pad.dmove((x - 300.0, y + (250.0 if y > 0 else -250.0)))
    gf.routing.route_single_electrical(
        circuit, arm.ports["e1"], pad.ports["e3"], cross_section="xs_inp_metal"
    )
circuit.add_port("in", port=splitter.ports["o1"])
circuit.add_port("out_top", port=arms["o2"].ports["o2"])
circuit.add_port("out_bottom", port=arms["o3"].ports["o2"])

# %%
report = run_drc(circuit, inp.design_rules())
print(report.format())
print("ports:", ", ".join(p.name for p in circuit.ports))

# %%
gds = write_gds(circuit, OUT / "own_circuit.gds")
png = render_chip_png(
    circuit, OUT / "own_circuit.png", colours=layer_colours(inp.LAYER_VIEWS), title="own circuit"
)
print(f"wrote {gds} and {png}")
