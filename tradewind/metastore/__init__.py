"""The metastore: models, sessions, migrations, and the one state writer."""
