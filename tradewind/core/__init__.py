"""The pure core: plain data in, decisions out; no I/O, no imports of SQLAlchemy or dramatiq."""
