# %% [markdown]
# # A ring filter as a circuit, against the simulated FSR
#
# A notch filter of your own on the Si3N4 platform: the comb chip's 1 mm ring cell, moved to the
# bus gap that critically couples it, between two inverse-taper edge couplers. Its netlist is
# solved with the PDK's circuit models over five free spectral ranges, the FSR is read off the
# resonance dips and compared with the shipped meep simulation of the same ring and with the
# analytic c/(n_g L). Nothing here runs meep or MPB: the device results come from the shipped
# cache. The spectrum goes to `$QKDCHIP_EXAMPLE_OUT` (default `results/examples`).

# %%
import math
import os
from pathlib import Path

import gdsfactory as gf
import numpy as np
from matplotlib.figure import Figure

from qkdchip.atomic import atomic_write_figure
from qkdchip.components.designs import RingDesign
from qkdchip.components.si3n4 import edge_coupler, ring_point_coupled
from qkdchip.constants import C_M_PER_S
from qkdchip.pdk import si3n4
from qkdchip.pdk.drc import run_drc
from qkdchip.platforms import SI3N4
from qkdchip.simulations.circuit_models import circuit
from qkdchip.simulations.circuit_models.parameters import ring_parameters
from qkdchip.simulations.devices.defaults import simulate_default

OUT = Path(os.environ.get("QKDCHIP_EXAMPLE_OUT", "results/examples"))

# %% [markdown]
# The filter: the reference ring's geometry (999.4 µm radius, 2.8 µm wide core on the 100 nm
# film), whose resonances meep has simulated, with a 2.6 µm gap instead of the comb's 2.305 µm.
# At that gap the bus coupling Q (MPB supermodes and coupled-mode theory, scaled from the
# simulated coupler) is about the intrinsic Q of 20 million, so the ring is critically coupled
# and its dips reach almost zero. Activating the PDK registers the cells and their models.

# %%
pdk = SI3N4.activate()
design = RingDesign(gap_um=2.6)
filt = gf.Component(name="ring_notch_filter")
ring = filt << ring_point_coupled(radius_um=design.radius_um, gap_um=design.gap_um)
west = filt << edge_coupler()
west.connect("o2", ring.ports["o1"])
east = filt << edge_coupler()
east.connect("o2", ring.ports["o2"])
filt.add_port("in", port=west.ports["o1"])
filt.add_port("out", port=east.ports["o1"])
print(run_drc(filt, si3n4.design_rules()).format())

# %% [markdown]
# The netlist names each instance's cell and settings; `circuit` calls the PDK model of each
# cell (`pdk.models`) and solves the connections. The ring model takes its resonances and
# dispersion from the meep result of this geometry and its coupling from the coupler
# simulation.
#
# Five FSRs around the pump resonance at 1 MHz steps (the dips are about 19 MHz wide).

# %%
netlist = filt.get_netlist()
print("instances:", ", ".join(f"{k} ({v['component']})" for k, v in netlist["instances"].items()))
meep_ring = simulate_default("ring")
STEP_HZ = 1e6
frequency_hz = meep_ring.pump_frequency_hz + np.arange(
    -2.5 * meep_ring.fsr_hz, 2.5 * meep_ring.fsr_hz, STEP_HZ
)
s = circuit(netlist, pdk.models, wavelength_um=C_M_PER_S / frequency_hz * 1e6)
through = np.abs(s[("in", "out")]) ** 2
print(f"ring model: {ring_parameters(design).source}")

# %% [markdown]
# The dips: every run of points below half the off-resonance transmission is one resonance;
# its minimum, refined by a parabola through the lowest sample and its neighbours, is the
# resonance frequency. A straight-line fit of the resonance frequencies against their order
# gives the FSR (the D2 μ²/2 curvature of the normal-dispersion ring is symmetric about the
# centre dip and leaves the slope alone).

# %%
below = through < through.max() / 2
starts = np.flatnonzero(below[1:] & ~below[:-1]) + 1
ends = np.flatnonzero(~below[1:] & below[:-1]) + 1
dips_hz = []
for start, end in zip(starts, ends, strict=True):
    k = start + int(np.argmin(through[start:end]))
    left, centre, right = through[k - 1 : k + 2]
    shift = 0.5 * (left - right) / (left - 2 * centre + right)
    dips_hz.append(frequency_hz[k] + shift * STEP_HZ)
dips_hz = np.array(dips_hz)
order = np.arange(len(dips_hz)) - len(dips_hz) // 2
fsr_circuit_hz = float(np.polyfit(order, dips_hz, 1)[0])

mode = simulate_default("modes")
length_m = 2 * math.pi * design.radius_um * 1e-6
fsr_analytic_hz = C_M_PER_S / (mode.n_group * length_m)
fsr_meep_hz = meep_ring.fsr_hz
print(f"{len(dips_hz)} dips, deepest {10 * math.log10(through.min() / through.max()):.1f} dB")
print(f"FSR from the circuit's dips:   {fsr_circuit_hz / 1e9:.4f} GHz")
print(f"FSR of the meep ring:          {fsr_meep_hz / 1e9:.4f} GHz")
print(f"c/(n_g L), MPB n_g {mode.n_group:.4f}: {fsr_analytic_hz / 1e9:.4f} GHz")

# %% [markdown]
# The checks. The circuit's ring takes D1, D2 and D3 from the meep result, so its dips must
# give back meep's FSR; what can differ is the dip finding (1 MHz samples, refined to well under
# that) and the D3 μ³/6 term in the line fit (about 10 Hz here). 1e-4 of the FSR, 3 MHz or a
# sixth of a linewidth, bounds both with room to spare. The analytic FSR uses the group index of
# a straight strip (MPB): it misses what the 1 mm bend does to the mode and carries MPB's and
# meep's own grid errors (meep's FSR is within 0.04 % of its grid-converged value), so it is
# held to 0.2 %.

# %%
circuit_error = abs(fsr_circuit_hz - fsr_meep_hz) / fsr_meep_hz
analytic_error = abs(fsr_analytic_hz - fsr_meep_hz) / fsr_meep_hz
assert circuit_error < 1e-4, f"circuit FSR is {circuit_error:.2e} off the meep FSR"
assert analytic_error < 2e-3, f"analytic FSR is {analytic_error:.2e} off the meep FSR"
print(f"circuit vs meep: {circuit_error:.1e} (< 1e-4, ok)")
print(f"analytic vs meep: {100 * analytic_error:.3f} % (< 0.2 %, ok)")

# %% [markdown]
# The spectrum with the FSR marked between the centre dip and the next, and the centre dip
# on a MHz scale.

# %%
wavelength_nm = C_M_PER_S / frequency_hz * 1e9
through_db = 10 * np.log10(through)
fig = Figure(figsize=(10, 4), layout="constrained")
full, zoom = fig.subplots(1, 2, width_ratios=(2, 1))
full.plot(wavelength_nm, through_db, lw=0.8)
dip_nm = C_M_PER_S / dips_hz * 1e9
for nm in dip_nm:
    full.axvline(nm, color="tab:gray", lw=0.5, ls=":")
centre = len(dips_hz) // 2
y_arrow = -15.0
full.annotate(
    "",
    xy=(dip_nm[centre], y_arrow),
    xytext=(dip_nm[centre + 1], y_arrow),
    arrowprops={"arrowstyle": "<->", "color": "tab:red"},
)
full.text(
    (dip_nm[centre] + dip_nm[centre + 1]) / 2,
    y_arrow + 0.5,
    f"FSR {fsr_circuit_hz / 1e9:.3f} GHz\n({abs(dip_nm[centre] - dip_nm[centre + 1]):.4f} nm)",
    ha="center",
    va="bottom",
    color="tab:red",
)
full.set_xlabel("wavelength (nm)")
full.set_ylabel("through transmission (dB)")
full.set_title("ring notch filter, facet to facet")
detuning_mhz = (frequency_hz - dips_hz[centre]) / 1e6
near = np.abs(detuning_mhz) < 100.0
zoom.plot(detuning_mhz[near], through_db[near], lw=1.0)
zoom.set_xlabel("detuning from the centre dip (MHz)")
zoom.set_ylabel("through transmission (dB)")
zoom.set_title(f"dip at {dip_nm[centre]:.3f} nm")
print(f"spectrum: {atomic_write_figure(OUT / 'ring_filter_fsr.png', fig, dpi=120)}")
