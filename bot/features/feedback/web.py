from bot.features.feedback import rollup  # noqa: F401
PAGES = ()
