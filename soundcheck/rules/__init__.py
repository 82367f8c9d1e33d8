"""Soundcheck's declarative rule language over facts: parsing (with paths in errors) and evaluation."""

from .evaluate import FactValue, Outcome, evaluate_rule, rule_horizon
from .parse import RuleError, fact_names, parse_rule

__all__ = ["FactValue", "Outcome", "RuleError", "evaluate_rule", "fact_names", "parse_rule", "rule_horizon"]
