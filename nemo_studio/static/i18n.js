// The page's own words in English and Chinese. Conversation messages come translated
// from the server (nemo_core.texts); these are the labels around them.
export const WORDS = {
  en: {
    language: "Language", auto: "Auto (follow me)", conversation: "Conversation",
    hint: "Add product photos and a logo, then say what video you want.",
    upload: "Upload", message: "Message", send: "Send", export: "Export", stop: "Stop",
    placeholder: "Say what you want, e.g. a 10-second promo with music",
    preview: "Preview", no_video: "Your video shows here when it is ready.",
    preview_badge: "Preview · low resolution, free: not the export",
    preview_sheet: "Preview · one frame per shot, free: not the export",
    previewing: "Making the preview…",
    download: "Download", timeline: "Timeline",
    no_timeline: "The timeline appears after your first request.",
    drop: "Drop files to upload", credits: "Credits left: {n}", you: "You", agent: "Agent",
    sending: "sending {p}%", waiting: "waiting", uploading: "uploading {p}%", uploaded: "uploaded",
    refused: "refused", rendering: "Rendering {p}%", uploading_all: "Uploading {p}%",
    working: "Working…", video_ready: "Your video is ready ({d}).", seconds: "{s} s",
    cancel_render: "Cancel the render", keep_watching: "Keep watching",
    files: "Files", progress: "Progress", upload_progress: "Upload progress of {name}",
    track_video: "Pictures", track_audio: "Music", track_text: "Text", track_other: "Track",
    music: "music", resume_render: "Keep watching the render", status: "Timeline", credits_turn: "Credits",
    too_large: "{name} is larger than {mb} MB: it was not sent.",
    not_sent: "{name} could not be sent: check the connection and try again.",
    media: "Media", no_media: "Your uploads show here.",
    shape: "Shape {a}", shape_title: "Shape", make_aspect: "make it {a}", new_video: "New video",
    stale: "This video is from before your last change: Export again for the new one.",
  },
  zh: {
    language: "语言", auto: "自动（跟随我）", conversation: "对话",
    hint: "添加产品照片和标志，然后说出您想要的视频。",
    upload: "上传", message: "消息", send: "发送", export: "导出", stop: "停止",
    placeholder: "说出您想要的，例如：一个 10 秒带音乐的宣传片",
    preview: "预览", no_video: "视频完成后会显示在这里。",
    preview_badge: "预览 · 低分辨率，免费：不是导出的视频",
    preview_sheet: "预览 · 每个镜头一帧，免费：不是导出的视频",
    previewing: "正在生成预览…",
    download: "下载", timeline: "时间线",
    no_timeline: "第一次请求后会显示时间线。",
    drop: "松开即可上传", credits: "剩余积分：{n}", you: "您", agent: "助手",
    sending: "发送中 {p}%", waiting: "等待中", uploading: "上传中 {p}%", uploaded: "已上传",
    refused: "已拒绝", rendering: "渲染中 {p}%", uploading_all: "上传中 {p}%",
    working: "处理中…", video_ready: "视频已完成（{d}）。", seconds: "{s} 秒",
    cancel_render: "取消渲染", keep_watching: "继续等待",
    files: "文件", progress: "进度", upload_progress: "{name} 的上传进度",
    track_video: "画面", track_audio: "音乐", track_text: "文字", track_other: "轨道",
    music: "音乐", resume_render: "继续等待渲染", status: "时间线", credits_turn: "积分",
    too_large: "{name} 超过 {mb} MB 的上限：没有发送。",
    not_sent: "{name} 无法发送：请检查网络后重试。",
    media: "素材", no_media: "上传的文件会显示在这里。",
    shape: "画幅 {a}", shape_title: "画幅", make_aspect: "改成 {a}", new_video: "新视频",
    stale: "这个视频是您上次修改之前的版本：再次导出即可得到新版本。",
  },
};

export function hasChinese(text) {
  return /[\u3400-\u9fff]/.test(text);
}

export function hasLatinWords(text) {
  return /[A-Za-z]{2,}/.test(text);
}
