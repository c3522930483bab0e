"""Which labelled sets of bench/data the search's models learn from — one list for all three fits.

Held-out sets 1-6 joined after each was measured once (bench/data/README.md); the training sets were
written as such, after one measurement of the engine of their day. Held-out sets 7-14 are not training data,
and a new held-out set must never be listed here.
"""

# Services (and life situations), with the off-topic messages, junk and near misses written beside them.
SEARCH = ["search_devset.yaml", "search_heldout.yaml", "search_dev_hard.yaml", "search_dev_newkb.yaml",
          "search_dev_newservices.yaml", "search_heldout_2.yaml", "search_heldout_3.yaml",
          "search_heldout_4.yaml", "search_heldout_5.yaml", "search_heldout_6.yaml",
          "search_train_1.yaml", "search_train_2.yaml", "search_train_3.yaml", "search_train_4.yaml",
          "search_train_5.yaml", "search_train_6.yaml"]
OFF_TOPIC = ["search_offtopic_dev.yaml", "search_offtopic_dev2.yaml"]  # messages that expect nothing, and intents
INTENTS = ["search_intents_dev.yaml", "search_intents_dev2.yaml"]  # questions about the CNAP, the bot, a person
