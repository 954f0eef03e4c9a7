"""InP transmitter cells: DBR laser, phase/intensity modulators, VOA, MMIs, SSC, pads and the
deep-to-shallow etch transition.

Every public ``@gf.cell`` here is registered in ``qkdchip.pdk.inp.get_pdk()``.
"""

from qkdchip.components.inp.dbr_laser import dbr_laser
from qkdchip.components.inp.mmi import mmi1x2, mmi2x2
from qkdchip.components.inp.modulators import mzm, phase_modulator, voa
from qkdchip.components.inp.pads import pad_dc, pad_gsg
from qkdchip.components.inp.ssc import ssc_angled
from qkdchip.components.inp.transition import taper_deep_to_shallow

__all__ = [
    "dbr_laser",
    "mmi1x2",
    "mmi2x2",
    "mzm",
    "pad_dc",
    "pad_gsg",
    "phase_modulator",
    "ssc_angled",
    "taper_deep_to_shallow",
    "voa",
]
