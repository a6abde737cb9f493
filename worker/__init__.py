"""The worker: consumes task messages from the queues it serves and runs tries."""
