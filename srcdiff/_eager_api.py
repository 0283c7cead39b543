"""Public names of the eager runtime, re-exported by ``srcdiff``."""
