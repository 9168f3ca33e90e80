"""Every SQL statement of Mentorspace, grouped by what it touches."""

from .audit import AuditQueries
from .channels import ChannelQueries
from .feedback import FeedbackQueries
from .files import FileQueries
from .flags import FlagQueries
from .goals import GoalQueries
from .library import LibraryQueries
from .locks import LockQueries
from .messages import MessageQueries
from .notify import NotifyQueries
from .outbox import OutboxQueries
from .programme import ProgrammeQueries
from .questionnaires import QuestionnaireQueries
from .research import ResearchQueries
from .search import SearchQueries
from .tasks import TaskQueries
from .tokens import TokenQueries
from .users import UserQueries


class Queries(
    UserQueries,
    ChannelQueries,
    MessageQueries,
    TaskQueries,
    TokenQueries,
    OutboxQueries,
    AuditQueries,
    ProgrammeQueries,
    NotifyQueries,
    SearchQueries,
    LibraryQueries,
    FileQueries,
    FeedbackQueries,
    FlagQueries,
    GoalQueries,
    QuestionnaireQueries,
    ResearchQueries,
    LockQueries,
):
    """All queries, run on `self.db`: a read connection for the store, the write one in a Tx."""


__all__ = ["Queries"]
