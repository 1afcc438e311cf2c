"""One module per workflow: validation, transactions, permissions, audit."""
