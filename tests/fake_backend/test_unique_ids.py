"""Session, task, upload and file ids never repeat across fakes on one folder or restarts."""

from __future__ import annotations

from pathlib import Path

from fake_client import User, jpeg, serve

from fake_backend import FakeConfig


def config(folder: Path) -> FakeConfig:
    return FakeConfig(real_renders=False, database=str(folder / "fake.db"), data_dir=folder)


def test_two_fakes_on_one_folder_and_a_restart_never_share_a_session(tmp_path: Path) -> None:
    sessions: list[str] = []
    tasks: list[str] = []
    uploads: list[str] = []
    with serve(config(tmp_path)) as (_, one), serve(config(tmp_path)) as (_, two):
        for client in (one, two, one, two):
            user = User(client)
            user.new_session()
            sessions.append(user.session_id)
            tasks.append(user.state()["data"]["task_id"])
            uploaded = user.upload(("a.jpg", jpeg()))
            uploads.append(uploaded.text)
    with serve(config(tmp_path)) as (_, again):  # a restart: the seeded source starts over
        user = User(again)
        user.new_session()
        sessions.append(user.session_id)
        tasks.append(user.state()["data"]["task_id"])
    assert len(set(sessions)) == len(sessions) == 5
    assert len(set(tasks)) == 5
    assert all(len(s) == 19 and s.isdigit() for s in sessions)
    assert len(set(uploads)) == 4  # each upload answer names its own id and URL


def test_a_user_never_sees_another_users_session_after_a_restart(tmp_path: Path) -> None:
    with serve(config(tmp_path)) as (_, client):
        first = User(client)
        first.new_session()
        first.upload(("mine.jpg", jpeg()))
    with serve(config(tmp_path)) as (_, client):
        second = User(client)
        second.new_session()
        assert second.session_id != first.session_id
        assert second.state()["data"]["state"]["video_infos"] == []
