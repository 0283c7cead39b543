"""Public entry points of the compiler."""
