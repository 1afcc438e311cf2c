"""PDF reports built with reportlab (its charts its own vector graphics), imported only when
asked for."""
