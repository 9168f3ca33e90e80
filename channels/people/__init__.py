"""People: accounts, passwords and sessions, the accounts coordinators manage, invitation and reset links, importing, and the mails they cause."""
