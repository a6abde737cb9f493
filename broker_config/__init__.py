"""Brokers from URLs, queue routing, the task-message schema and queue statistics."""
