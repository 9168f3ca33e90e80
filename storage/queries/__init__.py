"""Every SQL statement of Mentorspace, grouped by what it touches."""

from .channels import ChannelQueries
from .messages import MessageQueries
from .users import UserQueries


class Queries(UserQueries, ChannelQueries, MessageQueries):
    """All queries, run on `self.db`: a read connection for the store, the write one in a Tx."""


__all__ = ["Queries"]
