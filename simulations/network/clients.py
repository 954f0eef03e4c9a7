"""The client chips of a network: drawn from the wafer-yield Monte Carlo, named, with lasers.

* :func:`chip_pool`: every die of some simulated InP wafers as client-chip metrics.
* :func:`pool_clients`: those dies as :class:`~qkdchip.simulations.network.model.ClientChip`.
* :func:`tested_clients`: the chips a network deploys, drawn among the dies that pass.
* :func:`network_clients`: a network's nominal, deployed and pool chips.
* :func:`client_name`: ``A1, B1, A2, B2, ...`` (pair i is clients 2i and 2i+1).
* :func:`drawn_laser_cavity`: the cavity of the drawn DBR laser with its simulated grating.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from qkdchip.circuits.inventory import sequence_count
from qkdchip.components.designs import DbrLaserDesign
from qkdchip.records import Record
from qkdchip.simulations.devices.dbr_cavity import DbrCavity, dbr_cavity
from qkdchip.simulations.network.injection_locking import SlaveLaser
from qkdchip.simulations.network.model import ClientChip

if TYPE_CHECKING:
    from qkdchip.simulations.fdtd.grating import GratingResult
    from qkdchip.simulations.wafer_yield.clients import ClientChipMetrics
    from qkdchip.simulations.wafer_yield.engine import YieldModel

PHASE_MODULATORS_USED = sequence_count("phase_modulator")
"""Phase modulators the pulse sequence drives (PM I and PM ref, from the chip's inventory)."""


def client_name(index: int) -> str:
    """Name of client ``index`` (0-based): A1, B1, A2, B2, ... (pairs are A_i, B_i)."""
    if index < 0:
        raise ValueError(f"index={index!r} must be >= 0")
    return f"{'AB'[index % 2]}{index // 2 + 1}"


@dataclass(frozen=True)
class ChipPool(Record):
    """Client-chip metrics of every die of some simulated wafers (one entry per die).

    Attributes:
        wafer: index of the die's wafer.
        frequency_error_ghz: the signal laser's Bragg frequency minus the target line, GHz.
        tuning_range_ghz: the signal laser's tuning reach, GHz.
        extinction_ratio_db: the worst intensity modulator's extinction ratio, dB.
        working: whether the chip can run the protocol (:func:`runs_protocol`).
        chip_pass: whether the chip passes every wafer test.
    """

    wafer: tuple[int, ...]
    frequency_error_ghz: tuple[float, ...]
    tuning_range_ghz: tuple[float, ...]
    extinction_ratio_db: tuple[float, ...]
    working: tuple[bool, ...]
    chip_pass: tuple[bool, ...]


def chip_pool(*, seed: int, model: YieldModel | None = None, n_wafers: int = 4) -> ChipPool:
    """Every die of ``n_wafers`` simulated InP wafers, as client-chip metrics for the network.

    The chips come from :func:`~qkdchip.simulations.wafer_yield.clients.draw_client_chips`.
    Per die: its wafer, the signal laser's frequency error (its DBR Bragg frequency minus the
    target comb line, GHz) and tuning reach (GHz), the worst intensity modulator's extinction
    ratio (dB), whether the chip can run the protocol (:func:`runs_protocol`) and whether it
    passes every wafer test.
    """
    from qkdchip.platforms import INP
    from qkdchip.simulations.wafer_yield.clients import draw_client_chips
    from qkdchip.simulations.wafer_yield.engine import YieldModel

    model = model if model is not None else YieldModel.build(INP)
    chips = draw_client_chips(
        n_wafers * model.grid.n_dies, np.random.default_rng(seed + 1), model=model
    )
    return ChipPool(
        wafer=tuple(chips.wafer_index.tolist()),
        frequency_error_ghz=tuple(chips.laser_bragg_error_ghz[:, 0].tolist()),
        tuning_range_ghz=tuple(chips.laser_tuning_reach_ghz[:, 0].tolist()),
        extinction_ratio_db=tuple(np.min(chips.im_extinction_ratio_db, axis=-1).tolist()),
        working=tuple(runs_protocol(chips).tolist()),
        chip_pass=tuple(chips.chip_pass.tolist()),
    )


def runs_protocol(chips: ClientChipMetrics) -> np.ndarray:
    """Chips whose killer defects leave the protocol runnable (parametric spread aside).

    The network model takes the parametric spread (laser frequency error, extinction ratio) as
    physics; a killer defect on a laser, an intensity modulator or a VOA stops the chip, and of
    the phase modulators (PM I and PM II sit in series and add their phases) as many must be
    intact as the pulse sequence drives (:data:`PHASE_MODULATORS_USED`).
    """
    defect = chips.killer_defect
    stopped = np.zeros(chips.n_chips, dtype=bool)
    for kind in ("dbr_laser", "intensity_modulator", "voa"):
        stopped |= defect[kind].any(axis=-1)
    pms = defect["phase_modulator"]
    stopped |= (pms.shape[-1] - pms.sum(axis=-1)) < PHASE_MODULATORS_USED
    return ~stopped


def pool_clients(pool: ChipPool, *, laser: SlaveLaser, coupling_loss_db: float) -> list[ClientChip]:
    """Every die of a :func:`chip_pool` as a client chip, named ``die<i>``.

    Each die's laser is ``laser`` with the die's tuning reach; its frequency error and worst
    extinction ratio come from the pool.
    """
    out = []
    columns = zip(
        pool.frequency_error_ghz,
        pool.tuning_range_ghz,
        pool.extinction_ratio_db,
        pool.working,
        strict=True,
    )
    for i, (err, reach, er, working) in enumerate(columns):
        out.append(
            ClientChip(
                name=f"die{i}",
                laser=replace(laser, tuning_range_hz=float(reach) * 1e9),
                frequency_error_hz=float(err) * 1e9,
                extinction_ratio_db=float(min(max(er, 0.1), 100.0)),
                coupling_loss_db=coupling_loss_db,
                working=bool(working),
            )
        )
    return out


def drawn_laser_cavity(grating: GratingResult, *, laser: DbrLaserDesign | None = None) -> DbrCavity:
    """The cavity of the transmitter's drawn DBR laser with the simulated grating's κ and n_g.

    Args:
        grating: the simulated grating of the devices stage.
        laser: the drawn laser (default ``DbrLaserDesign()``).
    """
    return dbr_cavity(
        laser=laser or DbrLaserDesign(),
        kappa_per_m=grating.kappa_per_m,
        group_index=grating.n_group,
    )


def tested_clients(
    pool: list[ClientChip], *, passes: np.ndarray, first_wafer: np.ndarray, n: int, seed: int
) -> list[ClientChip]:
    """``n`` chips drawn at random among the first wafer's dies that pass (``passes``).

    With too few passing dies every one is deployed and failing dies of that wafer fill the
    remaining places, marked not working: their pairs get no key, with that reason.
    """
    tested = np.flatnonzero(passes & first_wafer)
    if len(tested) >= n:
        pick = np.random.default_rng(seed).choice(tested, size=n, replace=False)
        return [replace(pool[int(j)], name=client_name(k)) for k, j in enumerate(pick)]
    failing = np.flatnonzero(~passes & first_wafer)[: n - len(tested)]
    return [
        replace(pool[int(j)], name=client_name(k), working=bool(passes[j]) and pool[j].working)
        for k, j in enumerate((*tested, *failing))
    ]


@dataclass(frozen=True)
class NetworkClients:
    """The client chips of a network.

    Attributes:
        nominal: ``n`` nominal chips (A1, B1, ...), for the distance sweep.
        deployed: the ``n`` chips the network runs: drawn among the first wafer's passing dies
            of the pool (a tested set, as an operator deploys), or the nominal ones without a
            pool.
        pool: every die of the pool as a client chip (empty without a pool).
        wafer: the pool dies' wafer indices.
    """

    nominal: tuple[ClientChip, ...]
    deployed: tuple[ClientChip, ...]
    pool: tuple[ClientChip, ...]
    wafer: np.ndarray


def network_clients(
    *,
    n: int,
    laser: SlaveLaser,
    extinction_ratio_db: float,
    coupling_loss_db: float,
    pool: ChipPool | None,
    seed: int,
) -> NetworkClients:
    """The nominal, deployed and pool chips of a network of ``n`` clients.

    Args:
        n: number of clients.
        laser: every chip's slave laser (the drawn DBR laser).
        extinction_ratio_db: the nominal chips' intensity-modulator extinction ratio, dB.
        coupling_loss_db: fibre-to-chip coupling loss of every chip, dB.
        pool: the yield Monte Carlo's dies, or None for nominal chips only.
        seed: seed of the draw of the deployed chips.
    """
    nominal = tuple(
        ClientChip(
            name=client_name(k),
            laser=laser,
            extinction_ratio_db=extinction_ratio_db,
            coupling_loss_db=coupling_loss_db,
        )
        for k in range(n)
    )
    if pool is None:
        return NetworkClients(nominal, nominal, (), np.zeros(0, dtype=int))
    dies = pool_clients(pool, laser=laser, coupling_loss_db=coupling_loss_db)
    wafer = np.asarray(pool.wafer, dtype=int)
    deployed = tested_clients(
        dies, passes=np.asarray(pool.chip_pass, dtype=bool), first_wafer=wafer == 0, n=n, seed=seed
    )
    return NetworkClients(nominal, tuple(deployed), tuple(dies), wafer)
