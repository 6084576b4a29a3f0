"""Render jobs: submit, poll (both documented answers), cancel, download."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from fake_backend.answers import (
    endpoint,
    failure,
    json_body,
    ok,
    render_failure,
    session_of,
    user_of,
)
from fake_backend.faults import Fault
from fake_backend.jobs import FINAL
from fake_backend.limits import DraftRefused, check_draft
from fake_backend.state import Fake

SKILL_HEADERS = ("x-skill-source", "x-skill-version", "x-skill-platform")


@endpoint("render")
async def render_submit(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    if not all(request.headers.get(h) for h in SKILL_HEADERS):
        raise render_failure(402, "Export is not available on this plan")
    body = await json_body(request, fake)
    job_id, draft = body.get("id"), body.get("draft")
    if not isinstance(job_id, str) or not job_id or len(job_id) > 100:
        raise render_failure(400, "`id` must be a new render id such as render_<timestamp>")
    ref = f"{user['id']}/{job_id}"  # ids are per account: another's is no business of ours
    if fake.store.get("render", ref) is not None:
        raise render_failure(409, f"The render id {job_id} was used already")
    session = session_of(fake, user, str(body.get("sessionId") or ""))
    try:  # at the door: nothing is frozen or queued for a draft the renderer must not get
        check_draft(draft, fake.config.limits)
    except DraftRefused as refused:
        raise render_failure(400, str(refused)) from None
    assert isinstance(draft, dict)  # checked above
    cost = fake.profile.render_cost
    if user["available"] < cost:
        raise failure(2001, "Insufficient credits")
    fake.store.update(
        "user",
        user["id"],
        lambda u: u.update(available=u["available"] - cost, frozen=u["frozen"] + cost),
    )
    action = fault.action if fault else None
    if fault is not None and action in ("hang", "fail"):
        fake.config.faults.note("render", fault)
    budget = float("inf") if action == "hang" else fake.draw(fake.config.latency.render)
    job = fake.jobs.submit(
        ref,
        job_id=job_id,
        user_id=user["id"],
        session_id=session["id"],
        draft=draft,
        budget_s=budget,
        fail="the render node failed (scripted fault)" if action == "fail" else None,
    )
    return ok(
        {"id": job_id, "status": job["status"], "progress": job["progress"]},
        variant=True,
        headers=_hint(fake),
    )


def _hint(fake: Fake) -> dict[str, str] | None:
    hint = fake.config.render_poll_hint
    return {"Retry-After": f"{hint:g}"} if hint is not None else None


def _job_of(request: Request, fake: Fake, user: dict[str, Any]) -> dict[str, Any]:
    job = fake.jobs.status(f"{user['id']}/{request.path_params['job_id']}")
    if job is None or job["user_id"] != user["id"]:
        raise render_failure(404, "Render job not found")
    return job


def _settle(fake: Fake, job: dict[str, Any]) -> None:
    """Charge the frozen credits of a finished job, or give them back."""
    if job["status"] not in FINAL or job.get("settled"):
        return
    cost = fake.profile.render_cost
    refund = cost if job["status"] != "completed" else 0
    fake.store.update(
        "user",
        job["user_id"],
        lambda u: u.update(frozen=max(0, u["frozen"] - cost), available=u["available"] + refund),
    )
    fake.store.update("render", job["ref"], lambda j: j.update(settled=True))


@endpoint("poll")
async def render_poll(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    job = _job_of(request, fake, user)
    _settle(fake, job)
    base = str(request.base_url).rstrip("/")
    url = (
        f"{base}/media/{job['key']}/{quote(job['id'])}.mp4"
        if job["status"] == "completed"
        else None
    )
    headers = _hint(fake) if job["status"] not in FINAL else None
    forced_b = fault is not None and fault.action == "poll_form_b"
    if forced_b:
        fake.config.faults.note("poll", fault)  # type: ignore[arg-type]
    if forced_b or fake.profile.poll_form == "b":
        return JSONResponse(_form_b(job, url), headers=headers)
    return ok(_form_a(job, url), variant=True, headers=headers)


def _progress(job: dict[str, Any], url: str | None) -> int:
    return 100 if url else int(job["progress"])  # a completed render is 100, whatever was stored


def _ours(job: dict[str, Any], url: str | None) -> dict[str, Any]:
    """[fake] fields no vendor text has: the queue position, what a render could not do."""
    extra: dict[str, Any] = {}
    if job["status"] == "pending" and job.get("queue_position") is not None:
        extra["queue_position"] = job["queue_position"]  # renders that start before it
    if url and job.get("warnings"):  # e.g. no CJK font
        extra["warnings"] = job["warnings"]
    return extra


def _form_b(job: dict[str, Any], url: str | None) -> dict[str, Any]:
    """The vendor's current skill: status at the top level, the URL at ``output.url``."""
    body: dict[str, Any] = {
        "taskId": job["id"],
        "status": job["status"],
        "progress": _progress(job, url),
        **_ours(job, url),
    }
    if url:
        body["output"] = {"url": url, "duration": job.get("duration"), "size": job.get("size")}
    if job["status"] == "failed":
        body["error"] = job.get("error") or "the render failed"
    return body


def _form_a(job: dict[str, Any], url: str | None) -> dict[str, Any]:
    """The reverted reference page: ``{"success", "data": {"status", "outputUrl"}}``."""
    data: dict[str, Any] = {
        "id": job["id"],
        "status": job["status"],
        "progress": _progress(job, url),
    }
    data.update(_ours(job, url))
    if url:
        data.update(outputUrl=url, duration=job.get("duration"), size=job.get("size"))
    if job["status"] == "failed":
        data["error"] = job.get("error") or "the render failed"
    return data


@endpoint("cancel")
async def render_cancel(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    job = _job_of(request, fake, user)
    job = fake.jobs.cancel(job["ref"]) or job
    _settle(fake, job)
    return ok({"id": job["id"], "status": job["status"]}, variant=True)


@endpoint("download")
async def render_download(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    job = _job_of(request, fake, user)
    if job["status"] != "completed" or not job.get("path"):
        raise render_failure(409, f"The render is {job['status']}, not completed")
    return FileResponse(job["path"], media_type="video/mp4", filename=f"{job['id']}.mp4")
