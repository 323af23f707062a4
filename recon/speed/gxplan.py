"""Great Expectations' plan for validating a suite, made once per suite rather than once per validation.

Before it computes anything, GX plans: for every expectation it works out the metrics it needs and what each
of them depends on (``Validator._generate_metric_dependency_subgraphs_for_each_expectation_configuration``),
some hundreds of metric configurations per suite, each with an id hashed from its keywords. The plan is made
of the expectations' configurations (after the suite's parameters are put in), the result format and the
batch's id — never of the data: the same suite validated on another frame under the same batch definition
gets the same plan. A :class:`~recon.rules.gx.Rules` validates its fixed suites, with fixed parameters, on
a new frame for every upload, so within :func:`kept` each plan is made once, kept in the ``plans`` the Rules
hands in (it lives as long as the Rules) and given again.

What is kept is read-only afterwards: GX resolves the metrics of a plan into a dictionary of its own per
validation and only reads the plan's graphs and configurations. The two lists GX appends to or removes from
during a validation (the configurations cleared for validation, and the early results) are handed out as
fresh copies each time. A plan whose making raised (GX then returns results for the expectations it could
not plan) is not kept.

This module does not import GX: :mod:`recon.rules.gx` hands in the Validator class.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

PLAN = "_generate_metric_dependency_subgraphs_for_each_expectation_configuration"


def planned(original, plans: dict):
    """``Validator.<PLAN>`` keeping each plan in ``plans`` under what it is made of."""

    def plan(self, expectation_configurations, processed_configurations, catch_exceptions,
             runtime_configuration=None):
        ids = tuple(c.id for c in expectation_configurations)
        key = (ids, repr(runtime_configuration), self.active_batch_id)
        kept = plans.get(key) if None not in ids else None
        if kept is None:
            graphs, early, processed = original(
                self, expectation_configurations=expectation_configurations,
                processed_configurations=processed_configurations, catch_exceptions=catch_exceptions,
                runtime_configuration=runtime_configuration)
            if not early and None not in ids:
                plans[key] = (list(graphs), list(processed))
            return graphs, early, processed
        graphs, processed = kept
        processed_configurations.extend(processed)
        return list(graphs), [], processed_configurations

    return plan


@contextmanager
def kept(validator_cls, plans: dict) -> Iterator[None]:
    """Within the block, ``validator_cls`` (GX's Validator) plans each suite once into ``plans``."""
    original = validator_cls.__dict__[PLAN]
    setattr(validator_cls, PLAN, planned(original, plans))
    try:
        yield
    finally:
        setattr(validator_cls, PLAN, original)
