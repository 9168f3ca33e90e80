"""Every SQL statement of Mentorspace, grouped by what it touches."""

from .channels import ChannelQueries
from .messages import MessageQueries
from .tasks import TaskQueries
from .users import UserQueries


class Queries(UserQueries, ChannelQueries, MessageQueries, TaskQueries):
    """All queries, run on `self.db`: a read connection for the store, the write one in a Tx."""


__all__ = ["Queries"]
