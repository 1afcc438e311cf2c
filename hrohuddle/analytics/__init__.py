"""Pure functions: run-chart rules, control charts, scale scoring, small-cell suppression."""
