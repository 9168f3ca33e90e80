"""Background runners: the scheduler and the mail sender, on one shared loop."""
