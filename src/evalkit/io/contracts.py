"""Data contracts: the one place that says what each input file holds.

Everything else (loading, validation, the synthetic generator, the data dictionary) reads these
definitions, so a change to a file's columns is made here and nowhere else.

The built-in questionnaire files (``discomfort``, ``stss``, ``proqol``) are declared here too, and
only here: their instrument specs (:mod:`evalkit.scales.builtin`) read their id column, waves,
item columns and answer range from these contracts and hand them back as
``Instrument.contract()``. A programme's own instruments have no entry here: their contract is
made from their spec.

Column kinds
------------
``id``         pseudonymous identifier: no spaces, at most 64 characters
``id_list``    identifiers joined by ";" (e.g. the facilitators of a session)
``category``   one of a fixed set of labels
``label``      short free label chosen by the programme (a module name, a survey wave)
``title``      short descriptive title from the curriculum (not personal data)
``int``        whole number within ``[minimum, maximum]``
``item``       questionnaire answer: whole number 1-5, blank when not answered
``bool``       ``true`` or ``false``
``date``       calendar date ``YYYY-MM-DD``, real and not in the future
``month``      calendar month ``YYYY-MM``, not in the future
"""

from __future__ import annotations

from dataclasses import dataclass

ID_MAX_LENGTH = 64
#: Whole numbers longer than this many digits are out of range in every column: they cannot be
#: counts, weeks or minutes, and beyond 18 digits they would not fit a 64-bit integer.
INT_MAX_DIGITS = 15


@dataclass(frozen=True)
class Column:
    """One column of an input file.

    Parameters
    ----------
    name
        The column's header in the file.
    kind
        One of the column kinds listed at the top of this module (``id``, ``date``, ...).
    description
        What the column holds, for the data dictionary.
    categories
        The allowed labels, for kind ``category``.
    minimum, maximum
        The allowed range, for kinds ``int`` and ``item`` (None: no bound).
    required
        The column must be present in the file.
    nullable
        Blank cells are allowed.
    references
        ``(file, column)`` that every value must exist in, when that file is present.
    checked_as_label
        For an ``id`` a programme makes up itself (a cohort code): its values are also checked
        with the rules for labels, so a code built from a name and a date of birth is refused.
    recoded
        For an ``id`` a programme makes up itself: ``pseudonymise`` replaces it by a keyed code
        (cohort codes, and session ids, which are often a cohort code and a week).

    Examples
    --------
    >>> col = CONTRACTS["sessions"].column("programme_week")
    >>> col.kind, col.minimum, col.nullable
    ('int', 1, False)
    """

    name: str
    kind: str
    description: str
    categories: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    required: bool = True
    nullable: bool = False
    references: tuple[str, str] | None = None
    checked_as_label: bool = False
    recoded: bool = False


@dataclass(frozen=True)
class FileContract:
    """One input file: its columns, its unique key and what it describes.

    Parameters
    ----------
    name
        The file's name without ``.csv`` (also its sheet name in a workbook).
    description
        What one row is, for the data dictionary.
    columns
        Every column the file may have, in the order the data dictionary lists them.
    key
        Columns whose values together appear at most once (empty: no key).
    optional
        The file may be missing even when the others are present.
    rules
        Plain-language cross-column rules checked by the loader (for the data dictionary).
    requires
        Files that must be present with this one, because its rows mean nothing without them.
    dated_by
        For a file with no dates of its own: the column whose referenced rows carry its dates
        (the register is dated by its sessions). Empty: the file has no dates.

    Examples
    --------
    >>> contract = CONTRACTS["attendance"]
    >>> contract.filename, contract.key, contract.requires, contract.dated_by
    ('attendance.csv', ('participant_id', 'session_id'), ('participants', 'sessions'), 'session_id')
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    optional: bool = False
    rules: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    dated_by: str = ""

    def __post_init__(self):
        if self.dated_by and (self.dated_by not in self.column_names
                              or self.column(self.dated_by).references is None):
            raise ValueError(f"{self.name}: dated_by names {self.dated_by!r}, which is not a "
                             "column referring to another file")

    @property
    def filename(self) -> str:
        """The file's name in a data folder, ``<name>.csv``."""
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        """The names of every column, in contract order."""
        return tuple(c.name for c in self.columns)

    @property
    def date_columns(self) -> tuple[str, ...]:
        """The names of the columns holding dates or months, in contract order."""
        return tuple(c.name for c in self.columns if c.kind in ("date", "month"))

    def column(self, name: str) -> Column:
        """The column called ``name``.

        Parameters
        ----------
        name
            A column name of this file.

        Returns
        -------
        Column
            Its contract.

        Raises
        ------
        KeyError
            When the file has no such column.

        Examples
        --------
        >>> CONTRACTS["attendance"].column("status").categories[:2]
        ('attended', 'late')
        """
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


# --- enumerations (labels used in files, code and result tables) -------------------------------

REFERRAL_ROUTES = ("court_mandated", "probation", "childrens_services", "self", "other")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+", "unknown")
EXIT_REASONS = ("completed", "withdrew", "excluded", "moved_away", "custody", "ongoing", "other")
DELIVERY_MODES = ("group", "individual")
ATTENDANCE_STATUSES = ("attended", "late", "left_early", "absent_notified", "absent_unnotified")
PRESENT_STATUSES = ("attended", "late", "left_early")
GENDERS = ("woman", "man", "non_binary", "prefer_not_to_say")
ROLES = ("facilitator", "supervisor", "partner_support", "manager")
EXPERIENCE_BANDS = ("<1", "1-2", "3-5", "6-10", "10+")
SUPERVISION_FREQUENCIES = ("weekly", "fortnightly", "monthly", "less_than_monthly", "none")
DISCOMFORT_WAVES = ("pre", "post", "follow_up")
SUPERVISION_KINDS = ("individual", "group", "co_worker_check_in")
EVENT_TYPES = (
    "message_sent",
    "response_received",
    "meeting_scheduled",
    "meeting_held",
    "meeting_missed",
    "demand_set",
    "demand_met",
    "demand_refused",
    "process_closed",
)
DEMAND_EVENT_TYPES = ("demand_set", "demand_met", "demand_refused")
ACTORS = ("contact_group", "responsible_person", "survivor_support", "other")

DISCOMFORT_ITEMS = tuple(f"d{i:02d}" for i in range(1, 14))
STSS_ITEMS = tuple(f"stss{i:02d}" for i in range(1, 18))
PROQOL_ITEMS = tuple(f"pq{i:02d}" for i in range(1, 31))


def _items(names: tuple[str, ...], scale: str) -> tuple[Column, ...]:
    return tuple(
        Column(
            name,
            "item",
            f"{scale} item {int(name.lstrip('dstqp'))}: 1-5, blank if not answered",
            minimum=1,
            maximum=5,
            nullable=True,
        )
        for name in names
    )


def _practitioner_ref() -> Column:
    return Column(
        "practitioner_id",
        "id",
        "pseudonymous practitioner id",
        references=("practitioners", "practitioner_id"),
    )


def _response_date() -> Column:
    return Column("response_date", "date", "date the questionnaire was completed")


def _yearly_survey(name: str, description: str, items: tuple[str, ...], scale: str) -> FileContract:
    """A questionnaire repeated in waves with free labels (such as the year)."""
    return FileContract(
        name,
        description,
        (
            _practitioner_ref(),
            Column("wave", "label", "survey wave label, such as 2025"),
            _response_date(),
            *_items(items, scale),
        ),
        key=("practitioner_id", "wave"),
    )


CONTRACTS: dict[str, FileContract] = {
    c.name: c
    for c in (
        FileContract(
            "participants",
            "One row per person referred to the programme (the person who caused harm).",
            (
                Column("participant_id", "id", "pseudonymous participant id (unique)"),
                Column("site", "label", "delivery site"),
                Column("cohort_id", "id", "group the participant joined", checked_as_label=True,
                       recoded=True),
                Column("referral_route", "category", "how they were referred", REFERRAL_ROUTES),
                Column("age_band", "category", "age band at referral", AGE_BANDS),
                Column("start_month", "month", "month the participant started"),
                Column("exit_reason", "category", "why they left, or ongoing", EXIT_REASONS),
            ),
            key=("participant_id",),
        ),
        FileContract(
            "sessions",
            "One row per scheduled session of a cohort.",
            (
                Column("session_id", "id", "session id (unique)", recoded=True),
                Column("cohort_id", "id", "cohort the session belongs to", checked_as_label=True,
                       recoded=True),
                Column("site", "label", "delivery site"),
                Column(
                    "programme_week", "int", "order of the session within the cohort", minimum=1
                ),
                Column("module", "label", "curriculum module"),
                Column("module_session", "int", "session number within the module", minimum=1),
                Column("session_date", "date", "date the session was (or was to be) held"),
                Column("delivery_mode", "category", "group or individual", DELIVERY_MODES),
                Column(
                    "facilitator_ids",
                    "id_list",
                    "practitioner ids of the facilitators, joined by ';'",
                    references=("practitioners", "practitioner_id"),
                ),
                Column("cancelled", "bool", "true if the session did not take place"),
            ),
            key=("session_id",),
            rules=("(cohort_id, programme_week) identifies at most one session.",),
        ),
        FileContract(
            "attendance",
            "One row per participant and session: the register.",
            (
                Column(
                    "participant_id",
                    "id",
                    "pseudonymous participant id",
                    references=("participants", "participant_id"),
                ),
                Column(
                    "session_id",
                    "id",
                    "session id",
                    references=("sessions", "session_id"),
                    recoded=True,
                ),
                Column("status", "category", "attendance status", ATTENDANCE_STATUSES),
            ),
            key=("participant_id", "session_id"),
            requires=("participants", "sessions"),
            dated_by="session_id",
        ),
        FileContract(
            "curriculum",
            "The planned exercises of each module session (only modules with exercise detail).",
            (
                Column("module", "label", "curriculum module"),
                Column("module_session", "int", "session number within the module", minimum=1),
                Column("session_title", "title", "short title of the session"),
                Column("exercise_id", "id", "exercise id (unique)"),
                Column("exercise_title", "title", "short title of the exercise"),
                Column("planned_minutes", "int", "planned length in minutes", minimum=1),
                Column("optional_exercise", "bool", "true if the exercise is an optional extra"),
            ),
            key=("exercise_id",),
        ),
        FileContract(
            "delivery",
            "Minutes delivered of each exercise in each session (0 = not delivered).",
            (
                Column(
                    "session_id", "id", "session id", references=("sessions", "session_id"),
                    recoded=True,
                ),
                Column(
                    "exercise_id",
                    "id",
                    "exercise id",
                    references=("curriculum", "exercise_id"),
                ),
                Column(
                    "delivered_minutes",
                    "int",
                    "minutes delivered, 0 if not delivered",
                    minimum=0,
                    maximum=300,
                ),
            ),
            key=("session_id", "exercise_id"),
            requires=("sessions", "curriculum"),
            dated_by="session_id",
        ),
        FileContract(
            "practitioners",
            "One row per practitioner (facilitators, supervisors, partner support, managers).",
            (
                Column("practitioner_id", "id", "pseudonymous practitioner id (unique)"),
                Column("site", "label", "site the practitioner works at"),
                Column("gender", "category", "gender", GENDERS),
                Column("role", "category", "main role", ROLES),
                Column(
                    "experience_band",
                    "category",
                    "years of experience in this work",
                    EXPERIENCE_BANDS,
                ),
                Column(
                    "supervision_frequency",
                    "category",
                    "how often they receive supervision",
                    SUPERVISION_FREQUENCIES,
                ),
            ),
            key=("practitioner_id",),
        ),
        FileContract(
            "discomfort",
            "Practitioner discomfort checklist: 13 situations rated 1 (comfortable) to 5.",
            (
                _practitioner_ref(),
                Column("wave", "category", "survey wave", DISCOMFORT_WAVES),
                _response_date(),
                *_items(DISCOMFORT_ITEMS, "discomfort checklist"),
            ),
            key=("practitioner_id", "wave"),
        ),
        _yearly_survey("stss", "Secondary Traumatic Stress Scale (Bride et al. 2004): 17 items, 1-5.",
                       STSS_ITEMS, "STSS"),
        _yearly_survey("proqol",
                       "Professional Quality of Life scale, version 5 (Stamm 2010): 30 items, 1-5.",
                       PROQOL_ITEMS, "ProQOL"),
        FileContract(
            "supervision",
            "Supervision received per practitioner, month and kind.",
            (
                _practitioner_ref(),
                Column("month", "month", "calendar month"),
                Column("sessions", "int", "supervision sessions that month", minimum=0),
                Column("kind", "category", "kind of supervision", SUPERVISION_KINDS),
            ),
            key=("practitioner_id", "month", "kind"),
            optional=True,
        ),
        FileContract(
            "accountability_events",
            "Events of community accountability processes (contact groups).",
            (
                Column("process_id", "id", "pseudonymous process id"),
                Column("event_date", "date", "date of the event"),
                Column("event_type", "category", "what happened", EVENT_TYPES),
                Column("actor", "category", "who acted", ACTORS),
                Column(
                    "demand_id",
                    "id",
                    "which demand (required for demand_* events)",
                    required=False,
                    nullable=True,
                ),
            ),
            rules=(
                "demand_id is filled in for demand_set, demand_met and demand_refused.",
                "A process's events may be listed in any order; they are sorted by date.",
            ),
        ),
    )
}

FILE_NAMES: tuple[str, ...] = tuple(CONTRACTS)

#: Columns holding identifiers of people (or of a process about one person): what
#: ``evalkit pseudonymise`` replaces, and what a funder report must never show.
PERSON_ID_COLUMNS: dict[str, str] = {
    "participant_id": "participant",
    "practitioner_id": "practitioner",
    "facilitator_ids": "practitioner",
    "process_id": "process",
}

