"""The domain of Mentorspace: channel kinds and the access policy, accounts, messages and
threads, as plain dataclasses and async functions that take a store and a user.

Nothing here knows about HTTP or socket.io; `server/` parses requests, calls these functions,
and tells connected clients what changed after the commit.
"""
