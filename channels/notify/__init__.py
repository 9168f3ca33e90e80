"""Mentions, notifications, e-mail when away and digest e-mails (issue 11).

- `mentions`: finding and checking `@[Name](user:ID)` in a message, re-rendering on rename.
- `notifications`: made inside the very write that posts a message (`record_message`), listed
  and marked read for their recipient only, with the settings each person keeps.
- `wire`: how a notification reads, for its recipient; never a pair's words.
- `away`: the one batched e-mail for someone who has been away.
- `digests`: the daily or weekly summary, claimed once per person and period.
"""
