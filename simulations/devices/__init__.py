"""The devices of the chips and how each is simulated (:mod:`.defaults`), the drawn DBR laser's
cavity (:mod:`.dbr_cavity`) and a resolution-convergence helper (:mod:`.convergence`)."""
