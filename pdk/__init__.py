"""Process design kits: the Si3N4 comb platform and the InP transmitter platform."""
