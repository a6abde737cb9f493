"""Configuration: defaults in code < $TRADEWIND_HOME/tradewind.toml < TRADEWIND__SECTION__KEY."""

from tradewind.config.loader import load_settings, tradewind_home
from tradewind.config.settings import Settings

__all__ = ["Settings", "load_settings", "tradewind_home"]
