"""The reconciliation maths: merged submissions and what each region publishes, recomputed."""
