"""Social workers' reminders for their clients: consent, scheduling, delivery hooks."""
