"""The rows storage hands upward: plain frozen dataclasses, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    password_hash: str | None
    expertise: str
    bio: str
    disabled: bool
    created_at: str
    language: str = ""  # '' = the programme's (channels/languages.py)


@dataclass(frozen=True)
class Session:
    token_hash: str
    user_id: int
    created_at: str
    expires_at: str
    last_used_at: str = ""  # when idle_expires_at was last moved on
    idle_expires_at: str = ""  # the session ends here unless it is used before


@dataclass(frozen=True)
class Channel:
    id: int
    kind: str
    name: str
    topic: str
    last_seq: int
    archived: bool
    created_at: str


@dataclass(frozen=True)
class ChannelSummary:
    """A channel as one user sees it in a list: with their unread count and read position."""

    channel: Channel
    is_member: bool
    last_read_seq: int
    unread: int
    partner_id: int | None = None  # the other person, for a pair channel


@dataclass(frozen=True)
class Pair:
    id: int
    mentor_id: int
    mentee_id: int
    channel_id: int
    started_at: str
    ended_at: str | None


@dataclass(frozen=True)
class Reaction:
    emoji: str
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class Message:
    id: int
    channel_id: int
    author_id: int | None
    author_name: str | None
    thread_id: int | None
    kind: str
    body: str
    html: str
    client_id: str | None
    created_seq: int
    seq: int
    created_at: str
    edited_at: str | None
    deleted_at: str | None
    reply_count: int
    last_reply_at: str | None
    reactions: tuple[Reaction, ...] = field(default=())
    task: TaskState | None = None  # for a message of kind 'task'
    resource: ResourceCard | None = None  # for a message that shares a library resource
    goal: Goal | None = None  # for a goal's card in a pair channel
    questionnaire: QuestionnaireCard | None = None  # for a message of kind 'questionnaire'
    # whether the write that made it notified anyone (None: not known where it was loaded)
    notified: bool | None = None
    attachments: tuple[StoredFile, ...] = ()  # in the order they were attached
    notice: str | None = None  # a system message's notice (channels/chat/notices.py), JSON


@dataclass(frozen=True)
class StoredFile:
    """One upload: who sent which bytes (a blob in the file store) under which name, and
    what it is attached to.  An image has its size and, usually, a thumbnail blob."""

    id: int
    public_id: str
    uploader_id: int
    sha256: str
    size: int
    mime: str
    name: str
    created_at: str
    attached_at: str | None = None
    message_id: int | None = None
    position: int | None = None
    width: int | None = None
    height: int | None = None
    thumb_sha256: str | None = None
    thumb_size: int | None = None
    thumb_mime: str | None = None
    thumb_width: int | None = None
    thumb_height: int | None = None


@dataclass(frozen=True)
class Thumbnail:
    """A small picture of an image, kept as a blob of its own."""

    sha256: str
    size: int
    mime: str
    width: int
    height: int


@dataclass(frozen=True)
class TaskState:
    """What a task message carries besides its body: its title, due date and done state."""

    title: str
    due_at: str | None
    late: bool
    done_at: str | None
    done_by_id: int | None
    done_by_name: str | None


@dataclass(frozen=True)
class TaskTemplate:
    id: int
    title: str
    body: str
    due_days: int | None
    created_by: int
    created_at: str
    updated_at: str
    deleted_at: str | None


@dataclass(frozen=True)
class TaskSchedule:
    """A schedule as stored; `channels.tasks.rules` turns it into a rule and a target."""

    id: int
    template_id: int
    kind: str
    at: str | None
    pair_day: int | None
    weekday: int | None
    time_of_day: str | None
    until: str | None
    target: str
    target_pairs: tuple[int, ...]
    started_from: str | None
    started_until: str | None
    state: str
    active_from: str
    created_by: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class TaskOccurrence:
    """One posted task: which schedule, which pair, and its state.  Never any content."""

    id: int
    schedule_id: int
    template_id: int
    pair_id: int
    channel_id: int
    occurrence: str
    scheduled_at: str
    posted_at: str
    late: bool
    message_id: int | None
    title: str
    due_at: str | None
    done_at: str | None
    done_by: int | None
    reminded_at: str | None


@dataclass(frozen=True)
class TaskCounts:
    """How far the pairs are with one task: pairs that have it, and its occurrences posted,
    done and overdue."""

    pairs: int = 0
    posted: int = 0
    done: int = 0
    overdue: int = 0


# Programme administration: links, mail, the audit log, the menu, activity.
@dataclass(frozen=True)
class AccountToken:
    token_hash: str
    user_id: int
    purpose: str  # 'invitation', 'reset' or 'email' (confirms a new address)
    created_at: str
    expires_at: str
    used_at: str | None
    new_email: str | None = None  # for 'email': the address it confirms


@dataclass(frozen=True)
class OutgoingMail:
    id: int
    recipient: str
    subject: str
    message: str
    created_at: str
    attempts: int
    next_attempt_at: str
    sent_at: str | None
    failed_at: str | None
    last_error: str | None


@dataclass(frozen=True)
class Feedback:
    """A piece of feedback: which message of whose coordinator line, and where it stands."""

    id: int
    user_id: int
    user_name: str
    user_role: str
    channel_id: int
    message_id: int
    category: str  # 'question', 'problem', 'idea', 'other'
    status: str  # 'new', 'answered', 'closed'
    created_at: str
    answered_at: str | None
    closed_at: str | None


@dataclass(frozen=True)
class MessageFlag:
    """A reported message: who reported it, a copy of it as it was then (text, author, where),
    the reporter's note, and where it stands on the coordinators' list.  `pair_id` and
    `pair_ended_at` name the pair whose channel it was written in (None elsewhere), and
    `author_role` and `author_disabled` the author's account now, for what coordinators can do."""

    id: int
    reporter_id: int
    reporter_name: str
    reporter_role: str
    message_id: int | None
    channel_id: int | None
    channel_kind: str
    channel_name: str
    author_id: int | None
    author_name: str
    author_role: str | None
    author_disabled: bool
    body: str
    html: str
    written_at: str
    note: str
    line_channel_id: int
    line_message_id: int
    status: str  # 'new', 'handled'
    created_at: str
    handled_at: str | None
    pair_id: int | None
    pair_ended_at: str | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: int | None
    summary: str  # in English
    created_at: str
    summary_words: str | None = None  # its template and parameters (JSON), to translate


@dataclass(frozen=True)
class MenuItem:
    item: str  # a built-in item, or 'link'
    label: str
    url: str | None
    visible: bool


@dataclass(frozen=True)
class PairActivity:
    """How active a pair is, as numbers only: never what was said."""

    pair_id: int
    messages_total: int
    weekly: tuple[int, ...]  # messages in each of the last weeks, this week first
    last_activity_at: str | None


@dataclass(frozen=True)
class CommunityListing:
    channel_id: int
    name: str
    topic: str
    archived: bool
    member_count: int
    is_member: bool


# Mentions, notifications, away e-mails and digests (issue 11).
# Channels whose words stay in them: never in an e-mail, a digest, or a notification's excerpt;
# only who and how many.  The policy (channels/policy.py) and the notification queries share it.
PRIVATE_CHANNEL_KINDS = frozenset({"pair", "coordinator_line"})


@dataclass(frozen=True)
class Notification:
    """One line of a person's list, with what is needed to say it.  `excerpt` is the start of
    the message for channels other than pairs, and always None for a pair channel: storage
    never hands a pair's words to this path."""

    id: int
    user_id: int
    kind: str
    channel_id: int | None
    channel_kind: str | None
    channel_name: str | None
    message_id: int | None
    thread_id: int | None
    actor_id: int | None
    actor_name: str | None
    count: int
    created_at: str
    updated_at: str
    read_at: str | None
    mailed_at: str | None
    excerpt: str | None = None
    resource_id: int | None = None  # 'resource': the library resource it announces
    resource_title: str | None = None
    line_owner_id: int | None = None  # a coordinator line's: whose line it is
    satisfaction_id: int | None = None  # 'satisfaction': the request it asks to answer
    questionnaire_id: int | None = None  # 'questionnaire': the one waiting for an answer
    questionnaire_title: str | None = None


@dataclass(frozen=True)
class NotificationPrefs:
    user_id: int
    muted: frozenset[str]
    digest: str  # 'daily', 'weekly' or 'never'
    away_mail: bool
    unsubscribed_at: str | None
    last_seen_at: str | None


@dataclass(frozen=True)
class DigestThread:
    """A lively top-level message of a lounge or community, for a digest (never a pair's)."""

    message_id: int
    channel_id: int
    channel_name: str
    author_name: str | None
    body: str
    replies: int
    reactions: int
    created_at: str


# Search (storage/queries/search.py): the engine-neutral query and what comes back.

# Around each match in a hit's snippet; the domain escapes the text, then marks the matches.
SNIPPET_START, SNIPPET_END = "\x02", "\x03"


@dataclass(frozen=True)
class SearchTerm:
    """Words that must appear together and in this order (a phrase, or a single word); with
    `prefix`, the last word may be the start of a longer one.  Every term of a search must
    match.  Words are plain text: each engine quotes them for its own query language."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class SearchPosition:
    """Where a page of hits ended: the last hit's score and message id.  The next page starts
    after it in the ranking (score ascending, then newest first)."""

    score: float
    message_id: int


@dataclass(frozen=True)
class MessageHit:
    """A message that matches a search, with a snippet of its text (the matches between
    SNIPPET_START and SNIPPET_END) and its score: lower ranks first."""

    message_id: int
    channel_id: int
    channel_name: str
    channel_kind: str
    thread_id: int | None
    author_id: int | None
    author_name: str | None
    kind: str
    created_at: str
    seq: int
    snippet: str
    score: float


@dataclass(frozen=True)
class FileHit:
    """A file attached to a message, found by its name: where it was sent."""

    file: StoredFile
    channel_id: int
    channel_name: str
    channel_kind: str
    thread_id: int | None


@dataclass(frozen=True)
class LibraryFolder:
    id: int
    parent_id: int | None
    name: str
    audience: str  # 'everyone', 'mentors', 'mentees' or 'coordinators'
    position: int
    created_at: str


@dataclass(frozen=True)
class Resource:
    """A link or a file in a library folder."""

    id: int
    folder_id: int | None  # None once removed and its folder deleted
    title: str
    description: str
    url: str | None
    file_id: str | None
    position: int
    created_by: int | None
    created_at: str
    updated_at: str
    removed_at: str | None


@dataclass(frozen=True)
class ResourceCard:
    """What a message that shares a resource shows of it, the same for every reader: whether
    a reader may open it is decided when they open it."""

    id: int
    title: str
    description: str
    audience: str
    removed: bool


@dataclass(frozen=True)
class ResourceUse:
    """How many times a resource was opened by one role in one week: counts, never people."""

    resource_id: int
    week: str
    role: str
    opened: int


# Goals and satisfaction (issue 12).  A goal's words are pair content: storage hands them to
# the pair's own reads only; coordinators get `GoalCounts`.
@dataclass(frozen=True)
class Milestone:
    id: int
    goal_id: int
    title: str
    position: int
    done_at: str | None
    done_by: int | None


@dataclass(frozen=True)
class Goal:
    """A pair's goal with its milestones in order, and the message that is its card."""

    id: int
    pair_id: int
    channel_id: int
    title: str
    status: str  # 'not_started', 'in_progress', 'achieved' or 'dropped'
    position: int
    created_by: int | None
    created_at: str
    updated_by: int | None
    updated_by_name: str | None
    updated_at: str
    message_id: int | None
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class GoalCounts:
    """How many goals a pair has, by status, and its milestones: numbers, never words."""

    pair_id: int
    goals: int = 0
    not_started: int = 0
    in_progress: int = 0
    achieved: int = 0
    dropped: int = 0
    milestones: int = 0
    milestones_done: int = 0


@dataclass(frozen=True)
class SatisfactionAnswer:
    """One person asked: their scores and comment once they answered (None before)."""

    request_id: int
    user_id: int
    user_name: str
    role: str  # 'mentor' or 'mentee', in the pair
    relationship: int | None
    progress: int | None
    comment: str
    answered_at: str | None
    changed_at: str | None


@dataclass(frozen=True)
class SatisfactionRequest:
    id: int
    pair_id: int
    channel_id: int
    reason: str  # 'pair_ended' or 'coordinator'
    requested_by: int | None
    opened_at: str
    closes_at: str
    closed_at: str | None
    closed_by: int | None
    answers: tuple[SatisfactionAnswer, ...] = ()


@dataclass(frozen=True)
class ScoreCount:
    """How many answers gave `score` to `question` ('relationship' or 'progress'), by role."""

    question: str
    role: str
    score: int
    count: int


# Questionnaires (issue 12): storage/queries/questionnaires.py


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire as stored; its assignment fields are all None while it is a draft.
    `channels.questionnaires.audience` turns roles and target into who is asked."""

    id: int
    title: str
    intro: str
    anonymous: bool
    assigned_at: str | None
    roles: tuple[str, ...]
    target: str | None
    target_pairs: tuple[int, ...]
    started_from: str | None
    started_until: str | None
    opens_at: str | None
    closes_at: str | None
    created_by: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Question:
    id: int
    questionnaire_id: int
    position: int
    kind: str  # 'single', 'multiple', 'scale', 'short_text' or 'long_text'
    prompt: str
    options: tuple[str, ...]  # the choices; for 'scale' the words for 1 and 5 (may be "")
    required: bool


@dataclass(frozen=True)
class QuestionnaireCard:
    """What a questionnaire's card in a channel shows, the same in every channel and for every
    reader: never who answered."""

    id: int
    title: str
    anonymous: bool
    closes_at: str | None


@dataclass(frozen=True)
class AnswerSet:
    """One person's answers ({question id: answer}).  `user_id` and the times are None for an
    anonymous answer, whose storage holds neither."""

    answers: dict[str, object]
    user_id: int | None = None
    answered_at: str | None = None
    changed_at: str | None = None


# Research (issue 12): storage/queries/research.py.  Numbers only: no words, no names.


@dataclass(frozen=True)
class ConsentDecision:
    consented: bool
    decided_at: str


@dataclass(frozen=True)
class UsageCell:
    """How many consenting people used `feature` in `week` (its Monday), and how often."""

    week: str
    feature: str
    role: str
    people: int
    uses: int


@dataclass(frozen=True)
class PairWeek:
    pair_id: int
    week: str
    messages: int


@dataclass(frozen=True)
class TaskWeek:
    week: str
    pairs: int
    posted: int
    done: int


@dataclass(frozen=True)
class StatusCount:
    status: str
    goals: int
    pairs: int


@dataclass(frozen=True)
class FeedbackWait:
    week: str
    seconds: float | None
