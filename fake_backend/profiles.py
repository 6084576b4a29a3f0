"""Profiles: which of the vendor's texts the fake follows where they differ or changed.

``vendor`` (the default) follows the vendor's *current* text point by point, so a client
written from the skill alone works unchanged (``../shared/api-notes.md``, the skill v1.9);
``classic`` is how this fake answered before (issue 24), kept for the clients and
cassettes written against it. Each choice is one field, so a ``FakeConfig`` can take a
profile and change single points (``FakeConfig(profile="vendor", render_cost=5)``).
``docs/profiles.md`` names the source of each choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["HEARTBEAT_FORMS", "PROFILES", "Profile", "profile_named"]

PollForm = Literal["a", "b"]
UrlUploads = Literal["named", "placeholder"]

# the three forms a heartbeat takes on the vendor's gateway (api-notes, "Heartbeats")
HEARTBEAT_FORMS = {
    "comment": b": ping\n\n",
    "event": b'data: {"type":"heartbeat"}\n\n',
    "empty": b"data: \n\n",
}


@dataclass(frozen=True)
class Profile:
    """One consistent set of answers where the vendor's sources disagree."""

    name: str
    # render poll: "b" = status at the top level, the URL at output.url (skill >= v4.5.1,
    # v1.9); "a" = {"success", "data": {"status", "outputUrl"}} (a reverted reference page)
    poll_form: PollForm
    # credits frozen by an export and charged when it completes (vendor: export is free)
    render_cost: int
    # the user's own id accepted where the path says ``me`` (older skills, nemo-generate)
    user_id_paths: bool
    # unknown routes, wrong methods and malformed requests answered in {code, message, data}
    json_errors: bool
    # heartbeat forms sent in turn while the agent works (names of HEARTBEAT_FORMS)
    heartbeats: tuple[str, ...]
    # the state's draft renders as is: sandbox ``/workspace/uploads/<name>`` sources are
    # resolved to the session's uploads (else only this server's media URLs render)
    sandbox_paths: bool
    # URL uploads: "named" keeps the URL's file name and type (4001 for other types);
    # "placeholder" stores a picture named after the URL (``<name>.jpg``), as before
    url_uploads: UrlUploads


VENDOR = Profile(
    name="vendor",
    poll_form="b",
    render_cost=0,
    user_id_paths=True,
    json_errors=True,
    heartbeats=("comment", "event", "empty"),
    sandbox_paths=True,
    url_uploads="named",
)

CLASSIC = Profile(
    name="classic",
    poll_form="a",
    render_cost=5,
    user_id_paths=False,
    json_errors=False,
    heartbeats=("comment",),
    sandbox_paths=False,
    url_uploads="placeholder",
)

PROFILES = {p.name: p for p in (VENDOR, CLASSIC)}


def profile_named(name: str) -> Profile:
    """The profile called ``name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ValueError(f"unknown profile {name!r} (known: {known})") from None
