from __future__ import annotations

import cmath
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from qkdchip.simulations.network.injection_locking import (
    SlaveLaser,
    coupling_rate_per_s,
    injected_power_dbm,
    injection_lock,
    locked_linewidth_hz,
    locked_phase_noise_psd,
    locking_range_hz,
    pair_phase_noise,
)
from qkdchip.simulations.network.model import ClientChip, NetworkModel, lock_client
from qkdchip.simulations.network.phase_budget import laser_phase_variance
from qkdchip.simulations.network.wdm import ChannelAssignment


def test_coupling_rate_matches_formula() -> None:
    # (c / (2 n_g L)) (1 - R)/sqrt(R) with n_g = 3.7, L = 1 mm, R = 0.3, by hand: 5.178e10 rad/s.
    kappa = coupling_rate_per_s(group_index=3.7, cavity_length_m=1e-3, mirror_reflectivity=0.3)
    assert kappa == pytest.approx(299792458 / 7.4e-3 * 0.7 / math.sqrt(0.3), rel=1e-12)


def test_locking_range_limits_and_scaling() -> None:
    low, high = locking_range_hz(
        coupling_rate_per_s=2 * math.pi * 1e10, injection_ratio=1e-4, alpha_factor=0.0
    )
    # kappa sqrt(rho) / 2 pi = 1e10 * 1e-2 = 100 MHz, symmetric for alpha = 0.
    assert high == pytest.approx(1e8)
    assert low == pytest.approx(-1e8)
    # Range grows as sqrt(P_inj): 100x the power gives 10x the range.
    _, high_100 = locking_range_hz(
        coupling_rate_per_s=2 * math.pi * 1e10, injection_ratio=1e-2, alpha_factor=0.0
    )
    assert high_100 == pytest.approx(10 * high)


@pytest.mark.parametrize("alpha", [1.0, 3.0, 5.0])
def test_locking_range_asymmetry_with_alpha(alpha: float) -> None:
    low, high = locking_range_hz(coupling_rate_per_s=1e11, injection_ratio=1e-3, alpha_factor=alpha)
    assert -low / high == pytest.approx(math.sqrt(1 + alpha**2))
    _, high0 = locking_range_hz(coupling_rate_per_s=1e11, injection_ratio=1e-3, alpha_factor=0)
    assert high == pytest.approx(high0)  # the blue edge does not depend on alpha


def test_injected_power_subtracts_losses() -> None:
    p = injected_power_dbm(
        line_power_dbm=-10.0,
        fibre_length_km=60.0,
        fibre_loss_db_per_km=0.2,
        filter_loss_db=3.0,
        coupling_loss_db=2.0,
    )
    assert p == pytest.approx(-10 - 12 - 3 - 2)


def _lock(detuning_hz: float, tuning_hz: float = 0.0) -> object:
    slave = SlaveLaser(tuning_range_hz=tuning_hz, alpha_factor=4.0)
    return injection_lock(
        slave=slave,
        master_linewidth_hz=60.0,
        injected_power_dbm=-35.0,
        free_running_detuning_hz=detuning_hz,
    )


def test_lock_decision_at_the_range_edges() -> None:
    ref = _lock(0.0)
    assert ref.locked
    inside_red = _lock(0.99 * ref.range_low_hz)
    outside_red = _lock(1.01 * ref.range_low_hz)
    inside_blue = _lock(0.99 * ref.range_high_hz)
    outside_blue = _lock(1.01 * ref.range_high_hz)
    assert inside_red.locked
    assert inside_blue.locked
    assert not outside_red.locked
    assert not outside_blue.locked
    # The red side reaches sqrt(1 + 4²) ~ 4.1x further than the blue side.
    assert -ref.range_low_hz > 4 * ref.range_high_hz


def test_tuning_brings_a_far_laser_into_lock() -> None:
    far = 5e9
    assert not _lock(far).locked
    tuned = _lock(far, tuning_hz=6e9)
    assert tuned.locked
    assert tuned.range_low_hz <= far - tuned.tuning_applied_hz <= tuned.range_high_hz
    assert not _lock(far, tuning_hz=4e9).locked


def test_linewidth_transfer() -> None:
    locked = _lock(0.0)
    # The locked slave inherits the master's 60 Hz, not its 2 MHz free-running linewidth.
    assert locked.linewidth_hz == pytest.approx(60.0)
    # The unfollowed jitter is dnu_free / (2 f_L): small when f_L >> dnu_free.
    assert locked.residual_phase_variance_rad2 == pytest.approx(
        2e6 / (2 * locked.locking_bandwidth_hz)
    )
    assert locked.residual_phase_variance_rad2 < 0.05
    free = _lock(1e10)
    assert not free.locked
    assert free.linewidth_hz == pytest.approx(2e6)
    assert free.line_fwhm_hz == pytest.approx(2e6)


def test_weaker_injection_leaves_more_residual_jitter() -> None:
    slave = SlaveLaser()
    strong = injection_lock(
        slave=slave,
        master_linewidth_hz=40.0,
        injected_power_dbm=-20.0,
        free_running_detuning_hz=0.0,
    )
    weak = injection_lock(
        slave=slave,
        master_linewidth_hz=40.0,
        injected_power_dbm=-40.0,
        free_running_detuning_hz=0.0,
    )
    assert weak.residual_phase_variance_rad2 == pytest.approx(
        10 * strong.residual_phase_variance_rad2
    )


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"mirror_reflectivity": 1.2}, "mirror_reflectivity"),
        ({"cavity_length_m": -1e-3}, "cavity_length_m"),
        ({"alpha_factor": -1.0}, "alpha_factor"),
        ({"free_running_linewidth_hz": 0.0}, "free_running_linewidth_hz"),
    ],
)
def test_bad_slave_parameters_name_the_field(kwargs: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        SlaveLaser(**kwargs)


def test_bad_injection_ratio() -> None:
    with pytest.raises(ValueError, match="injection_ratio"):
        locking_range_hz(coupling_rate_per_s=1e10, injection_ratio=0.0, alpha_factor=3.0)


def _response(f: float, f_lock: float) -> complex:
    return 1.0 / (1.0 + 1j * f / f_lock)


def test_locked_psd_is_the_filtered_sum_of_both_lasers() -> None:
    master, free, f_lock = 40.0, 2e6, 1e8
    f = np.array([1e3, 3e7, 1e8, 4e8, 1e11])
    psd = locked_phase_noise_psd(
        fourier_frequency_hz=f,
        master_linewidth_hz=master,
        free_running_linewidth_hz=free,
        locking_bandwidth_hz=f_lock,
    )
    for fi, value in zip(f, psd, strict=True):
        h = _response(fi, f_lock)
        expected = abs(h) ** 2 * master / (math.pi * fi**2) + abs(1 - h) ** 2 * free / (
            math.pi * fi**2
        )
        assert value == pytest.approx(expected, rel=1e-12)
    # Far below f_L the slave has the master's Lorentzian noise, far above its own.
    assert psd[0] * math.pi * f[0] ** 2 == pytest.approx(master, rel=1e-3)
    assert psd[-1] * math.pi * f[-1] ** 2 == pytest.approx(free, rel=1e-5)


def test_locked_linewidth_limits() -> None:
    # f_L far above the free-running linewidth: the comb line's 40 Hz.
    wide = locked_linewidth_hz(
        master_linewidth_hz=40.0, free_running_linewidth_hz=2e6, locking_bandwidth_hz=1e9
    )
    assert wide == pytest.approx(40.0, rel=1e-6)
    # Equal linewidths: the line is the single Lorentzian of either laser.
    same = locked_linewidth_hz(
        master_linewidth_hz=5e3, free_running_linewidth_hz=5e3, locking_bandwidth_hz=1e6
    )
    assert same == pytest.approx(5e3, rel=1e-9)
    # f_L far below the free-running linewidth: the carrier vanishes, the free-running line is left.
    narrow = locked_linewidth_hz(
        master_linewidth_hz=40.0, free_running_linewidth_hz=2e6, locking_bandwidth_hz=2e3
    )
    assert narrow == pytest.approx(2e6, rel=0.01)
    # In between the width only grows as f_L falls.
    widths = [
        locked_linewidth_hz(
            master_linewidth_hz=40.0, free_running_linewidth_hz=2e6, locking_bandwidth_hz=fl
        )
        for fl in (1e8, 1e6, 1e5, 5e4, 1e4)
    ]
    assert widths == sorted(widths)
    with pytest.raises(ValueError, match="locking_bandwidth_hz"):
        locked_linewidth_hz(
            master_linewidth_hz=40.0, free_running_linewidth_hz=2e6, locking_bandwidth_hz=-1.0
        )
    with pytest.raises(ValueError, match="master_linewidth_hz"):
        locked_linewidth_hz(
            master_linewidth_hz=2e7, free_running_linewidth_hz=2e6, locking_bandwidth_hz=1e6
        )


def test_locked_linewidth_far_below_the_free_running_linewidth() -> None:
    # m = (dnu_free - dnu_m) / (2 f_L) orders of Lorentzians: one by one up to m ~ 7,000
    # (f_L >= 150 Hz here), merged in groups above. On both sides the width falls short of the
    # free-running 2 MHz by 3 f_L (to a few 1e-4 of f_L for f_L << dnu_free). Below f_L ~ 0.1 Hz
    # the shortfall (< 1e-9 of the line) nears what the groups and the root search resolve.
    free = 2e6
    for f_lock in (1e3, 300.0, 160.0, 140.0, 30.0, 1.0, 0.1):  # m up to 1e7
        width = locked_linewidth_hz(
            master_linewidth_hz=40.0, free_running_linewidth_hz=free, locking_bandwidth_hz=f_lock
        )
        assert (free - width) / f_lock == pytest.approx(3.0, rel=1e-3), f_lock


def _direct_fwhm(master: float, free: float, f_lock: float) -> float:
    """FWHM of the Fourier transform of exp(-D/2), D the slave's phase structure function."""
    a = (free - master) / f_lock
    unit = 1.0 / (math.pi * min(master, free))

    def field(x: float) -> float:
        t = x * unit
        return math.exp(
            -0.5 * (2 * math.pi * master * t - a * math.expm1(-2 * math.pi * f_lock * t))
        )

    def spectrum(nu: float) -> float:
        omega = 2 * math.pi * nu * unit
        if omega == 0.0:
            return quad(field, 0.0, np.inf, limit=500)[0]
        return quad(field, 0.0, np.inf, weight="cos", wvar=omega, limlst=200)[0]

    half = 0.5 * spectrum(0.0)
    return 2 * brentq(
        lambda nu: spectrum(nu) - half, 1e-3 / unit, 10 * max(master, free), rtol=1e-10
    )


@pytest.mark.parametrize(
    ("master", "free", "f_lock"),
    [(1e4, 2e6, 3e5), (5e6, 2e6, 1e6)],
)
def test_locked_linewidth_matches_the_line_shape(master: float, free: float, f_lock: float) -> None:
    # A pedestal that widens the line (first) and a master broader than the slave (second).
    series = locked_linewidth_hz(
        master_linewidth_hz=master, free_running_linewidth_hz=free, locking_bandwidth_hz=f_lock
    )
    assert series == pytest.approx(_direct_fwhm(master, free, f_lock), rel=1e-7)
    assert min(master, free) < series < max(master, free)


def test_reference_client_locks_to_tens_of_hz() -> None:
    # The paper: ~60 Hz locked linewidth from MHz-level lasers. The weakest reference line
    # (-9.7 dBm) at the longest downstream link (60 km), injected as lock_client computes it.
    model = NetworkModel()
    chip = ClientChip(name="A5")
    f = 193.44e12
    channel = ChannelAssignment(4, f, 4, f, -9.74, 0.0)
    lock = lock_client(model=model, chip=chip, channel=channel, downstream_km=60.0)
    assert lock.locked
    assert chip.laser.free_running_linewidth_hz >= 1e6
    assert lock.locking_bandwidth_hz > 50 * chip.laser.free_running_linewidth_hz
    assert lock.linewidth_hz == model.comb_linewidth_hz
    assert lock.line_fwhm_hz == pytest.approx(model.comb_linewidth_hz, rel=1e-6)
    assert lock.line_fwhm_hz < 100.0


def _numerical_pair_variance(
    master: float, tau: float, fa: float, fb: float, free_a: float, free_b: float
) -> tuple[float, float, float]:
    def master_part(f: float) -> float:
        k = _response(f, fa) * cmath.exp(-2j * math.pi * f * tau) - _response(f, fb)
        return abs(k) ** 2 * master / (math.pi * f * f)

    def residual(log_f: float, f_lock: float, free: float) -> float:
        f = math.exp(log_f)
        return abs(1 - _response(f, f_lock)) ** 2 * free / (math.pi * f)

    common = quad(master_part, 0.0, 1e9, limit=4000, epsabs=0.0, epsrel=1e-10)[0]
    own = [
        quad(
            residual,
            math.log(f_lock) - 30.0,
            math.log(f_lock) + 30.0,
            args=(f_lock, free),
            limit=200,
            epsabs=0.0,
            epsrel=1e-10,
        )[0]
        for f_lock, free in ((fa, free_a), (fb, free_b))
    ]
    return common, own[0], own[1]


@pytest.mark.parametrize("tau", [1.3e-7, -1.3e-7, 4e-9])
def test_pair_variance_matches_the_frequency_integral(tau: float) -> None:
    master, fa, fb, free_a, free_b = 2e3, 2e6, 5e6, 1e6, 3e6
    closed = pair_phase_noise(
        master_linewidth_hz=master,
        delay_s=tau,
        locking_bandwidth_a_hz=fa,
        locking_bandwidth_b_hz=fb,
        free_running_linewidth_a_hz=free_a,
        free_running_linewidth_b_hz=free_b,
    )
    common, own_a, own_b = _numerical_pair_variance(master, tau, fa, fb, free_a, free_b)
    assert closed.master_rad2 == pytest.approx(common, rel=1e-7)
    assert closed.residual_a_rad2 == pytest.approx(own_a, rel=1e-9)
    assert closed.residual_b_rad2 == pytest.approx(own_b, rel=1e-9)
    assert closed.total_rad2 == pytest.approx(common + own_a + own_b, rel=1e-9)
    swapped = pair_phase_noise(
        master_linewidth_hz=master,
        delay_s=-tau,
        locking_bandwidth_a_hz=fb,
        locking_bandwidth_b_hz=fa,
        free_running_linewidth_a_hz=free_b,
        free_running_linewidth_b_hz=free_a,
    )
    assert swapped.master_rad2 == pytest.approx(closed.master_rad2, rel=1e-12)


def test_pair_variance_limits() -> None:
    tau = 9.8e-8  # 20 m of fibre
    # Infinite locking bandwidths: the master's phase diffusion over the mismatch.
    ideal = pair_phase_noise(
        master_linewidth_hz=40.0,
        delay_s=tau,
        locking_bandwidth_a_hz=1e16,
        locking_bandwidth_b_hz=1e16,
        free_running_linewidth_a_hz=2e6,
        free_running_linewidth_b_hz=2e6,
    )
    assert ideal.master_rad2 == pytest.approx(
        laser_phase_variance(linewidth_hz=40.0, delay_s=tau), rel=1e-7
    )
    # No mismatch and equal bandwidths: the common noise cancels, the residuals remain.
    matched = pair_phase_noise(
        master_linewidth_hz=40.0,
        delay_s=0.0,
        locking_bandwidth_a_hz=2e8,
        locking_bandwidth_b_hz=2e8,
        free_running_linewidth_a_hz=2e6,
        free_running_linewidth_b_hz=1e6,
    )
    assert matched.master_rad2 == pytest.approx(0.0, abs=1e-18)
    assert matched.residual_a_rad2 == pytest.approx(2e6 / 4e8)
    assert matched.residual_b_rad2 == pytest.approx(1e6 / 4e8)
    # Equal bandwidths: 2 pi dnu (|tau| - (1 - exp(-l |tau|)) / l), l = 2 pi f_L.
    rate = 2 * math.pi * 3e6
    equal = pair_phase_noise(
        master_linewidth_hz=40.0,
        delay_s=-tau,
        locking_bandwidth_a_hz=3e6,
        locking_bandwidth_b_hz=3e6,
        free_running_linewidth_a_hz=2e6,
        free_running_linewidth_b_hz=2e6,
    )
    expected = 2 * math.pi * 40.0 * (tau + math.expm1(-rate * tau) / rate)
    assert equal.master_rad2 == pytest.approx(expected, rel=1e-9)
    # Unequal bandwidths leave common noise even without mismatch.
    unequal = pair_phase_noise(
        master_linewidth_hz=40.0,
        delay_s=0.0,
        locking_bandwidth_a_hz=1e6,
        locking_bandwidth_b_hz=4e6,
        free_running_linewidth_a_hz=2e6,
        free_running_linewidth_b_hz=2e6,
    )
    assert unequal.master_rad2 > 0.0
    with pytest.raises(ValueError, match="delay_s"):
        pair_phase_noise(
            master_linewidth_hz=40.0,
            delay_s=math.inf,
            locking_bandwidth_a_hz=1e6,
            locking_bandwidth_b_hz=1e6,
            free_running_linewidth_a_hz=2e6,
            free_running_linewidth_b_hz=2e6,
        )
