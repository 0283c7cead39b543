"""``autograd.Function``: user-defined ops with their own forward and backward."""
