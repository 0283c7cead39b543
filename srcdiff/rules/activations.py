"""Activation functions: rules with no numpy function of their own."""

from __future__ import annotations

from srcdiff.rules.table import vjp_rule


@vjp_rule("sigmoid")
def sigmoid(g, ans, x):
    return g * ans * (1.0 - ans)


@vjp_rule("relu")
def relu(g, ans, x):
    return g * (x > 0)
