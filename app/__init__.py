"""Specialist Studio: should a narrow, high-volume LLM task move to a small fine-tuned specialist?"""

__version__ = "0.1.0"
APP_NAME = "Specialist Studio"
