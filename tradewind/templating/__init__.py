"""Jinja templating of operators' ``template_fields``, with Airflow's context names and macros."""

from tradewind.templating.environment import get_template_env
from tradewind.templating.literal import LiteralValue, literal
from tradewind.templating.render import render_template, render_template_fields

__all__ = [
    "LiteralValue",
    "get_template_env",
    "literal",
    "render_template",
    "render_template_fields",
]
