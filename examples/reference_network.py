# %% [markdown]
# # The reference network
#
# The paper's network, pair by pair, at 370 km: ten client pairs on ten WDM channels of the
# server's dark-pulse comb, each client's DBR laser injection-locked to its comb line, SNS-AOPP
# with 10^12 pulses per pair, every channel lit while a pair measures. This calls the network
# model directly, with nominal client chips; `qkdchip run` evaluates the same network with chips
# drawn from the wafer-yield Monte Carlo, at both of the paper's distances, and searches the
# reach. The flow's stage cache goes to `$QKDCHIP_EXAMPLE_OUT` (default `results/examples`).

# %%
import os
from pathlib import Path

import numpy as np

from qkdchip.flow import STAGES, run_flow
from qkdchip.flow_context import FlowContext
from qkdchip.flow_stages import transmitter_circuit
from qkdchip.scenarios import load_scenario
from qkdchip.simulations.network import assign_channels, evaluate_network
from qkdchip.simulations.network.clients import drawn_laser_cavity, network_clients
from qkdchip.simulations.network.wdm import grid_for_comb
from qkdchip.stage_outputs import CombOutput, DevicesOutput

OUT = Path(os.environ.get("QKDCHIP_EXAMPLE_OUT", "results/examples"))
DISTANCE_KM = 370.0

# %% [markdown]
# The scenario holds every number of the study; the devices stage serves the simulated devices
# from the shipped results, and the comb stage solves the self-injection-locked dark-pulse comb
# on the simulated ring (a few seconds, then cached).

# %%
scenario = load_scenario("weiming")
ctx = FlowContext(scenario=scenario, out_dir=OUT / "weiming", gds_dir=OUT / "gds")
stages = tuple(s for s in STAGES if s.name in ("devices", "comb"))
for outcome in run_flow(ctx, stages=stages):
    print(f"{outcome.name}: {outcome.status}, {outcome.message}")
devices = ctx.need("devices", DevicesOutput)
comb = ctx.need("comb", CombOutput)

# %% [markdown]
# The channel plan: a flex grid locked to the comb (one slot per line, centred on the pump,
# which is also the phase reference λ0), the strongest lines above the scenario's threshold.

# %%
pump = comb.mu == 0
pump_hz = float(comb.frequency_hz[pump][0])
spacing_hz = float(np.median(np.diff(comb.frequency_hz) / np.diff(comb.mu)))
grid = grid_for_comb(scenario.wdm, line_spacing_hz=spacing_hz, pump_frequency_hz=pump_hz)
channels = assign_channels(
    line_mu=comb.mu,
    line_frequency_hz=comb.frequency_hz,
    line_power_dbm=comb.power_dbm,
    n_channels=scenario.network.channels,
    grid=grid,
    min_power_dbm=scenario.comb.min_line_power_dbm,
)

# %% [markdown]
# The clients' lasers are the drawn DBR lasers: cavity length, group index and the reflectance
# of the rear grating the comb light enters by follow from the design record and the simulated
# grating; the scenario says how they are run. Their injection loss and the intensity
# modulators' extinction come from the drawn chip solved as a circuit of the simulated devices
# (the devices stage's transmitter response).

# %%
cavity = drawn_laser_cavity(devices.results["grating"], laser=scenario.design.laser)
laser = scenario.transmitter.laser.slave(
    cavity_length_m=cavity.cavity_length_m,
    group_index=cavity.group_index,
    mirror_reflectivity=cavity.injection_reflectance,
)
clients = network_clients(
    n=scenario.network.clients,
    laser=laser,
    **scenario.transmitter.chip_losses(transmitter_circuit(scenario.design)),
    pool=None,
    seed=scenario.seed,
)
model = scenario.network_model(
    wdm=grid,
    comb_linewidth_hz=max(comb.linewidth_hz(ch.line_mu) for ch in channels),
    reference_frequency_hz=pump_hz,
)


# %%
result = evaluate_network(
    model=model,
    channels=channels,
    clients=clients.nominal,
    links_by_distance={DISTANCE_KM: scenario.network.links(DISTANCE_KM)},
    # the scenario's key-rate engine: SNS-AOPP, finite key, 16 discrete phases (and the
    # pairs' source flaws when the scenario counts them), every pair in one optimisation
    key_rate=scenario.protocol.key_rate_function(seed=scenario.seed),
)
block = result.at(DISTANCE_KM)
print(f"{'pair':>7} {'nm':>9} {'e_d %':>6} {'QBER_X %':>8} {'bit/s':>9} {'/PLOB':>6}")
for p in block.pairs:
    e_d = "-" if p.phase is None else f"{100 * p.phase.misalignment:.2f}"
    print(
        f"{p.alice + '-' + p.bob:>7} {p.channel.wavelength_nm:9.2f} {e_d:>6} "
        f"{100 * p.qber_x:8.2f} {p.key_rate_bps:9.3g} {p.ratio_to_plob:6.2f}"
    )
print(
    f"{sum(p.beats_plob for p in block.pairs)}/{result.n_pairs} pairs beat PLOB at "
    f"{DISTANCE_KM:g} km; network key rate {block.total_key_rate_bps:.4g} bit/s"
)
print(f"networking capability {result.networking_capability_km:,.0f} km")
