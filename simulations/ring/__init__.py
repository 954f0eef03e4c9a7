"""Ring resonators: meep cylindrical resonances, dispersion (D1, D2, D3, D_int), Q, coupling."""
