"""Running one task try: context, templates, timeout, XCom, callbacks, outlets, logs."""
