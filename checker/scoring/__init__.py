"""Scoring: grades, the exact draw expectation, one evaluator per method, totals, gaps, rankings, plan. No I/O."""
