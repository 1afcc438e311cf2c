"""Qt widgets, item models and dialogs: the only Qt importer besides app.py."""
