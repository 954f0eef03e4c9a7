"""Scenario files (TOML) describing whole network studies, and their validating loader.

A scenario is one TOML file; ``qkdchip run --scenario NAME|FILE`` takes a shipped name
(``weiming``) or a path. Top-level keys ``name`` (required; letters, digits, ``-``, ``_``),
``description`` and ``seed``; then optional tables, each defaulting to the reference values:

``[network]``      clients, channels (clients = 2 x channels), pair_distances_km (list; upstream
                   split equally), operation (``sequential`` | ``sequential-parallel`` |
                   ``simultaneous``), downstream_km, seed_in_backbone, sweep_max_km,
                   sweep_points, classical_power_dbm; ``[[network.pair]]`` entries (pair,
                   alice_downstream_km, bob_downstream_km) override single pairs.
``[fibre]``        loss_db_per_km, group_index.
``[server]``       detector_efficiency, dark_count_rate_hz, gate_s, max_count_rate_hz,
                   receiver_loss_db, demux_loss_db, filter_bandwidth_nm, demux_isolation_db.
``[protocol]``     name (``sns`` | ``sns-aopp``), n_pulses (number or ``"asymptotic"``),
                   repetition_rate_hz, ec_efficiency, phase_slice_rad, bound, phase_slices.
``[phase]``        sampling_rate_hz, reference_duty, predictor (``hold`` | ``linear``),
                   reference_drift_rad_per_ms, differential_drift_rad_per_ms,
                   drift_correlation_ms, drift_reference_length_km, drift_length_exponent,
                   differential_window_ms, reference_photons_per_pulse, path_mismatch_m.
``[interference]`` polarisation_extinction_db, timing_jitter_ps, pulse_fwhm_ps,
                   intensity_imbalance_db, splitter_transmission.
``[comb]``         source (``simulated``), pump (``sil`` | ``swept``), line_linewidth_hz,
                   min_line_power_dbm, pump_power_w.
``[wdm]``          plan, spacing_ghz, anchor_thz, passband_half_width_ghz, stopband_edge_ghz.
``[transmitter]``  source (``yield`` | ``nominal``), extinction_ratio_db, coupling_loss_db;
                   ``[transmitter.laser]`` output_power_dbm, alpha_factor,
                   free_running_linewidth_hz, tuning_range_hz (the cavity follows from the
                   drawn laser and its simulated grating).
``[yield]``        wafers, draws.
``[design.<device>]`` the drawn devices' design records (laser, intensity_modulator,
                   phase_modulator, voa, mmi, ssc, ring).

Unknown tables or keys, wrong types and out-of-range values raise ``ValueError`` naming the
file, ``[section] key`` and the allowed range.
"""

from qkdchip.scenarios.loader import list_scenarios, load_scenario, scenario_from_dict
from qkdchip.scenarios.schema import Scenario

__all__ = ["Scenario", "list_scenarios", "load_scenario", "scenario_from_dict"]
