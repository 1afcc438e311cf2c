"""PDF reports built with matplotlib (Agg) and reportlab, imported only when asked for."""
