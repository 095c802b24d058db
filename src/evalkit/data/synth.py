"""Synthetic data: a whole fictional programme, written in the data contracts' format.

Nothing here describes a real person. The generator is seeded, so the same seed and size always give
the same bytes (``data/sample`` is ``evalkit synth --out data/sample --seed 2026``), and it is
vectorised so that 100,000 participants (about 2.4 million register rows) take seconds.

The fictional programme has 3 sites and cohorts of 24 weekly sessions, with the sexual respect
module in weeks 13-15. Its data show attendance that falls over time, withdrawals and exclusions,
sessions cancelled or cut short, practitioners whose discomfort mostly falls after preparation,
secondary traumatic stress that goes with less supervision, and accountability processes of which
one follows the pattern of the contact-group report (slow first reply, missed meetings, long
silences, demands never met).

It also writes one instrument of a programme's own, described in ``instruments/partner_safety.toml``
(:data:`PARTNER_SAFETY_TOML`): partner-reported safety at intake, exit and follow-up, answered for
the share of participants whose partner the partner support service reached. Those answers come
from their own random stream, so adding or leaving them out changes no other file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import EvalkitError
from ..io.contracts import (
    AGE_BANDS,
    CONTRACTS,
    DISCOMFORT_ITEMS,
    EXPERIENCE_BANDS,
    PROQOL_ITEMS,
    REFERRAL_ROUTES,
    STSS_ITEMS,
)
from ..progress import progress

if TYPE_CHECKING:
    from ..scales.spec import Instrument

SITES = ("north", "central", "south")
WEEKS_PER_COHORT = 24
PARTICIPANTS_PER_COHORT = 11
FIRST_COHORT_START = pd.Timestamp("2023-01-09")  # a Monday
#: Cohorts start over this many weeks from :data:`FIRST_COHORT_START`: the last ones are still
#: running when the data are extracted (:data:`SAMPLE_END`), as in a programme's own register.
COHORT_SPREAD_WEEKS = 148

#: Modules of the sample programme in order, with their number of weekly sessions.
SAMPLE_MODULES: tuple[tuple[str, int], ...] = (
    ("getting_started", 4),
    ("understanding_abuse", 4),
    ("emotions_and_regulation", 4),
    ("sexual_respect", 3),
    ("children_and_parenting", 4),
    ("respectful_relationships", 5),
)

#: The sexual respect module, the one module of the sample with exercise detail: (session,
#: session title, exercise id, exercise title, planned minutes, optional). The two optional
#: extras have no planned length in the guidelines; 20 minutes is our assumption.
SEXUAL_RESPECT_CURRICULUM: tuple[tuple[int, str, str, str, int, bool], ...] = (
    (1, "Learning about sex", "sr1_healthy_sex", "Healthy sexual relationships", 20, False),
    (1, "Learning about sex", "sr1_learning", "Where we learned about sex", 40, False),
    (1, "Learning about sex", "sr1_pornography", "Pornography", 20, False),
    (1, "Learning about sex", "sr1_man_box", "The man box", 20, False),
    (1, "Learning about sex", "sr1_call_to_men", "Talk: a call to men", 20, False),
    (2, "Sexual pressuring", "sr2_scenario", "Abuse scenario: consent and receptivity", 30, False),
    (2, "Sexual pressuring", "sr2_wants", "What we want from sex", 10, False),
    (2, "Sexual pressuring", "sr2_pressure", "Sexual pressure", 15, False),
    (2, "Sexual pressuring", "sr2_impacts", "Impacts of sexual pressuring", 30, False),
    (2, "Sexual pressuring", "sr2_tea", "Tea and consent", 10, False),
    (2, "Sexual pressuring", "sr2_scary", "Consent in a frightening relationship", 15, False),
    (2, "Sexual pressuring", "sr2_bdsm", "Optional: BDSM and receptivity", 20, True),
    (3, "Building intimacy", "sr3_check_in", "Check-in", 15, False),
    (3, "Building intimacy", "sr3_ingredients", "Healthy relationship ingredients revisited", 20, False),
    (3, "Building intimacy", "sr3_talking", "Talking about sex with a partner", 20, False),
    (3, "Building intimacy", "sr3_long_term", "Sex in long-term relationships", 20, False),
    (3, "Building intimacy", "sr3_alternatives", "Other routes to intimacy", 20, False),
    (3, "Building intimacy", "sr3_images", "Optional: sharing intimate images", 20, True),
)

# Mean discomfort before preparation for each checklist situation (1-5). Invented for the sample,
# ordered so the situations the guidelines single out as hardest come out hardest.
_DISCOMFORT_ITEM_MEANS = np.array(
    [2.2, 2.6, 2.8, 3.0, 2.7, 3.8, 3.3, 3.6, 4.1, 3.7, 3.4, 3.6, 3.2]
)
_SUPERVISION_STS_SHIFT = {
    "weekly": -0.3, "fortnightly": -0.15, "monthly": 0.0, "less_than_monthly": 0.35, "none": 0.6,
}
_SUPERVISION_MONTHLY_SESSIONS = {
    "weekly": (2, 2), "fortnightly": (1, 1), "monthly": (1, 0), "less_than_monthly": (0.5, 0),
    "none": (0, 0),
}


@dataclass(frozen=True)
class SynthSize:
    """How big a synthetic programme to make.

    Parameters
    ----------
    participants
        People referred to the programme.
    practitioners
        Staff, spread over the sites (at least two facilitators per site are needed).

    Examples
    --------
    >>> SynthSize(participants=130).cohorts
    12
    >>> SynthSize(participants=1100).cohorts
    100
    """

    participants: int = 130
    practitioners: int = 36

    @property
    def cohorts(self) -> int:
        """Cohorts of about 11 participants each, and never fewer than 12."""
        return max(12, round(self.participants / PARTICIPANTS_PER_COHORT))


def _ids(prefix: str, n: int, width: int = 3) -> np.ndarray:
    width = max(width, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _choice(rng, options, n, p=None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _iso(dates: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    return pd.DatetimeIndex(dates).strftime("%Y-%m-%d").to_numpy(dtype=object)


def _bool_text(values) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "true", "false").astype(object)


# --- practitioners and their questionnaires ------------------------------------------------------


def make_practitioners(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """``practitioners.csv``: staff spread over the sites, two thirds of each site facilitators.

    Parameters
    ----------
    rng
        The random stream (the generator's main one).
    n
        Number of practitioners.

    Returns
    -------
    DataFrame
        The file's columns as text, ids ``s01, s02, ...``.

    Examples
    --------
    >>> staff = make_practitioners(np.random.default_rng(1), 12)
    >>> staff["site"].value_counts().tolist(), staff["practitioner_id"].iloc[0]
    ([4, 4, 4], 's01')
    """
    ids = _ids("s", n, 2)
    site = np.array(SITES, dtype=object)[np.arange(n) % len(SITES)]
    # Per site: two thirds facilitators, then partner support, supervisors and a manager.
    slot = np.arange(n) // len(SITES)
    per_site = int(np.ceil(n / len(SITES)))
    frac = slot / max(per_site, 1)
    role = np.select(
        [frac < 0.67, frac < 0.84, frac < 0.92], ["facilitator", "partner_support", "supervisor"],
        "manager",
    ).astype(object)
    gender = _choice(rng, ("woman", "man", "non_binary", "prefer_not_to_say"), n,
                     [0.5, 0.42, 0.04, 0.04])
    experience = _choice(rng, EXPERIENCE_BANDS, n, [0.15, 0.25, 0.3, 0.18, 0.12])
    supervision = _choice(rng, ("weekly", "fortnightly", "monthly", "less_than_monthly", "none"), n,
                          [0.15, 0.3, 0.3, 0.17, 0.08])
    return pd.DataFrame({
        "practitioner_id": ids, "site": site, "gender": gender, "role": role,
        "experience_band": experience, "supervision_frequency": supervision,
    })


def _items_frame(values: np.ndarray, names: tuple[str, ...]) -> pd.DataFrame:
    """Integer answers with NaN for blanks, as nullable text columns for writing."""
    values = np.asarray(values, dtype=float)
    whole = np.nan_to_num(values).astype(np.int64).astype(str)
    return pd.DataFrame(np.where(np.isnan(values), "", whole).astype(object), columns=list(names))


def _likert(latent: np.ndarray, noise: float, rng) -> np.ndarray:
    return np.clip(np.rint(latent + rng.normal(0, noise, latent.shape)), 1, 5)


def _blank_items(values: np.ndarray, rng, p_item: float, p_half_form: float) -> np.ndarray:
    values = values.copy()
    values[rng.random(values.shape) < p_item] = np.nan
    half = rng.random(values.shape[0]) < p_half_form
    half_mask = rng.random(values.shape) < 0.5
    values[half[:, None] & half_mask] = np.nan
    return values


def make_discomfort(rng: np.random.Generator, practitioners: pd.DataFrame) -> pd.DataFrame:
    """``discomfort.csv``: the checklist before and after preparation and at follow-up.

    Every practitioner except managers answers before; most feel less discomfort afterwards,
    a minority more. Some forms are missing at the later waves, and some items are blank.

    Parameters
    ----------
    rng
        The random stream.
    practitioners
        ``practitioners.csv`` as made by :func:`make_practitioners`.

    Returns
    -------
    DataFrame
        One row per form: ``practitioner_id, wave, response_date, d01 ... d13`` as text.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> forms = make_discomfort(rng, make_practitioners(rng, 12))
    >>> forms["wave"].unique().tolist()
    ['pre', 'post', 'follow_up']
    """
    staff = practitioners[practitioners["role"] != "manager"].reset_index(drop=True)
    n = len(staff)
    person = rng.normal(0, 0.5, n)
    person += np.where(staff["gender"] == "woman", 0.15, 0.0)
    person -= 0.08 * staff["experience_band"].map({b: i for i, b in enumerate(EXPERIENCE_BANDS)})
    base = _DISCOMFORT_ITEM_MEANS[None, :] + person.to_numpy()[:, None]
    change_post = rng.normal(-0.45, 0.4, n)  # most fall; a minority get worse
    change_follow = 0.8 * change_post + rng.normal(0, 0.25, n)
    dates = {"pre": "2024-02-{:02d}", "post": "2024-05-{:02d}", "follow_up": "2024-11-{:02d}"}
    frames = []
    for wave, shift, p_missing in (("pre", 0, 0.0), ("post", change_post, 0.08),
                                   ("follow_up", change_follow, 0.25)):
        latent = base + np.asarray(shift, dtype=float).reshape(-1, 1) if np.ndim(shift) else base
        values = _blank_items(_likert(latent, 0.55, rng), rng, 0.02, 0.03)
        keep = rng.random(n) >= p_missing
        day = rng.integers(1, 28, n)
        frame = pd.concat([
            pd.DataFrame({
                "practitioner_id": staff["practitioner_id"].to_numpy(),
                "wave": wave,
                "response_date": [dates[wave].format(d) for d in day],
            }),
            _items_frame(values, DISCOMFORT_ITEMS),
        ], axis=1)
        frames.append(frame[keep])
    return pd.concat(frames, ignore_index=True)


def _sts_latent(rng, practitioners: pd.DataFrame) -> np.ndarray:
    n = len(practitioners)
    latent = 1.95 + rng.normal(0, 0.5, n)
    latent += practitioners["supervision_frequency"].map(_SUPERVISION_STS_SHIFT).to_numpy()
    latent += np.where(practitioners["gender"] == "woman", 0.12, 0.0)
    latent += np.where(practitioners["experience_band"] == "<1", 0.2, 0.0)
    latent += np.where(practitioners["role"] == "facilitator", 0.1, 0.0)
    return latent


def make_sts_surveys(rng: np.random.Generator,
                     practitioners: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """STSS and ProQOL 5 answers for two yearly waves, sharing one latent stress level.

    Stress is higher with less supervision, and a little higher for women, for staff with
    less than a year's experience and for facilitators.

    Parameters
    ----------
    rng
        The random stream.
    practitioners
        ``practitioners.csv`` as made by :func:`make_practitioners`.

    Returns
    -------
    tuple of DataFrame
        ``(stss, proqol)``: the two files as text, waves ``2024`` and ``2025``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> stss, proqol = make_sts_surveys(rng, make_practitioners(rng, 12))
    >>> stss.shape[1], proqol.shape[1]
    (20, 33)
    """
    n = len(practitioners)
    latent_2024 = _sts_latent(rng, practitioners)
    stss_frames, proqol_frames = [], []
    item_offsets = rng.normal(0, 0.2, len(STSS_ITEMS))
    reversed_burnout = np.isin(np.arange(1, 31), (1, 4, 15, 17, 29))
    for wave, latent, month in (("2024", latent_2024, "2024-03"),
                                ("2025", latent_2024 - 0.05 + rng.normal(0, 0.25, n), "2025-03")):
        keep = rng.random(n) >= (0.0 if wave == "2024" else 0.15)
        day = rng.integers(1, 28, n)
        meta = pd.DataFrame({
            "practitioner_id": practitioners["practitioner_id"].to_numpy(),
            "wave": wave,
            "response_date": [f"{month}-{d:02d}" for d in day],
        })
        stss = _likert(latent[:, None] + item_offsets[None, :], 0.6, rng)
        stss = _blank_items(stss, rng, 0.015, 0.03)
        stss_frames.append(pd.concat([meta, _items_frame(stss, STSS_ITEMS)], axis=1)[keep])

        compassion = 3.9 - 0.4 * (latent - 2) + rng.normal(0, 0.4, n)
        burnout = 2.3 + 0.5 * (latent - 2) + rng.normal(0, 0.35, n)
        secondary = 1.9 + 0.8 * (latent - 2) + rng.normal(0, 0.3, n)
        subscale_of_item = _proqol_subscale_index()
        latents = np.stack([compassion, burnout, secondary], axis=1)[:, subscale_of_item]
        answers = _likert(latents, 0.6, rng)
        answers[:, reversed_burnout] = 6 - answers[:, reversed_burnout]
        answers = _blank_items(answers, rng, 0.015, 0.0)
        proqol_frames.append(pd.concat([meta, _items_frame(answers, PROQOL_ITEMS)], axis=1)[keep])
    return (pd.concat(stss_frames, ignore_index=True),
            pd.concat(proqol_frames, ignore_index=True))


def _proqol_subscale_index() -> np.ndarray:
    from ..scales.builtin import PROQOL  # the published key, one definition

    index = np.zeros(30, dtype=int)
    for position, name in enumerate(("compassion_satisfaction", "burnout",
                                     "secondary_traumatic_stress")):
        for item in PROQOL.subscales[name]:
            index[item - 1] = position
    return index


def make_supervision(rng: np.random.Generator, practitioners: pd.DataFrame) -> pd.DataFrame:
    """``supervision.csv``: sessions per practitioner, month and kind, 2024 to 2025.

    The number of individual and group sessions follows each practitioner's stated
    ``supervision_frequency``; facilitators also have co-worker check-ins.

    Parameters
    ----------
    rng
        The random stream.
    practitioners
        ``practitioners.csv`` as made by :func:`make_practitioners`.

    Returns
    -------
    DataFrame
        ``practitioner_id, month, sessions, kind``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> make_supervision(rng, make_practitioners(rng, 6))["month"].agg(["min", "max"]).tolist()
    ['2024-01', '2025-12']
    """
    months = pd.period_range("2024-01", "2025-12", freq="M").astype(str).to_numpy(dtype=object)
    rows = []
    for pid, freq, role in practitioners[["practitioner_id", "supervision_frequency", "role"]].itertuples(index=False):
        individual, group = _SUPERVISION_MONTHLY_SESSIONS[freq]
        for month in months:
            rows.append((pid, month, int(rng.poisson(individual)), "individual"))
            if group:
                rows.append((pid, month, int(rng.poisson(group)), "group"))
            if role == "facilitator":
                rows.append((pid, month, int(rng.poisson(3)), "co_worker_check_in"))
    return pd.DataFrame(rows, columns=["practitioner_id", "month", "sessions", "kind"])


# --- cohorts, sessions, attendance, delivery ------------------------------------------------------


def make_curriculum() -> pd.DataFrame:
    """``curriculum.csv``: the exercises of the sexual respect module.

    Returns
    -------
    DataFrame
        :data:`SEXUAL_RESPECT_CURRICULUM` in the file's columns, ``optional_exercise`` as text.

    Examples
    --------
    >>> curriculum = make_curriculum()
    >>> len(curriculum), curriculum["module"].unique().tolist()
    (18, ['sexual_respect'])
    """
    return pd.DataFrame(
        [("sexual_respect", s, title, ex, ex_title, minutes, _bool_text([opt])[0])
         for s, title, ex, ex_title, minutes, opt in SEXUAL_RESPECT_CURRICULUM],
        columns=list(CONTRACTS["curriculum"].column_names),
    )


def _week_modules() -> tuple[np.ndarray, np.ndarray]:
    modules, sessions = [], []
    for module, count in SAMPLE_MODULES:
        modules += [module] * count
        sessions += list(range(1, count + 1))
    assert len(modules) == WEEKS_PER_COHORT
    return np.array(modules, dtype=object), np.array(sessions)


def make_programme(rng: np.random.Generator, size: SynthSize,
                   practitioners: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Cohorts, sessions, the register and the delivery of the sexual respect module.

    Cohorts start over nearly three years, each run by a pair of its site's facilitators; the
    data end at :data:`SAMPLE_END`, while the last cohorts are still running. Attendance
    falls over the weeks and around a withdrawal; some sessions are cancelled, and some
    exercises are cut short, left out or run over.

    Parameters
    ----------
    rng
        The random stream.
    size
        How many participants (and so cohorts).
    practitioners
        ``practitioners.csv`` as made by :func:`make_practitioners`.

    Returns
    -------
    dict of str to DataFrame
        ``participants``, ``sessions``, ``attendance``, ``curriculum`` and ``delivery``, as text.

    Raises
    ------
    EvalkitError
        When a site has fewer than two facilitators.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> tables = make_programme(rng, SynthSize(50), make_practitioners(rng, 12))
    >>> weeks = tables["sessions"].groupby("cohort_id").size()  # the last still running
    >>> int(weeks.iloc[0]), bool(weeks.iloc[-1] < WEEKS_PER_COHORT)
    (24, True)
    """
    n_cohorts, n_people = size.cohorts, size.participants
    cohort_ids = _ids("c", n_cohorts, 2)
    cohort_site = np.arange(n_cohorts) % len(SITES)
    # Cohorts start over nearly three years, staggered so each site runs several in turn.
    start_week = (np.arange(n_cohorts) * COHORT_SPREAD_WEEKS) // n_cohorts
    cohort_start = FIRST_COHORT_START + pd.to_timedelta(start_week * 7 + cohort_site, unit="D")

    # Facilitator pair per cohort from its site's facilitators.
    facilitators = practitioners[practitioners["role"] == "facilitator"]
    by_site = [facilitators.loc[facilitators["site"] == s, "practitioner_id"].to_numpy(dtype=object)
               for s in SITES]
    pair_a = np.empty(n_cohorts, dtype=object)
    pair_b = np.empty(n_cohorts, dtype=object)
    for site_index, pool in enumerate(by_site):
        members = np.flatnonzero(cohort_site == site_index)
        if len(pool) < 2:
            raise EvalkitError("synth needs at least two facilitators per site; raise --practitioners")
        picks = np.stack([rng.choice(len(pool), 2, replace=False) for _ in members]) if len(members) else np.zeros((0, 2), int)
        pair_a[members] = pool[picks[:, 0]]
        pair_b[members] = pool[picks[:, 1]]

    # Sessions: cohort x week grid.
    week_module, week_module_session = _week_modules()
    weeks = np.tile(np.arange(1, WEEKS_PER_COHORT + 1), n_cohorts)
    cohort_of_session = np.repeat(np.arange(n_cohorts), WEEKS_PER_COHORT)
    n_sessions = weeks.size
    session_dates = cohort_start[cohort_of_session] + pd.to_timedelta((weeks - 1) * 7, unit="D")
    cancelled = rng.random(n_sessions) < 0.025
    individual = rng.random(n_sessions) < 0.03
    facilitator_ids = pair_a[cohort_of_session] + ";" + pair_b[cohort_of_session]
    sessions = pd.DataFrame({
        "session_id": cohort_ids[cohort_of_session] + np.char.mod("-w%02d", weeks).astype(object),
        "cohort_id": cohort_ids[cohort_of_session],
        "site": np.array(SITES, dtype=object)[cohort_site[cohort_of_session]],
        "programme_week": weeks,
        "module": week_module[weeks - 1],
        "module_session": week_module_session[weeks - 1],
        "session_date": _iso(session_dates),
        "delivery_mode": np.where(individual, "individual", "group").astype(object),
        "facilitator_ids": facilitator_ids,
        "cancelled": _bool_text(cancelled),
    })

    # Participants.
    cohort_of_person = np.sort(rng.integers(0, n_cohorts, n_people))
    route = _choice(rng, REFERRAL_ROUTES, n_people, [0.35, 0.25, 0.2, 0.15, 0.05])
    age = _choice(rng, AGE_BANDS, n_people, [0.12, 0.3, 0.28, 0.17, 0.09, 0.04])
    exit_reason = _choice(
        rng, ("completed", "withdrew", "excluded", "moved_away", "custody", "other", "ongoing"),
        n_people, [0.56, 0.2, 0.07, 0.05, 0.04, 0.03, 0.05],
    )
    # The data end at SAMPLE_END: later sessions have not happened yet. In a cohort still
    # running then, nobody has completed, and whoever has not left by its last session so far
    # is still on the programme; in a cohort that has ended, nobody is.
    weeks_held = np.clip((SAMPLE_END - cohort_start).days // 7 + 1, 0, WEEKS_PER_COHORT)
    held_so_far = weeks_held[cohort_of_person]
    running = held_so_far < WEEKS_PER_COHORT
    draws_exit_week = np.isin(exit_reason, ("withdrew", "excluded", "moved_away", "custody",
                                            "other"))
    exit_reason = np.where(running & (exit_reason == "completed"), "ongoing", exit_reason)
    exit_reason = np.where(~running & (exit_reason == "ongoing"), "completed", exit_reason)
    participants = pd.DataFrame({
        "participant_id": _ids("p", n_people, 4),
        "site": np.array(SITES, dtype=object)[cohort_site[cohort_of_person]],
        "cohort_id": cohort_ids[cohort_of_person],
        "referral_route": route,
        "age_band": age,
        "start_month": pd.DatetimeIndex(cohort_start[cohort_of_person]).strftime("%Y-%m").to_numpy(dtype=object),
        "exit_reason": exit_reason,
    })

    # Attendance: a participant x week matrix, then the rows of sessions that took place.
    dropped = np.isin(exit_reason, ("withdrew", "excluded"))
    censored_early = np.isin(exit_reason, ("moved_away", "custody", "other"))
    exit_week = np.full(n_people, WEEKS_PER_COHORT + 1)
    exit_week[dropped] = np.minimum(2 + rng.geometric(0.11, dropped.sum()), WEEKS_PER_COHORT)
    exit_week[censored_early] = rng.integers(4, WEEKS_PER_COHORT, censored_early.sum())
    # Someone drawn to leave after the sessions held so far has not left yet.
    not_yet = running & draws_exit_week & (exit_week > held_so_far)
    exit_reason[not_yet] = "ongoing"
    participants["exit_reason"] = exit_reason
    dropped &= ~not_yet
    censored_early &= ~not_yet
    exit_week[not_yet] = WEEKS_PER_COHORT + 1
    propensity = rng.normal(1.9, 0.8, n_people)
    propensity += np.select([route == "court_mandated", route == "self"], [0.3, -0.2], 0.0)
    propensity += np.where(exit_reason == "completed", 1.0, 0.0)
    week_grid = np.arange(1, WEEKS_PER_COHORT + 1)[None, :]
    p_present = 1 / (1 + np.exp(-(propensity[:, None] - 0.05 * (week_grid - 1))))
    near_exit = (exit_week[:, None] - week_grid <= 2) & dropped[:, None]
    p_present = np.where(near_exit, p_present * 0.5, p_present)
    present = rng.random(p_present.shape) < p_present
    after_exit = week_grid >= exit_week[:, None]
    present &= ~after_exit
    u = rng.random(p_present.shape)
    status = np.where(u < 0.86, "attended", np.where(u < 0.95, "late", "left_early")).astype(object)
    unnotified = rng.random(p_present.shape) < np.where(near_exit, 0.85, 0.4)
    absent_status = np.where(unnotified, "absent_unnotified", "absent_notified")
    after_status = np.where(exit_reason == "withdrew", "absent_unnotified", "absent_notified")[:, None]
    status = np.where(present, status, np.where(after_exit, after_status, absent_status))

    session_index = cohort_of_person[:, None] * WEEKS_PER_COHORT + (week_grid - 1)
    happened = weeks <= weeks_held[cohort_of_session]  # by SAMPLE_END
    held = ~cancelled[session_index] & happened[session_index]
    person_index = np.broadcast_to(np.arange(n_people)[:, None], session_index.shape)
    attendance = pd.DataFrame({
        "participant_id": participants["participant_id"].to_numpy()[person_index[held]],
        "session_id": sessions["session_id"].to_numpy()[session_index[held]],
        "status": status[held],
    })

    # Delivery of the sexual respect module's exercises in sessions that took place.
    curriculum = make_curriculum()
    respect = np.flatnonzero((sessions["module"].to_numpy() == "sexual_respect") & ~cancelled)
    rows_session, rows_exercise, minutes = [], [], []
    for module_session, exercises in curriculum.groupby("module_session"):
        targets = respect[sessions["module_session"].to_numpy()[respect] == module_session]
        for exercise_id, planned, optional in exercises[["exercise_id", "planned_minutes", "optional_exercise"]].itertuples(index=False):
            u = rng.random(targets.size)
            if optional == "true":
                delivered = np.where(u < 0.3, planned, 0)
            else:
                short = np.rint(planned * rng.uniform(0.3, 0.9, targets.size)).astype(int)
                over = planned + rng.integers(1, 10, targets.size)
                delivered = np.select([u < 0.05, u < 0.25, u < 0.3], [0, short, over], planned)
            rows_session.append(sessions["session_id"].to_numpy()[targets])
            rows_exercise.append(np.full(targets.size, exercise_id, dtype=object))
            minutes.append(delivered)
    delivery = pd.DataFrame({
        "session_id": np.concatenate(rows_session),
        "exercise_id": np.concatenate(rows_exercise),
        "delivered_minutes": np.concatenate(minutes).astype(int),
    }).sort_values(["session_id", "exercise_id"], kind="stable", ignore_index=True)
    # Drawn for every session, so the random stream (and every later file) does not depend on
    # SAMPLE_END; sessions after it are then left out, as not yet held.
    future = sessions["session_id"].to_numpy()[~happened]
    delivery = delivery[~delivery["session_id"].isin(future)].reset_index(drop=True)
    sessions = sessions[happened].reset_index(drop=True)
    return {"participants": participants, "sessions": sessions, "attendance": attendance,
            "curriculum": curriculum, "delivery": delivery}


# --- accountability processes ----------------------------------------------------------------------


def _contact_group_pattern() -> list[tuple[str, str, str, str]]:
    """A process shaped like the contact-group report: slow reply, missed meetings, no demand met."""
    return [
        ("2016-01-20", "demand_set", "survivor_support", "d1"),
        ("2016-01-20", "demand_set", "survivor_support", "d2"),
        ("2016-01-20", "demand_set", "survivor_support", "d3"),
        ("2016-02-01", "message_sent", "contact_group", ""),
        ("2016-03-14", "message_sent", "contact_group", ""),
        ("2016-05-02", "message_sent", "contact_group", ""),
        ("2016-07-04", "response_received", "responsible_person", ""),
        ("2016-07-18", "meeting_scheduled", "contact_group", ""),
        ("2017-01-28", "meeting_held", "contact_group", ""),
        ("2017-02-06", "meeting_scheduled", "contact_group", ""),
        ("2017-04-29", "meeting_held", "contact_group", ""),
        ("2017-06-12", "meeting_scheduled", "contact_group", ""),
        ("2017-09-16", "meeting_held", "contact_group", ""),
        ("2017-09-25", "meeting_scheduled", "contact_group", ""),
        ("2017-12-09", "meeting_missed", "responsible_person", ""),
        ("2018-01-15", "message_sent", "contact_group", ""),
        ("2018-04-03", "message_sent", "contact_group", ""),
        ("2018-06-20", "message_sent", "contact_group", ""),
        ("2018-08-14", "response_received", "responsible_person", ""),
        ("2018-08-27", "meeting_scheduled", "contact_group", ""),
        ("2018-11-10", "meeting_missed", "responsible_person", ""),
        ("2019-01-10", "message_sent", "contact_group", ""),
        ("2019-05-06", "message_sent", "contact_group", ""),
        ("2019-09-02", "message_sent", "contact_group", ""),
        ("2019-11-12", "response_received", "responsible_person", ""),
        ("2019-11-12", "demand_refused", "responsible_person", "d1"),
        ("2019-12-02", "message_sent", "contact_group", ""),
    ]


def _random_process(rng, start: pd.Timestamp, responsiveness: float, horizon_days: int):
    """A process whose responsible person answers with the given probability."""
    events = []
    demands = [f"d{i}" for i in range(1, int(rng.integers(2, 5)) + 1)]
    for d in demands:
        events.append((start, "demand_set", "survivor_support", d))
    day = start + pd.Timedelta(days=int(rng.integers(5, 20)))
    open_demands = list(demands)
    end = start + pd.Timedelta(days=horizon_days)
    while day < end:
        events.append((day, "message_sent", "contact_group", ""))
        if rng.random() < responsiveness:
            day += pd.Timedelta(days=int(rng.integers(3, 40)))
            events.append((day, "response_received", "responsible_person", ""))
            if rng.random() < 0.6:
                events.append((day + pd.Timedelta(days=2), "meeting_scheduled", "contact_group", ""))
                day += pd.Timedelta(days=int(rng.integers(20, 60)))
                held = rng.random() < responsiveness
                events.append((day, "meeting_held" if held else "meeting_missed",
                               "contact_group" if held else "responsible_person", ""))
                if held and open_demands and rng.random() < responsiveness * 0.6:
                    d = open_demands.pop(0)
                    events.append((day, "demand_met", "contact_group", d))
        day += pd.Timedelta(days=int(rng.integers(30, 150)))
    if open_demands and rng.random() < 0.3:
        events.append((day, "demand_refused", "responsible_person", open_demands.pop()))
    if not open_demands or rng.random() < 0.3:
        events.append((min(day, end), "process_closed", "contact_group", ""))
    return [(d.strftime("%Y-%m-%d"), t, a, dem) for d, t, a, dem in events]


def make_accountability(rng: np.random.Generator) -> pd.DataFrame:
    """``accountability_events.csv``: six community accountability processes.

    Process ``cp1`` follows the pattern of the contact-group report (slow first reply, missed
    meetings, long silences, no demand met); the others are random, from a responsible person
    who always answers to one who never does.

    Parameters
    ----------
    rng
        The random stream.

    Returns
    -------
    DataFrame
        ``process_id, event_date, event_type, actor, demand_id``, sorted by process and date.

    Examples
    --------
    >>> events = make_accountability(np.random.default_rng(1))
    >>> events["process_id"].unique().tolist()
    ['cp1', 'cp2', 'cp3', 'cp4', 'cp5', 'cp6']
    """
    specs = [  # start, responsiveness, length in days
        ("2017-03-06", 0.85, 700), ("2018-09-10", 0.0, 800), ("2019-05-20", 0.5, 1200),
        ("2021-02-01", 0.7, 900), ("2023-06-12", 0.35, 800),
    ]
    rows = [("cp1", *e) for e in _contact_group_pattern()]
    for i, (start, responsiveness, days) in enumerate(specs, start=2):
        rows += [(f"cp{i}", *e) for e in _random_process(rng, pd.Timestamp(start), responsiveness, days)]
    frame = pd.DataFrame(rows, columns=["process_id", "event_date", "event_type", "actor", "demand_id"])
    return frame.sort_values(["process_id", "event_date"], kind="stable", ignore_index=True)


# --- a programme's own instrument: partner-reported safety ----------------------------------------

#: The sample's own instrument spec, written to ``instruments/partner_safety.toml``. Items, labels
#: and bands are of our own making for the synthetic sample (no published wording, no validated
#: cut-offs).
PARTNER_SAFETY_TOML = """\
# Partner-reported safety: an instrument of our own making for evalkit's synthetic sample.
# Answered by the (ex-)partners of participants through the partner support service at intake,
# at exit and about six months later. The answers are linked to the participant's pseudonym only.
# Item labels are short labels of our own, not the wording of a published questionnaire, and the
# bands are illustrative, not validated cut-offs.
title = "Partner-reported safety"
respondent = "partner"
id_column = "participant_id"
waves = ["intake", "exit", "follow_up"]
items = 8
min = 0                   # never / not at all
max = 4                   # very often / completely
reversed = [6, 8]         # a higher answer means safer: scored as 0 + 4 - answer
score = "sum"
prorate_min = 0.75        # 3 of the 4 items of a subscale, 6 of the 8 for the total
higher_is = "worse"
bands = [
  {name = "low", from = 0},
  {name = "moderate", from = 8},
  {name = "high", from = 16},
]
item_labels = [
  "Put-downs or name-calling",
  "Checking her phone or whereabouts",
  "Threats or intimidation",
  "Physical harm",
  "Afraid of him",
  "Feels safe at home",
  "Changes plans to avoid his anger",
  "Free to see friends and family",
]

[subscales]
behaviour = [1, 2, 3, 4]  # how often abusive behaviours happened in the past three months
fear = [5, 6, 7, 8]       # how safe she feels
"""
PARTNER_SAFETY = "partner_safety"
#: Random stream of the partner answers (a child of the seed), apart from the main stream.
_PARTNER_STREAM = 1
#: Nothing in the sample is dated after this day (a follow-up not yet due is not in the data).
SAMPLE_END = pd.Timestamp("2025-12-31")
# Keyed (higher = worse) item means at intake and loadings on the partner's latent severity.
_PARTNER_ITEM_MEANS = np.array([2.2, 2.0, 1.6, 0.9, 2.0, 1.8, 2.3, 1.7])
_PARTNER_ITEM_LOADINGS = np.array([0.9, 0.8, 0.9, 0.7, 0.9, 0.8, 0.8, 0.7])


def partner_safety_spec() -> Instrument:
    """The sample's partner-reported instrument, read from :data:`PARTNER_SAFETY_TOML`.

    Returns
    -------
    Instrument
        The spec, as a data folder's ``instruments/partner_safety.toml`` gives it.

    Examples
    --------
    >>> spec = partner_safety_spec()
    >>> spec.waves, spec.n_items
    (('intake', 'exit', 'follow_up'), 8)
    """
    from ..scales.custom import parse_instrument

    spec, problems = parse_instrument(PARTNER_SAFETY_TOML, name=PARTNER_SAFETY)
    if spec is None:  # the shipped spec is checked by the tests; this is a programming error
        raise AssertionError("; ".join(p.describe() for p in problems))
    return spec


def make_partner_safety(seed: int, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Partner answers at intake, exit and follow-up for the participants of ``tables``.

    Partner contact often fails: about half of the partners answer at intake, fewer at exit (most
    of those whose partner completed, fewer of the rest; a few reached for the first time) and
    fewer again at follow-up, which is only in the data when it fell due by :data:`SAMPLE_END`.
    Scores tend to improve for completers; some partners report things getting worse, more often
    when the participant withdrew or was excluded. Rows hold the participant's id and nothing
    else about the partner.

    Parameters
    ----------
    seed
        The generator's seed: the answers come from their own stream of it, so adding or
        leaving them out changes no other file.
    tables
        The files made by :func:`generate` (participants, sessions and attendance are used).

    Returns
    -------
    DataFrame
        ``partner_safety.csv``: ``participant_id, wave, response_date, i01 ... i08`` as text.

    Examples
    --------
    >>> answers = make_partner_safety(1, generate(seed=1, participants=50))
    >>> answers.columns[:4].tolist()
    ['participant_id', 'wave', 'response_date', 'i01']
    """
    spec = partner_safety_spec()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_PARTNER_STREAM,)))
    participants, sessions, attendance = (tables["participants"], tables["sessions"],
                                          tables["attendance"])
    ids = participants["participant_id"].to_numpy(dtype=object)
    n = ids.size
    exit_reason = participants["exit_reason"].to_numpy(dtype=object)
    completed = exit_reason == "completed"
    dropped = np.isin(exit_reason, ("withdrew", "excluded"))
    left = exit_reason != "ongoing"

    # Dates (as day numbers): intake before the cohort starts, exit after the last session
    # attended (the cohort's last session for completers), follow-up about six months after exit.
    session_day = pd.to_datetime(sessions["session_date"]).to_numpy("datetime64[D]").astype(np.int64)
    held = (sessions["cancelled"] == "false").to_numpy()
    cohort_codes, cohorts = pd.factorize(sessions["cohort_id"])
    first = np.full(len(cohorts), np.iinfo(np.int64).max)
    last = np.full(len(cohorts), np.iinfo(np.int64).min)
    np.minimum.at(first, cohort_codes[held], session_day[held])
    np.maximum.at(last, cohort_codes[held], session_day[held])
    cohort = cohorts.get_indexer(participants["cohort_id"])
    start = first[cohort]
    present = attendance["status"].isin(("attended", "late", "left_early")).to_numpy()
    person = pd.Index(ids).get_indexer(attendance["participant_id"])[present]
    session = pd.Index(sessions["session_id"]).get_indexer(attendance["session_id"])[present]
    last_seen = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last_seen, person, session_day[session])
    last_seen = np.where(last_seen == np.iinfo(np.int64).min, start + 7, last_seen)
    exit_base = np.where(completed, last[cohort], last_seen)
    days = {
        "intake": start - rng.integers(0, 22, n),
        "exit": exit_base + rng.integers(7, 36, n),
    }
    days["follow_up"] = days["exit"] + 182 + rng.integers(0, 43, n)
    days = {wave: pd.DatetimeIndex(day.astype("datetime64[D]")) for wave, day in days.items()}

    # Who answers: contact at intake, then at exit and follow-up among those still in touch.
    answered = {"intake": rng.random(n) < 0.55}
    reached_later = rng.random(n) < 0.12
    p_exit = np.where(completed, 0.72, 0.45)
    answered["exit"] = left & np.where(answered["intake"], rng.random(n) < p_exit, reached_later)
    answered["follow_up"] = answered["exit"] & (rng.random(n) < 0.6)
    for wave in spec.waves:
        answered[wave] &= np.asarray(days[wave] <= SAMPLE_END)

    # Latent severity (higher = worse): improves for most completers, little on average for men
    # who withdrew or were excluded, and some partners report things getting worse.
    severity = rng.normal(0, 1, n)
    change_exit = rng.normal(np.select([completed, dropped], [-0.75, 0.1], -0.3), 0.6)
    change_follow = 0.75 * change_exit + rng.normal(0, 0.45, n)
    reversed_items = np.isin(np.arange(1, spec.n_items + 1), spec.reversed)
    frames = []
    for wave, shift in zip(spec.waves, (0.0, change_exit, change_follow), strict=True):
        latent = severity + shift
        keyed = (_PARTNER_ITEM_MEANS[None, :] + _PARTNER_ITEM_LOADINGS[None, :] * latent[:, None]
                 + rng.normal(0, 0.6, (n, spec.n_items)))
        keyed = np.clip(np.rint(keyed), spec.min, spec.max)
        raw = np.where(reversed_items[None, :], spec.min + spec.max - keyed, keyed)
        raw = _blank_items(raw, rng, 0.03, 0.04)
        rows = answered[wave]
        frames.append(pd.concat([
            pd.DataFrame({"participant_id": ids[rows], "wave": wave,
                          "response_date": _iso(days[wave][rows])}),
            _items_frame(raw[rows], spec.items),
        ], axis=1))
    table = pd.concat(frames, ignore_index=True)
    order = np.lexsort((table["wave"].map({w: i for i, w in enumerate(spec.waves)}).to_numpy(),
                        table["participant_id"].to_numpy(dtype=str)))
    return table.iloc[order].reset_index(drop=True)[list(spec.contract().column_names)]


# --- writing ---------------------------------------------------------------------------------------

SAMPLE_README = """\
# Synthetic sample data

Made by `evalkit synth --out data/sample --seed {seed}`{size_note}. Every row is invented:
no real person, programme or process is described. Regenerate rather than edit: a test checks that
these files are byte-for-byte what the generator writes.

The data end on {end}, as if extracted that day: the last cohort is still running, so its
later sessions are not in the register yet and its members who have not left are still on the
programme (exit reason `ongoing`).
"""

SAMPLE_README_INSTRUMENTS = """
`instruments/partner_safety.toml` describes an instrument of our own making (partner-reported
safety at intake, exit and follow-up; short labels, no published wording, illustrative bands),
and `partner_safety.csv` holds its invented answers, linked to participants' ids only.
"""


def generate(seed: int = 2026, participants: int = 130, practitioners: int = 36) -> dict[str, pd.DataFrame]:
    """Every file of the data contracts as text DataFrames, ready to write.

    Parameters
    ----------
    seed
        The random seed: the same seed and sizes give the same tables.
    participants
        People referred to the programme (at least 1).
    practitioners
        Staff (at least 6, two facilitators per site).

    Returns
    -------
    dict of str to DataFrame
        One table per file of :data:`~evalkit.io.contracts.CONTRACTS`, in its columns.

    Raises
    ------
    EvalkitError
        When a size is too small.

    Examples
    --------
    >>> tables = generate(seed=1, participants=50)
    >>> sorted(tables)[:3]
    ['accountability_events', 'attendance', 'curriculum']
    """
    if participants < 1:
        raise EvalkitError("--participants must be at least 1")
    if practitioners < 6:
        raise EvalkitError("--practitioners must be at least 6 (two facilitators per site)")
    size = SynthSize(participants, practitioners)
    rng = np.random.default_rng(seed)
    staff = make_practitioners(rng, size.practitioners)
    tables = {"practitioners": staff}
    tables.update(make_programme(rng, size, staff))
    tables["discomfort"] = make_discomfort(rng, staff)
    tables["stss"], tables["proqol"] = make_sts_surveys(rng, staff)
    tables["supervision"] = make_supervision(rng, staff)
    tables["accountability_events"] = make_accountability(rng)
    return {name: tables[name][list(CONTRACTS[name].column_names)] for name in CONTRACTS}


def _replace_text(path: Path, text: str) -> None:
    """Write through a temporary name and rename, so a file is never left half-written."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def write(out_dir: str | os.PathLike, seed: int = 2026, participants: int = 130,
          practitioners: int = 36, show_progress: bool | None = None,
          instruments: bool = True) -> list[Path]:
    """Generate and write every file into ``out_dir`` (created if needed); returns the paths.

    With ``instruments`` (the default) the folder also gets ``instruments/partner_safety.toml``
    and ``partner_safety.csv``, an instrument of a programme's own. Each file is written to a
    temporary name and renamed into place, so an interrupted run never leaves a half-written
    file. Files in the folder that are not evalkit's are left alone.

    Parameters
    ----------
    out_dir
        The folder to write into.
    seed, participants, practitioners
        As for :func:`generate`.
    show_progress
        Show a progress bar (None: only on a terminal).
    instruments
        Also write the sample's own partner-reported instrument and its answers.

    Returns
    -------
    list of Path
        Every file written, the ``README.md`` last.

    Examples
    --------
    >>> import tempfile
    >>> paths = write(tempfile.mkdtemp(), seed=1, participants=30, show_progress=False)
    >>> [p.name for p in paths][-3:]
    ['partner_safety.toml', 'partner_safety.csv', 'README.md']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = progress(total=len(CONTRACTS) + 1 + int(instruments), desc="synth", show=show_progress)
    tables = generate(seed, participants, practitioners)
    steps.update(1)
    written = []
    for name, table in tables.items():
        path = out / CONTRACTS[name].filename
        tmp = path.with_name(f".{path.name}.tmp")
        table.to_csv(tmp, index=False, lineterminator="\n")
        os.replace(tmp, path)
        written.append(path)
        steps.update(1)
    if instruments:
        answers = make_partner_safety(seed, tables)
        (out / "instruments").mkdir(exist_ok=True)
        spec_path = out / "instruments" / f"{PARTNER_SAFETY}.toml"
        _replace_text(spec_path, PARTNER_SAFETY_TOML)
        path = out / f"{PARTNER_SAFETY}.csv"
        _replace_text(path, answers.to_csv(index=False, lineterminator="\n"))
        written += [spec_path, path]
        steps.update(1)
    steps.close()
    size_note = "" if (participants, practitioners) == (130, 36) else (
        f" --participants {participants} --practitioners {practitioners}")
    if not instruments:
        size_note += " --no-instruments"
    readme = out / "README.md"
    text = SAMPLE_README.format(seed=seed, size_note=size_note,
                                end=f"{SAMPLE_END.day} {SAMPLE_END:%B %Y}")
    readme.write_text(text + (SAMPLE_README_INSTRUMENTS if instruments else ""), encoding="utf-8")
    written.append(readme)
    return written
