"""Turn rows into what templates and JSON show: dates, durations, colours."""
