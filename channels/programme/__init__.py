"""The programme coordinators run: matching, communities, the menu, announcements, and the audit log of every coordinator action."""
