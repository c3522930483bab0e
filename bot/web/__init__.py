"""The HTTP side of `run_bot.py serve`."""
