"""The one derivative table both the compiler and the eager engine read."""

from srcdiff.rules import activations, elementwise, indexing, linalg, reductions, shape  # noqa: F401  (registers)
from srcdiff.rules.helpers import unbroadcast, unbroadcast_like
from srcdiff.rules.table import RULES, Rule, rule_for, vjp_rule

__all__ = ["RULES", "Rule", "rule_for", "unbroadcast", "unbroadcast_like", "vjp_rule"]
