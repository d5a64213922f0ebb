"""Shared set-up of the back-office benchmarks: a national-size registry, seeded fast."""
