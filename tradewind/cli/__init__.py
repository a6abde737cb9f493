"""The `tradewind` command line: one module per verb group, components imported lazily."""
