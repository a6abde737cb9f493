"""dramatiq brokers with the few transport behaviours Tradewind needs (see each module)."""
