"""One browser session: its conversation, its driver, its files and its events.

A turn runs as an asyncio task that outlives the page: reloading (or a second tab)
only reconnects to the event log, so a running render carries on and shows up again.
Stop cancels the task (the driver closes what it had open) and then tells the
conversation: ``abandon_turn`` ends the turn without sending anything more.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.drivers import AsyncDriver, Store, probe
from nemo_core.errors import UserInputError
from nemo_core.files import FileFacts, check_upload
from nemo_core.policy import ACCEPTED_EXTENSIONS, MAX_UPLOAD_BYTES
from nemo_core.steps import Message, MessageKind
from nemo_frontend import inputs
from nemo_frontend.turns import AsyncTurnRunner, TurnOutcome
from nemo_studio.events import EventLog
from nemo_studio.preview import NAME_PATTERN as PREVIEW_NAME
from nemo_studio.preview import NoPreview, Preview, make_preview
from nemo_studio.timeline import timeline_view

ACTIONS = ("say", "chat", "upload", "export", "credits", "status", "cancel_render", "resume_render")
LANGUAGES = ("en", "zh")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
_RENDER_ID = re.compile(r" ?\brender_[0-9A-Za-z]+\b")


class Busy(Exception):
    """A turn is running: the page must wait for it or press Stop."""


class StudioSession:
    def __init__(
        self,
        session_id: str,
        folder: Path,
        *,
        base_url: str,
        client: httpx.AsyncClient,
        settings: Settings,
        identity: Snapshot | None = None,
        on_save: Callable[[Snapshot], None] | None = None,
    ) -> None:
        self.id = session_id
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        (folder / "files").mkdir(exist_ok=True)
        (folder / "videos").mkdir(exist_ok=True)
        self.log = EventLog(folder / "events.jsonl")
        store = _SessionStore(folder, on_save)
        saved = store.load() or identity  # a new session: the studio's identity
        self.turns = AsyncTurnRunner(
            Conversation(settings, now=time.time(), saved=saved),
            AsyncDriver(base_url, client=client),
            store=store,
            on_message=lambda message: self._publish(message, quiet=self._quiet),
        )
        self._quiet = False  # the turn being driven is a background read
        self.language = "en"
        self.files: dict[str, Path] = {}  # file id -> the stored file
        self._thumbs: dict[str, str] = {}  # upload name -> file id
        self._media: list[dict[str, str]] = []  # what the media panel shows
        self._view: dict[str, Any] | None = None  # the timeline last drawn (names the download)
        self._draft: dict[str, Any] | None = None  # the draft of that timeline (the preview's)
        self._previewing = asyncio.Lock()  # one preview at a time: a second click waits
        for path in sorted((folder / "files").glob("*/*")):
            self._remember(path.parent.name, path)
        self._task: asyncio.Task[None] | None = None
        self._quiet_task = False
        self._stopping = False

    @property
    def conversation(self) -> Conversation:
        return self.turns.conversation

    @property
    def driver(self) -> AsyncDriver:
        return self.turns.driver

    # -- files ----------------------------------------------------------------------

    def file_slot(self, name: str) -> tuple[str, Path]:
        """Where to store an incoming file: ``files/<id>/<its own name>``."""
        clean = Path(name.replace("\\", "/")).name.strip()
        if not clean or clean in (".", "..") or "\x00" in clean:
            raise UserInputError("That file has no usable name.")
        file_id = uuid.uuid4().hex
        (self.folder / "files" / file_id).mkdir(mode=0o700)
        return file_id, self.folder / "files" / file_id / clean

    def accept_file(self, file_id: str, path: Path, language: str = "en") -> None:
        """Check a stored file as the core would before upload; refuse it at once if bad,
        in the page's language."""
        facts = probe(path)
        try:
            check_upload(facts)
        except UserInputError as exc:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
            if language != "zh":
                raise
            raise UserInputError(_refusal_zh(facts)) from exc
        self._remember(file_id, path)

    def _remember(self, file_id: str, path: Path) -> None:
        self.files[file_id] = path
        self._thumbs[path.name] = file_id

    def thumb_of(self, name: str) -> str | None:
        """The thumbnail of a file the timeline names: by its name here, or, when the
        service renamed it, by the upload that got the same address."""
        file_id = self._thumbs.get(name)
        if file_id is None:
            uploads = self.conversation.uploads
            url = uploads.get(name)
            same = [local for local, u in uploads.items() if u == url and local in self._thumbs]
            file_id = self._thumbs[same[0]] if url and same else None
        return f"/api/thumb/{file_id}" if file_id else None

    def video_path(self, render_id: str) -> Path | None:
        path = self.folder / "videos" / f"{_SAFE.sub('_', render_id)}.mp4"
        return path if path.is_file() else None

    # -- turns ------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(
        self,
        action: str,
        text: str = "",
        file_ids: list[str] | None = None,
        language: str | None = None,
    ) -> None:
        """Start a turn (one of ``ACTIONS``); bad input raises ``UserInputError`` and
        nothing is sent."""
        if action not in ACTIONS:
            raise UserInputError(f"Unknown action {action!r}.")
        if self.busy and self._quiet_task:
            await asyncio.shield(self._task)  # type: ignore[arg-type]  # a quick refresh
        if self.busy:
            raise Busy(_say("busy", self.language))
        if language in LANGUAGES:
            self.language = str(language)
        lang = self.language
        self.conversation.clock(time.time())  # idle time between turns
        echo: dict[str, Any] = {"action": action, "text": text}
        if action in ("say", "chat") and not text.strip():
            raise UserInputError(_say("empty", lang))
        if action == "upload":
            paths = [self.files[f] for f in (file_ids or []) if f in self.files]
            if not paths:
                raise UserInputError(_say("no_files", lang))
            turn = inputs.upload([probe(p) for p in paths], language=lang)
            echo["files"] = [p.name for p in paths]
        elif action == "say":  # what the user typed: the core routes it
            turn = inputs.say(text, language=lang)
        elif action == "chat":
            turn = inputs.chat(text, language=lang)
        elif action == "export":
            turn = inputs.export(language=lang)
        elif action == "credits":
            turn = inputs.credits(language=lang)
        elif action == "status":
            turn = inputs.status(language=lang)
        elif action == "cancel_render":
            turn = inputs.cancel()
        else:  # resume_render
            turn = inputs.resume()
        turn.start(self.conversation)  # bad input raises here: nothing sent, no task
        self.log.append("user", **echo)
        self._begin(self._turn(), quiet=False)

    def resume_rendering(self) -> None:
        """A restarted studio picks up the render its conversation was waiting for."""
        if self.busy or not self.conversation.pending_renders:
            return
        self.conversation.clock(time.time())
        self.conversation.resume_export()
        self._begin(self._turn(), quiet=False)

    def start_quiet(self, *actions: Callable[[], None]) -> None:
        """Background reads (credits, the timeline) that the page shows but not in the log."""
        if self.busy:
            return

        async def run() -> None:
            for begin in actions:
                begin()
                await self._drive(quiet=True)  # the turn ``begin`` started

        self._begin(run(), quiet=True)

    def _begin(self, work: Any, *, quiet: bool) -> None:
        self._quiet_task = quiet
        if not quiet:
            self.log.append("busy", busy=True)
        self._task = asyncio.ensure_future(self._guard(work, quiet))

    async def _guard(self, work: Any, quiet: bool) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise  # Stop: ``stop`` finishes the turn
        except Exception as exc:  # a bug or a broken backend: one sentence, a usable session
            self._publish(Message(MessageKind.ERROR, _sentence(exc)), quiet=False)
            await self._abandon()
        finally:
            self.save()
            if not quiet and not self._stopping:
                self.log.append("busy", busy=False)

    async def _turn(self) -> None:
        await self._drive(quiet=False)
        self._publish_media()
        # Then, quietly, what the page draws: the timeline and the credits left.
        self.conversation.status(language=self.language)
        await self._drive(quiet=True)
        self.conversation.credits(language=self.language)
        await self._drive(quiet=True)

    async def _drive(self, *, quiet: bool) -> TurnOutcome:
        """Run the turn just started on the one turn runner; a video it makes is kept here."""
        self._quiet = quiet
        outcome = await self.turns.turn(target=None if quiet else self._video_target)
        if outcome.saved is not None and outcome.ready is not None:
            self._video_saved(outcome.ready, outcome.saved)
        elif outcome.failure is not None and outcome.failure.error_class == "download":
            text = _say("download_failed", self.language, reason=outcome.failure.reason + ".")
            self._publish(Message(MessageKind.ERROR, text), quiet=False)
        elif outcome.failure is not None:  # a full disk: one sentence
            self._publish(Message(MessageKind.ERROR, outcome.failure.text), quiet=False)
        return outcome

    async def stop(self) -> None:
        """Stop button: end the turn now; the conversation takes the next one."""
        task = self._task
        if task is None or task.done():
            return
        self._stopping = True
        try:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self._abandon()
        finally:
            self._stopping = False
            self.save()
            self.log.append("busy", busy=False)

    async def _abandon(self) -> None:
        message = self.conversation.abandon_turn()
        await self._drive(quiet=False)  # CloseStream, TurnDone
        if message is not None:
            self._publish(message, quiet=False)

    # -- the free preview -------------------------------------------------------------------

    async def preview(self) -> Preview:
        """The current timeline rendered small here (``nemo_studio.preview``): the draft
        from a quiet status read (or, while a turn runs, the one last drawn), its media
        fetched once, the rendering in a worker thread. ``NoPreview`` says why not."""
        async with self._previewing:
            if not self.busy:
                lang = self.language
                self.start_quiet(lambda: self.conversation.status(language=lang))
            if self.busy and self._quiet_task:
                await asyncio.shield(self._task)  # type: ignore[arg-type]
            draft = self._draft
            if not draft:
                raise NoPreview(_say("no_preview", self.language))
            uploads = dict(self.conversation.uploads)
            loop = asyncio.get_running_loop()

            def download(url: str, path: Path) -> Path:  # in the worker: the loop fetches
                fetching = self.driver.download(url, path)
                return asyncio.run_coroutine_threadsafe(fetching, loop).result()

            folder = self.folder / "preview"
            try:
                return await asyncio.to_thread(make_preview, draft, uploads, download, folder)
            except NoPreview as exc:
                key = "no_preview" if str(exc) == "empty" else "preview_failed"
                raise NoPreview(_say(key, self.language, reason="").strip()) from exc
            except Exception as exc:  # a file the service would not send: one sentence
                text = _say("preview_failed", self.language, reason=_sentence(exc))
                raise NoPreview(text) from exc

    def preview_path(self, name: str) -> Path | None:
        if not re.fullmatch(PREVIEW_NAME, name):
            return None
        path = self.folder / "preview" / name
        return path if path.is_file() else None

    # -- what the page sees -----------------------------------------------------------------

    def _publish(self, message: Message, *, quiet: bool) -> None:
        if message.kind is MessageKind.TRACKS:
            draft = message.data.get("draft")
            view = timeline_view(draft if isinstance(draft, dict) else {}, self.thumb_of)
            self._view = view
            self._draft = draft if isinstance(draft, dict) else None
            self.log.append("timeline", timeline=view)
        elif message.kind is MessageKind.CREDITS:
            self.log.append("credits", **message.to_json()["data"])
        if quiet:
            return  # background reads: the turn itself said what went wrong
        self.log.append("message", message=_without_render_id(message).to_json())

    def _publish_media(self) -> None:
        """The media panel: every file of this session the service has, with its thumbnail."""
        uploaded = self.conversation.uploads
        media = [
            {"name": path.name, "thumb": f"/api/thumb/{file_id}"}
            for file_id, path in self.files.items()
            if path.name in uploaded
        ]
        if media != self._media:
            self._media = media
            self.log.append("media", files=media)

    def _video_target(self, ready: Message) -> Path:
        """Keep the video here, so the page plays it from this server (Range requests)."""
        render_id = str(ready.data.get("render_id") or "video")
        return self.folder / "videos" / f"{_SAFE.sub('_', render_id)}.mp4"

    def _video_saved(self, ready: Message, path: Path) -> None:
        render_id = str(ready.data.get("render_id") or "video")
        self.log.append(
            "video", render_id=render_id, src=f"/api/video/{render_id}",
            name=download_name(self._view), duration=ready.data.get("duration"),
            size=path.stat().st_size,
        )  # fmt: skip

    # -- kept on disk: a restarted studio restores the conversation ----------------------

    def save(self) -> None:
        self.turns.persist()

    async def close(self) -> None:
        if self.busy:
            assert self._task is not None
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self.save()


class _SessionStore:
    """The session's snapshot, ``snapshot.json`` in its folder (owner only: it holds the
    token); each save also goes to ``on_save`` (the studio keeps the identity)."""

    def __init__(self, folder: Path, on_save: Callable[[Snapshot], None] | None) -> None:
        self._store = Store(folder, profile="snapshot")
        self.path = self._store.path
        self._on_save = on_save

    def load(self) -> Snapshot | None:
        if not self.path.exists():
            return None
        return self._store.load()

    def save(self, snapshot: Snapshot) -> None:
        self._store.save(snapshot)
        if self._on_save is not None:
            self._on_save(snapshot)


# The studio's own sentences (the conversation's are in ``nemo_core.texts``).
_TEXTS = {
    "empty": ("Say what you want: the message is empty.", "请说出您想要的：消息是空的。"),
    "no_files": (
        "Nothing to upload: choose at least one file.",
        "没有可上传的文件：请至少选择一个。",
    ),
    "busy": (
        "A turn is running: wait for it, or press Stop.",
        "正在处理上一条：请稍候，或按停止。",
    ),
    "no_preview": (
        "Nothing to preview yet: say what video you want first.",
        "还没有可预览的内容：请先说出您想要的视频。",
    ),
    "preview_failed": ("The preview could not be made. {reason}", "无法生成预览。{reason}"),
    "download_failed": (
        "The video is ready but could not be fetched: {reason}",
        "视频已生成，但无法取回：{reason}",
    ),
}


def _refusal_zh(facts: FileFacts) -> str:
    """``check_upload``'s refusal said in Chinese (the core words it in English only)."""
    name = facts.name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    accepted = ", ".join(e for e in ACCEPTED_EXTENSIONS if e != "jpeg")
    if extension not in ACCEPTED_EXTENSIONS:
        return f"{name}：不支持这种文件。可接受的格式：{accepted}。"
    if facts.size > MAX_UPLOAD_BYTES:
        return f"{name} 超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB 的上限：请压缩或剪短后再试。"
    if facts.size == 0:
        return f"{name} 是空文件。"
    return f"{name} 的内容与 .{extension} 不符。可接受的格式：{accepted}。"


def download_name(view: dict[str, Any] | None) -> str:
    """The video's file name, after the project and its shape: ``new-collection-9x16.mp4``."""
    view = view or {}
    title = re.sub(r"[^\w]+", "-", str(view.get("title") or "").lower()).strip("-_")
    aspect = str(view.get("aspect") or "").replace(":", "x")
    return "-".join(part for part in (title[:60] or "video", aspect) if part) + ".mp4"


def _without_render_id(message: Message) -> Message:
    """The page never shows a ``render_…`` id: "the render" says enough to a person."""
    named = [message.data.get("render_id"), *(message.data.get("pending_renders") or ())]
    text = message.text
    for render_id in (r for r in named if isinstance(r, str) and r):
        text = text.replace(f" {render_id}", "").replace(render_id, "")
    text = _RENDER_ID.sub("", text)  # the fake's (and the service's) ids, named or not
    return message if text == message.text else replace(message, text=text)


def _say(key: str, language: str, **params: object) -> str:
    english, chinese = _TEXTS[key]
    return (chinese if language == "zh" else english).format(**params)


def _sentence(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if text.endswith((".", "!", "?", "。")) else text + "."
