"""The scheduler: the only decider of what runs next."""
