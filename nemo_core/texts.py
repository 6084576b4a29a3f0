"""What the toolkit itself says to the user, in English and Chinese.

One catalog, so a front-end shows one language throughout: the agent already
answers in the user's language; these are the toolkit's own messages. Keys are
stable; ``say(key, language, **params)`` fills a template. Unknown languages get
English.
"""

from __future__ import annotations

__all__ = ["CATALOG", "is_chinese", "language_of", "say"]

# key: (English, Chinese)
CATALOG: dict[str, tuple[str, str]] = {
    # the error policy
    "token_refused": (
        "Your NEMO_TOKEN was refused (expired or invalid): get a new one, or unset "
        "NEMO_TOKEN to use an anonymous token.",
        "NEMO_TOKEN 被拒绝（已过期或无效）：请换一个新的，或取消设置 NEMO_TOKEN 以使用匿名令牌。",
    ),
    "session_lost": (
        "The session expired, so I started a new one. The previous timeline is gone.",
        "会话已过期，已为你新建会话。之前的时间线已经不在了。",
    ),
    "credits_out_link": (
        "You are out of credits. Register to get more (your work stays with you): {link}",
        "积分已用完。注册即可获得更多积分（你的作品会保留）：{link}",
    ),
    "credits_out_register": (
        "You are out of credits. Register to get more: {link}",
        "积分已用完。注册即可获得更多积分：{link}",
    ),
    "credits_out_topup": (
        "You are out of credits. Top up your NemoVideo account to continue.",
        "积分已用完。请为 NemoVideo 账户充值后继续。",
    ),
    "type_unsupported": (
        "That file type is not supported. Accepted formats: {formats}.",
        "不支持这种文件类型。支持的格式：{formats}。",
    ),
    "too_large": (
        "That file is too large (the limit is 500 MB). Compress it or trim it, then try again.",
        "文件太大（上限 500 MB）。请压缩或裁剪后再试。",
    ),
    "export_blocked": (
        "Export is not available on the free plan (a subscription tier, not credits). "
        "Upgrade the plan on nemovideo.com to export.",
        "免费套餐不能导出（这与积分无关，是订阅等级的限制）。请在 nemovideo.com 升级套餐后导出。",
    ),
    "unreadable_answer": (
        "The service sent an answer this toolkit cannot read: {text}",
        "服务返回了无法读取的应答：{text}",
    ),
    "token_quota": (
        "This network address has used up its anonymous tokens for now (the service gives "
        "about 10 per address a week). Set NEMO_TOKEN to your own token to go on now, or try "
        "again in about {hours} h.",
        "这个网络地址的匿名令牌已用完（服务每周约给每个地址 10 个）。"
        "设置 NEMO_TOKEN 为你自己的令牌即可继续，或约 {hours} 小时后再试。",
    ),
    "rate_limited_long": (
        "Rate limited: the service asks to wait {minutes} minutes. Try again later.",
        "请求过于频繁：服务要求等待 {minutes} 分钟，请稍后再试。",
    ),
    "still_rate_limited": (
        "Still rate-limited after waiting. Try again later.",
        "等待之后仍然请求过于频繁，请稍后再试。",
    ),
    "service_failing": (
        "The service is failing (HTTP {status}). Try again later.",
        "服务出现故障（HTTP {status}），请稍后再试。",
    ),
    "refused": (
        "The service refused the request ({what}){reason}",
        "服务拒绝了请求（{what}）{reason}",
    ),
    "exhausted_token": (
        "The service keeps refusing new tokens. Try again later.",
        "服务一直拒绝新的令牌，请稍后再试。",
    ),
    "exhausted_session": (
        "The service keeps losing the session. Try again later.",
        "服务一直丢失会话，请稍后再试。",
    ),
    "exhausted_client": (
        "The service keeps refusing the client id. Try again later.",
        "服务一直拒绝客户端 ID，请稍后再试。",
    ),
    # the conversation
    "unreachable": ("Could not reach the service: {reason}", "无法连接服务：{reason}"),
    "refused_plain": ("The service refused the request: {text}", "服务拒绝了请求：{text}"),
    "request_failed": ("The request failed.", "请求失败。"),
    "no_token": (
        "The service answered the token request without a token.",
        "服务回应了令牌请求，但没有给出令牌。",
    ),
    "no_session_id": (
        "The service created a session without an id.",
        "服务创建了会话，但没有给出会话 ID。",
    ),
    "which_files": (
        "Which files? Give me their paths (or URLs) and I'll upload them.",
        "要上传哪些文件？告诉我文件路径（或链接），我来上传。",
    ),
    "uploading": ("Uploading {name} {percent}%", "正在上传 {name} {percent}%"),
    "uploaded": ("Uploaded {name} ({details})", "已上传 {name}（{details}）"),
    "bad_answer": (
        "The service's answer broke the protocol ({error}).",
        "服务的回应违反了协议（{error}）。",
    ),
    "chat_stopped": (
        "The chat stopped early: {problem}. I did not send your message again "
        "(that would charge twice); here is what the timeline shows now.",
        "对话提前中断：{problem}。我没有重新发送你的消息（那样会重复扣费）；下面是时间线现在的内容。",
    ),
    "problem_protocol": ("the stream broke the protocol ({error})", "数据流违反了协议（{error}）"),
    "problem_broken": ("the connection broke ({reason})", "连接中断（{reason}）"),
    "problem_failed": ("the connection failed ({reason})", "连接失败（{reason}）"),
    "problem_agent": ("the agent reported an error: {message}", "智能体报告了错误：{message}"),
    "problem_cap": ("the agent ran past the 15-minute limit", "智能体运行超过了 15 分钟上限"),
    "still_working": ("⏳ Still working...", "⏳ 仍在处理中..."),
    "credits_available": ("{count} available", "可用 {count}"),
    "credits_frozen": ("{count} frozen by running jobs", "{count} 被进行中的任务冻结"),
    "credits": ("Credits: {parts} ({total} in total).", "积分：{parts}（共 {total}）。"),
    "separator": (", ", "，"),
    "nothing_to_export": (
        "Nothing to export yet: {problems}.",
        "还没有可以导出的内容：{problems}。",
    ),
    "upload_first": (
        " Upload photos or clips and tell me what to make first.",
        "请先上传图片或视频，并告诉我要做什么。",
    ),
    "render_maybe_started": (
        "The render {render_id} may have started before the connection failed. "
        "It is saved: resume the export later to pick it up.",
        "连接中断前，渲染 {render_id} 可能已经开始。它已被保存：稍后继续导出即可接上。",
    ),
    "rendering": ("Rendering the video...", "正在渲染视频..."),
    "rendering_progress": ("Rendering {percent}%", "渲染中 {percent}%"),
    "video_ready": ("Your video is ready.{notes}", "视频已完成。{notes}"),
    "already_rendered": (
        "This timeline was already rendered: here is the same video again.",
        "这条时间线已经渲染过了：这是同一个视频。",
    ),
    "already_rendering": (
        "This timeline is already rendering: following that render instead of starting another.",
        "这条时间线正在渲染：继续跟进这次渲染，不再重新开始。",
    ),
    "note": (" Note: {warning}.", " 注意：{warning}。"),
    "render_failed": ("The render failed: {reason}", "渲染失败：{reason}"),
    "render_over_an_hour": (
        "The render {render_id} is still running after an hour. It is saved: resume polling later.",
        "渲染 {render_id} 一小时后仍在进行。它已被保存：稍后可以继续查询。",
    ),
    "cancelled": ("Cancelled the render {render_id}.", "已取消渲染 {render_id}。"),
    "nothing_to_cancel": (
        "Nothing is rendering, so there is nothing to cancel.",
        "没有正在进行的渲染，无需取消。",
    ),
    "abandoned": (
        "Stopped. A request already sent may still complete on the server.",
        "已停止。已经发出的请求可能仍会在服务器上完成。",
    ),
    "abandoned_chat": (
        "Stopped. The agent may still carry out your last message; "
        "I'll show what changed at the start of the next turn.",
        "已停止。智能体可能仍会执行你的上一条消息；下一轮开始时我会显示时间线的变化。",
    ),
    "abandoned_render": (
        "Stopped waiting. The render {render_id} keeps going on the server: "
        "resume the export to pick it up, or cancel it.",
        "已停止等待。渲染 {render_id} 仍在服务器上进行：可以继续导出接上它，或取消它。",
    ),
    "silent_nothing": (
        "The agent finished without a reply, and nothing changed in the timeline.",
        "智能体没有回复就结束了，时间线也没有变化。",
    ),
    "silent_changes": (
        "The agent finished without a reply. What changed: {changes}.",
        "智能体没有回复就结束了。变化：{changes}。",
    ),
    "nothing_changed": ("Nothing changed in the timeline.", "时间线没有变化。"),
    "changes": ("Timeline changes: {changes}.", "时间线的变化：{changes}。"),
    # the command line
    "saved": ("Saved {path} ({length}{size} MB)", "已保存 {path}（{length}{size} MB）"),
    "saved_stand_in": (
        "Saved {path}, but it is a {size} MB stand-in from the cassette, not a playable "
        "video: the recording left the video out (record with --keep-media-under to keep it).",
        "已保存 {path}，但它是录制文件中的 {size} MB 替代文件，不是可播放的视频："
        "录制时未保留视频（录制时加 --keep-media-under 可保留）。",
    ),
    "seconds": ("{seconds} s, ", "{seconds} 秒，"),
    "using_samples": (
        "Using the sample photos and logo in {folder}",
        "使用 {folder} 中的示例图片和 logo",
    ),
    "chat_hello": ('Say what you want ("quit" to leave).', "说出你想要的效果（输入 quit 退出）。"),
    "interrupted_render": (
        "Interrupted. The render {render_id} is kept: run `nemo export --resume` to pick it up.",
        "已中断。渲染 {render_id} 已保存：运行 `nemo export --resume` 即可接上。",
    ),
    "target_is_folder": (
        "-o {path} is a folder: name the video file, for example {path}/promo.mp4.",
        "-o {path} 是一个文件夹：请给出视频文件名，例如 {path}/promo.mp4。",
    ),
    "target_no_folder": (
        "-o {path}: the folder {folder} does not exist, so nothing was uploaded or spent.",
        "-o {path}：文件夹 {folder} 不存在，因此没有上传任何内容，也没有花费额度。",
    ),
    "target_not_writable": (
        "-o {path}: cannot write there ({reason}), so nothing was uploaded or spent.",
        "-o {path}：无法写入（{reason}），因此没有上传任何内容，也没有花费额度。",
    ),
    "download_failed": (
        "Could not save the video to {path} ({reason}); the render {render_id} is kept: "
        "run `nemo export --resume {render_id}` to download it again.",
        "无法把视频保存到 {path}（{reason}）；渲染 {render_id} 已保存："
        "运行 `nemo export --resume {render_id}` 即可重新下载。",
    ),
    "video_gone": (
        "Could not save the video to {path}: the service no longer has it ({reason}). "
        "Export again to render this timeline anew.",
        "无法把视频保存到 {path}：服务上已没有这个视频（{reason}）。"
        "再导出一次即可重新渲染这条时间线。",
    ),
    "render_kept": (
        "The render {render_id} is kept: run `nemo export --resume {render_id}` to download it.",
        "渲染 {render_id} 已保存：运行 `nemo export --resume {render_id}` 即可下载。",
    ),
    "disk_full": (
        "There is no space left on the disk that holds {folder}: free some space and "
        "run the command again.",
        "{folder} 所在的磁盘已满：请腾出空间后再运行一次。",
    ),
    "disk_full_reason": ("the disk that holds {folder} is full", "{folder} 所在的磁盘已满"),
    "batch_interrupted": (
        "Interrupted: {made} of {rows} rows have their video. Run the same command again to "
        "resume; renders already paid for are kept.",
        "已中断：{rows} 行中 {made} 行已有视频。再次运行同一命令即可继续；已付费的渲染会保留。",
    ),
    "batch_done": (
        "{made} of {rows} rows have their video; results in {results}",
        "{rows} 行中 {made} 行已有视频；结果见 {results}",
    ),
}


def is_chinese(language: str) -> bool:
    return language.lower().replace("_", "-").startswith("zh")


def say(key: str, language: str = "en", **params: object) -> str:
    """The message ``key`` in ``language`` (English when there is no translation)."""
    english, chinese = CATALOG[key]
    return (chinese if is_chinese(language) else english).format(**params)


def language_of(text: str, otherwise: str) -> str:
    """The language a user wrote in: Chinese characters, else Latin letters, else
    ``otherwise`` (digits, emoji, a file alone say nothing)."""
    if any("\u3400" <= c <= "\u9fff" for c in text):
        return "zh"
    if any(c.isascii() and c.isalpha() for c in text):
        return "en"
    return otherwise
