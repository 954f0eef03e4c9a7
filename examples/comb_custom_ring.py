# %% [markdown]
# # A comb for your own ring
#
# A 100 GHz Si3N4 ring with normal dispersion, described by its physical numbers rather than
# the simulated reference ring, pumped above threshold and swept into a dark pulse. 64 modes
# keep it to about a second; the spectrum and the sweep go to `$QKDCHIP_EXAMPLE_OUT`
# (default `results/examples`).

# %%
import os
from pathlib import Path

from qkdchip.simulations.comb import Resonator, solve_comb
from qkdchip.simulations.comb.plot import plot_spectrum, plot_sweep

OUT = Path(os.environ.get("QKDCHIP_EXAMPLE_OUT", "results/examples"))

# %% [markdown]
# The ring: frequencies in Hz (D/2π), Q values, the Kerr index and the mode area. D2 < 0 is
# normal dispersion; a dark pulse needs a trigger, here an avoided mode crossing that shifts
# mode μ = +1 up by 45 MHz.

# %%
ring = Resonator(
    fsr_hz=100e9,
    wavelength_nm=1550.0,
    q_intrinsic=15e6,
    q_coupling=8e6,
    n2_m2_per_w=9e-20,
    effective_area_um2=4.0,
    n_eff=1.48,
    n_group=1.6,
    d2_hz=-3e6,
    mode_shifts_hz={1: 45e6},
)
N_MODES = 64

# %% [markdown]
# In the normalised Lugiato-Lefever equation the pump is f² = P / P_th and the detuning
# ζ0 = 2(ω0 - ωp)/κ. Pump at six times the parametric threshold and sweep ζ0 from -2 to 3.5
# over 200 photon lifetimes, then hold for 100.

# %%
norm = ring.normalise(N_MODES, pump_power_w=0.1)
pump_w = 6.0 * norm.threshold_power_w
start_hz, stop_hz = norm.detuning_hz_from_zeta([-2.0, 3.5])
comb = solve_comb(
    ring,
    pump_power_w=pump_w,
    detuning_start_hz=float(start_hz),
    detuning_stop_hz=float(stop_hz),
    sweep_time_s=2 * 200.0 / norm.kappa,
    hold_time_s=2 * 100.0 / norm.kappa,
    n_modes=N_MODES,
    seed=0,
)

# %%
print(f"threshold {1e3 * norm.threshold_power_w:.1f} mW, pump {1e3 * pump_w:.1f} mW")
print(f"state: {comb.state}, pulses: {comb.pulses}, f^2 = {comb.f_squared:.2f}")
print(f"conversion efficiency {100 * comb.conversion_efficiency:.1f} %")
usable = comb.usable_lines(-30.0)
print(f"{len(usable)} lines at or above -30 dBm; the strongest:")
for line in sorted(usable, key=lambda ln: -ln.power_dbm)[:6]:
    print(f"  mu {line.mu:+3d}  {line.wavelength_nm:9.3f} nm  {line.power_dbm:6.1f} dBm")

# %%
print(f"spectrum: {plot_spectrum(comb, OUT / 'comb_spectrum.png')}")
print(f"sweep: {plot_sweep(comb, OUT / 'comb_sweep.png')}")
