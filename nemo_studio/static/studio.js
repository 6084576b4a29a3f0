// nemo studio: the page. Plain ES module, no build step.
// Everything from the agent, the server or a file name is put in the page as text
// (textContent, properties): nothing here ever parses a string as HTML.
import { WORDS, hasChinese, hasLatinWords } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);
const MAX_FILE_BYTES = 500 * 1024 * 1024; // the studio's (and the service's) limit per file
const log = $("log");
const state = {
  lastId: 0,
  gaps: 0, // events missed (must stay 0: a reconnect sends Last-Event-ID)
  connections: 0,
  busy: false,
  bubble: null, // the agent bubble that streamed pieces go into
  notice: null, // the last "still working" line, replaced by the next one
  rows: new Map(), // a number per file picked -> {name, shown, row, bar, status, service}
  rowCount: 0,
  choice: "auto", // the language switch
  detected: null, // the language of the user's last message
  shownTimeline: "", // the timeline last drawn, as JSON
  videoTimeline: null, // the timeline the shown video was made from
};

// -- language --------------------------------------------------------------------

function language() {
  if (state.choice === "en" || state.choice === "zh") return state.choice;
  if (state.detected) return state.detected;
  return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
}

function t(key, params = {}) {
  const words = WORDS[language()] || WORDS.en;
  let text = words[key] ?? WORDS.en[key] ?? key;
  for (const [name, value] of Object.entries(params)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

function applyLanguage() {
  document.documentElement.lang = language() === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-t]")) {
    node.textContent = t(node.dataset.t, node.dataset.aspect ? { a: node.dataset.aspect } : {});
  }
  for (const node of document.querySelectorAll("[data-t-label]")) node.setAttribute("aria-label", t(node.dataset.tLabel));
  for (const node of document.querySelectorAll("[data-t-placeholder]")) node.placeholder = t(node.dataset.tPlaceholder);
  $("progress").setAttribute("aria-label", t("progress"));
  $("files").setAttribute("aria-label", t("files"));
  for (const entry of state.rows.values()) entry.bar.setAttribute("aria-label", t("upload_progress", { name: entry.shown }));
  if (state.credits !== undefined) showCredits(state.credits);
}

// -- small DOM helpers -----------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// A label that follows the language switch, old lines as well as new ones.
function translated(node, key) {
  node.dataset.t = key;
  node.textContent = t(key);
  return node;
}

function addToLog(node) {
  log.querySelector(".hint")?.remove();
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(node);
  if (atBottom) log.scrollTop = log.scrollHeight;
  return node;
}

function line(kind, text) {
  state.bubble = null;
  return addToLog(el("p", `entry ${kind}`, text));
}

function seconds(value) {
  return t("seconds", { s: Number(value).toFixed(1).replace(/\.0$/, "") });
}

// -- the server's events -----------------------------------------------------------------

function onEvent(event) {
  switch (event.type) {
    case "user": return showUser(event);
    case "message": return showMessage(event.message);
    case "busy": return setBusy(event.busy);
    case "timeline": return drawTimeline(event.timeline);
    case "credits": return showCredits(event.available);
    case "video": return showVideo(event);
    case "media": return showMedia(event.files);
  }
}

function showUser(event) {
  // a render cancelled, resumed or exported again: its Cancel/Keep question is answered
  if (["cancel_render", "resume_render", "export"].includes(event.action)) {
    for (const box of log.querySelectorAll(".entry.choice")) box.remove();
  }
  state.bubble = null;
  state.notice = null;
  const entry = el("div", "entry user");
  entry.append(translated(el("span", "who"), "you"));
  if (event.text) entry.append(el("p", "said", event.text));
  else if (event.action !== "say" && event.action !== "chat") {
    entry.append(WORDS.en[event.action] ? translated(el("p", "said action"), event.action) : el("p", "said action", event.action));
  }
  if (event.files?.length) {
    const list = el("ul", "attached");
    for (const name of event.files) list.append(el("li", "", name));
    entry.append(list);
  }
  addToLog(entry);
}

function agentBubble() {
  if (!state.bubble) {
    const entry = el("div", "entry agent");
    entry.append(translated(el("span", "who"), "agent"));
    const text = el("p", "said");
    entry.append(text);
    addToLog(entry);
    state.bubble = text;
  }
  return state.bubble;
}

function showMessage(message) {
  const data = message.data || {};
  switch (message.kind) {
    case "text_piece": {
      const piece = el("span", "piece", message.text);
      agentBubble().append(piece);
      highlight(data.suggested_actions);
      log.scrollTop = log.scrollHeight;
      return;
    }
    case "agent_text":
      state.bubble = null;
      agentBubble().append(el("span", "piece", message.text));
      highlight(data.suggested_actions);
      state.bubble = null;
      return;
    case "still_working":
      if (state.notice?.isConnected) state.notice.textContent = message.text;
      else state.notice = line("notice working", message.text);
      return;
    case "progress":
      return showProgress(data);
    case "uploaded": {
      // the service may rename a file: else the first row whose bytes all went
      const entry = findRow(data.filename)
        || [...state.rows.values()].find((e) => !e.done && e.service >= 1);
      if (entry) setRow(entry, 1, t("uploaded"), true);
      updateUploadBar();
      return line("notice uploaded", message.text);
    }
    case "render_started":
      markStale(true); // the shown video is not what is being made now
      setProgress(data.fraction || 0, t("rendering", { p: Math.round((data.fraction || 0) * 100) }));
      return line("notice", message.text);
    case "video_ready":
      setProgress(null);
      highlight([]); // the video is made: nothing invites another Export
      return line("notice ready", data.duration ? t("video_ready", { d: seconds(data.duration) }) : message.text);
    case "tracks":
      return; // drawn as the timeline picture (the "timeline" event)
    case "error":
      setProgress(null);
      return line("error", message.text);
    case "abandoned":
      setProgress(null);
      line("notice", message.text);
      if (data.pending_renders?.length) offerRenderChoice();
      return;
    case "heartbeat":
      return;
    default: // notice, credits, timeline_changes, anything new
      if (message.text) line("notice", message.text);
  }
}

function offerRenderChoice() {
  const box = el("div", "entry choice");
  const cancel = el("button", "secondary", t("cancel_render"));
  const keep = el("button", "secondary", t("keep_watching"));
  cancel.type = keep.type = "button";
  cancel.addEventListener("click", () => { box.remove(); turn({ action: "cancel_render" }); });
  keep.addEventListener("click", () => { box.remove(); turn({ action: "resume_render" }); });
  box.append(cancel, keep);
  addToLog(box);
}

function highlight(actions) {
  $("export").classList.toggle("suggested", Boolean(actions?.includes("export")));
}

// -- progress --------------------------------------------------------------------------

function setProgress(fraction, text = "") {
  const bar = $("progress");
  if (fraction === null) {
    bar.hidden = true;
    $("progress-text").textContent = "";
    return;
  }
  bar.hidden = false;
  bar.value = Math.max(0, Math.min(1, fraction));
  bar.setAttribute("aria-valuetext", text);
  $("progress-text").textContent = text;
}

function showProgress(data) {
  if (data.what === "render") {
    const p = Math.round((data.fraction || 0) * 100);
    setProgress(data.fraction >= 1 ? 1 : data.fraction || 0, t("rendering", { p }));
    return;
  }
  if (data.what === "upload" && data.name) {
    const entry = findRow(data.name) || addRow(data.name);
    entry.service = data.fraction || 0;
    const fraction = 0.5 + entry.service / 2; // the service's share: the bar's second half
    setRow(entry, fraction, t("uploading", { p: Math.round(fraction * 100) }));
    updateUploadBar();
  }
}

// One row per file picked; two files of one name are told apart by a number and by
// their own small picture.
function addRow(name, file) {
  const twins = [...state.rows.values()].filter((e) => e.name === name).length;
  const shown = twins ? `${name} (${twins + 1})` : name;
  const row = el("li", "file");
  const label = el("span", "name");
  if (file?.type.startsWith("image/")) {
    const img = el("img", "file-thumb");
    img.src = URL.createObjectURL(file);
    img.alt = "";
    img.addEventListener("load", () => URL.revokeObjectURL(img.src), { once: true });
    label.append(img);
  }
  label.append(document.createTextNode(shown));
  const bar = el("progress");
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute("aria-label", t("upload_progress", { name: shown }));
  const status = el("span", "status", t("waiting"));
  row.append(label, bar, status);
  $("files").append(row);
  const entry = { name, shown, row, bar, status, done: false };
  state.rows.set(++state.rowCount, entry);
  return entry;
}

function findRow(name) {
  return [...state.rows.values()].find((e) => e.name === name && !e.done);
}

function setRow(entry, fraction, text, done = false) {
  entry.bar.value = fraction;
  entry.status.textContent = text;
  entry.done = done || entry.done;
  entry.row.classList.toggle("done", entry.done);
}

function updateUploadBar() {
  const entries = [...state.rows.values()].filter((e) => !e.settled);
  if (!entries.length) return;
  const total = entries.reduce((sum, e) => sum + (e.done ? 1 : e.bar.value), 0) / entries.length;
  if (entries.every((e) => e.done)) {
    for (const e of entries) e.settled = true;
    setProgress(null);
    return;
  }
  setProgress(total, t("uploading_all", { p: Math.round(total * 100) }));
}

// -- the timeline picture ---------------------------------------------------------------

function drawTimeline(view) {
  // compared with the timeline as it was when this turn began (a turn may draw it twice)
  const before = state.turnBase ? JSON.parse(state.turnBase) : null;
  state.shownTimeline = JSON.stringify(view);
  if (state.videoTimeline !== null) markStale(state.shownTimeline !== state.videoTimeline);
  const figure = $("timeline");
  figure.replaceChildren();
  $("shot-preview").hidden = true;
  const tracks = (view.tracks || []).filter((track) => track.shots.length);
  if (!tracks.length) {
    figure.append(el("p", "empty", t("no_timeline")));
    return;
  }
  // what the last turn changed: the shape, and each shot that is new or moved
  const seen = new Set((before?.tracks || []).flatMap((tr) => tr.shots.map(shotKey)));
  const caption = el("figcaption", "caption");
  if (view.aspect) {
    const aspect = translated(el("span", "aspect"), "shape");
    aspect.textContent = t("shape", { a: view.aspect });
    aspect.dataset.aspect = view.aspect;
    aspect.classList.toggle("changed", Boolean(before && before.aspect !== view.aspect));
    caption.append(aspect);
  }
  if (view.title) caption.append(el("span", "title", view.title));
  const total = Math.max(view.duration_s || 0, 0.1);
  const ruler = el("div", "ruler");
  figure.append(el("div", "track-name"), caption, el("div", "track-name"), ruler);
  // labels at least 48 px apart, whatever the screen's width
  const width = Math.max(ruler.clientWidth, 100);
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300].find((s) => (width * s) / total >= 48) || 600;
  const marks = [];
  for (let s = 0; s <= total + 1e-6; s += step) marks.push(s);
  if ((width * (total - marks[marks.length - 1])) / total >= 48) marks.push(total); // the end, labelled
  for (const s of marks) {
    const tick = el("span", "tick", seconds(s));
    tick.style.left = `${(s / total) * 100}%`;
    ruler.append(tick);
  }
  const counts = {};
  for (const track of tracks) counts[track.kind] = (counts[track.kind] || 0) + 1;
  const numbers = {};
  for (const track of tracks) {
    numbers[track.kind] = (numbers[track.kind] || 0) + 1;
    const name = t(`track_${track.kind}`) + (counts[track.kind] > 1 ? ` ${numbers[track.kind]}` : "");
    figure.append(el("div", "track-name", name));
    const lane = el("div", `lane ${track.kind}`);
    for (const shot of track.shots) {
      const box = el("button", `shot ${shot.type}`);
      box.type = "button";
      box.style.left = `${(shot.start_s / total) * 100}%`;
      box.style.width = `${Math.max(0.5, ((shot.end_s - shot.start_s) / total) * 100)}%`;
      const label = shot.type === "audio" && shot.label === "music" ? t("music") : shot.label;
      const times = `${seconds(shot.start_s)} – ${seconds(shot.end_s)}`;
      box.title = `${label}\n${times}`;
      box.setAttribute("aria-label", `${label}, ${times}`);
      if (before && !seen.has(shotKey(shot))) box.classList.add("changed");
      if (shot.thumb) {
        const img = el("img");
        img.src = shot.thumb;
        img.alt = label;
        img.addEventListener("error", () => img.remove()); // no picture: the label stays
        box.append(img);
      }
      box.append(el("span", "label", label), el("span", "times", times));
      box.addEventListener("click", () => previewShot(shot, label, times));
      lane.append(box);
    }
    figure.append(lane);
  }
}

function shotKey(shot) {
  return `${shot.type}|${shot.label}|${shot.start_s}|${shot.end_s}`;
}

// A shot clicked in the timeline: its picture large, its name and times.
function previewShot(shot, label, times) {
  const box = $("shot-preview");
  box.replaceChildren();
  if (shot.thumb) {
    const img = el("img");
    img.src = shot.thumb;
    img.alt = label;
    box.append(img);
  }
  box.append(el("figcaption", "", `${label} · ${times}`));
  box.hidden = false;
}

function showMedia(files) {
  const list = $("media");
  list.replaceChildren();
  for (const file of files) {
    const item = el("li", "");
    const img = el("img");
    img.src = file.thumb;
    img.alt = "";
    img.addEventListener("error", () => img.remove()); // a video or a sound: its name says it
    item.append(img, el("span", "", file.name));
    list.append(item);
  }
}

// -- credits, video ------------------------------------------------------------------------

function showCredits(available) {
  state.credits = available;
  $("credits").textContent = available === null || available === undefined
    ? "" : t("credits", { n: Math.round(available).toLocaleString() });
}

// The video and its Download stay, but say so once the timeline moved on (or a new
// render started): the person never takes an old video for the current one.
function markStale(stale) {
  state.stale = stale;
  $("stale").hidden = !stale || $("video").hidden;
  $("download").hidden = $("video").hidden || (stale && state.busy);
  $("stage").classList.toggle("stale", stale);
}

function fitStage() {
  const video = $("video");
  if (video.videoWidth && video.videoHeight) {
    $("stage").style.setProperty("--aspect", String(video.videoWidth / video.videoHeight));
  }
}

function showVideo(event) {
  hidePreview(); // the export itself now: the preview gives way
  const video = $("video");
  state.videoTimeline = state.shownTimeline;
  video.src = event.src;
  video.hidden = false;
  $("empty-stage").hidden = true;
  const link = $("download");
  link.href = `${event.src}?download=${encodeURIComponent(event.name)}`;
  link.download = event.name;
  link.hidden = false;
  markStale(false);
  highlight([]);
}

// -- the free preview: the timeline rendered small by the studio, marked as such -----------

async function makePreview() {
  if (state.previewing) return; // a double click: one preview
  state.previewing = true;
  $("preview").disabled = true;
  $("activity").textContent = t("previewing");
  try {
    const response = await fetch("/api/preview", { method: "POST" });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) line("error", answer.error || `${response.status} ${response.statusText}`);
    else showPreview(answer);
  } catch {
    line("error", t("not_sent", { name: t("preview") }));
  } finally {
    state.previewing = false;
    $("preview").disabled = false;
    $("activity").textContent = state.busy ? t("working") : "";
  }
}

function showPreview(answer) {
  const video = $("video");
  video.pause();
  video.hidden = true;
  $("empty-stage").hidden = true;
  $("preview-video")?.remove();
  const sheet = $("preview-sheet");
  const moving = answer.kind === "video";
  sheet.hidden = moving;
  translated($("preview-badge"), moving ? "preview_badge" : "preview_sheet").hidden = false;
  $("stage").style.setProperty("--aspect", String(answer.width / answer.height));
  if (moving) {
    // made for each preview and removed after it: the page's one <video> is the export's
    const clip = el("video", "preview");
    Object.assign(clip, { id: "preview-video", controls: true, muted: true, loop: true, playsInline: true });
    clip.disablePictureInPicture = true;
    clip.setAttribute("controlslist", "nodownload noremoteplayback");
    clip.setAttribute("data-t-label", "preview_badge");
    clip.setAttribute("aria-label", t("preview_badge"));
    clip.addEventListener("timeupdate", movePlayhead);
    clip.src = answer.src;
    $("stage").prepend(clip);
    clip.play().catch(() => {}); // muted: it may start by itself; else its controls do
  } else {
    sheet.src = answer.src;
    sheet.alt = t("preview_sheet");
  }
  markStale(Boolean(state.stale));
  $("stage").scrollIntoView({ block: "nearest" }); // on a phone the stage is below the chat
}

function hidePreview() {
  $("preview-video")?.remove();
  $("preview-sheet").hidden = $("preview-badge").hidden = true;
  $("timeline").querySelector(".playhead")?.remove();
}

// A line over the timeline where the playing video is (the preview or the export).
function movePlayhead(event) {
  const video = event.target;
  if (!video.duration || video.hidden) return;
  const figure = $("timeline");
  if (figure.querySelector(".empty")) return;
  let head = figure.querySelector(".playhead");
  if (!head) {
    head = el("div", "playhead");
    head.setAttribute("aria-hidden", "true");
    figure.append(head);
  }
  head.style.setProperty("--at", String(Math.min(1, video.currentTime / video.duration)));
}

// -- busy --------------------------------------------------------------------------------

function setBusy(busy) {
  if (busy && !state.busy) state.turnBase = state.shownTimeline;
  state.busy = busy;
  const focused = document.activeElement;
  $("stop").disabled = !busy;
  $("export").disabled = busy;
  $("send").disabled = busy;
  for (const button of document.querySelectorAll("[data-aspect]")) button.disabled = busy;
  $("new-video").disabled = busy;
  // a disabled button loses focus to the page: keep it on the control that now counts
  if (focused?.disabled) (busy ? $("stop") : $("export")).focus();
  $("activity").textContent = busy ? t("working") : "";
  document.body.classList.toggle("busy", busy);
  if (!busy) {
    state.bubble = null;
    for (const [name, entry] of state.rows) { // the log says what was uploaded
      if (entry.done) { entry.row.remove(); state.rows.delete(name); }
    }
    if (!$("progress").hidden && $("progress").value >= 1) setProgress(null);
    markStale(Boolean(state.stale)); // a render stopped: the older file is offered again, marked
  }
}

// -- requests ------------------------------------------------------------------------------

async function post(path, body, { quietIfBusy = false } = {}) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  if (response.status === 409 && quietIfBusy) return false; // already doing it
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    line("error", answer.error || `${response.status} ${response.statusText}`);
    return false;
  }
  return true;
}

function turn(body, options) {
  return post("/api/turn", { language: language(), ...body }, options);
}

function sendFile(file, entry) {
  // One request per file, so each file shows its own progress.
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/files?name=${encodeURIComponent(file.name)}&lang=${language()}`);
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const fraction = (e.loaded / e.total) / 2; // the bytes to the studio: the bar's first half
      setRow(entry, fraction, t("sending", { p: Math.round(fraction * 100) }));
      updateUploadBar();
    });
    xhr.addEventListener("load", () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch { answer = {}; }
      if (xhr.status === 200) {
        setRow(entry, 0.5, t("waiting"));
        resolve(answer.id);
      } else {
        refuse(entry, answer.error || `${xhr.status}`);
        resolve(null);
      }
    });
    xhr.addEventListener("error", () => { refuse(entry, t("not_sent", { name: file.name })); resolve(null); });
    xhr.send(file);
  });
}

// A refused file says why on its row and in the log; the others go on.
function refuse(entry, reason) {
  setRow(entry, 0, t("refused"));
  entry.settled = true;
  entry.row.classList.add("refused");
  entry.status.textContent = reason;
  line("error", reason);
}

async function upload(fileList) {
  const files = [...fileList];
  if (!files.length) return;
  for (const [name, entry] of state.rows) if (entry.settled) { entry.row.remove(); state.rows.delete(name); }
  const entries = files.map((file) => addRow(file.name, file));
  updateUploadBar();
  const ids = [];
  for (let i = 0; i < files.length; i++) {
    if (files[i].size > MAX_FILE_BYTES) { // refused here, before a byte is sent
      refuse(entries[i], t("too_large", { name: files[i].name, mb: MAX_FILE_BYTES / 1048576 }));
      continue;
    }
    const id = await sendFile(files[i], entries[i]);
    if (id !== null) ids.push(id);
  }
  const sent = entries.filter((entry) => !entry.settled);
  updateUploadBar();
  if (!ids.length) { setProgress(null); return; }
  if (!(await turn({ action: "upload", files: ids }))) {
    for (const entry of sent) { entry.settled = true; setRow(entry, 0, t("refused")); }
    setProgress(null);
  }
}

// -- events from the server: SSE with ids; EventSource reconnects with Last-Event-ID --------

function listen() {
  const source = new EventSource("/api/events");
  source.addEventListener("message", (message) => {
    const id = Number(message.lastEventId);
    if (id && id <= state.lastId) return; // seen already
    if (id && id !== state.lastId + 1) state.gaps += 1; // never expected: the server resends
    if (id) state.lastId = id;
    onEvent(JSON.parse(message.data));
    document.body.dataset.lastEvent = String(state.lastId);
    document.body.dataset.gaps = String(state.gaps);
  });
  source.addEventListener("open", () => {
    state.connections += 1;
    document.body.dataset.connections = String(state.connections);
  });
}

// -- wiring --------------------------------------------------------------------------------

function wire() {
  $("composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = $("message");
    const text = input.value.trim();
    if (!text || state.busy) return;
    if (hasChinese(text)) state.detected = "zh";
    else if (hasLatinWords(text)) state.detected = "en";
    if (state.detected) localStorage.setItem("nemo-studio-detected", state.detected); // kept on reload
    applyLanguage();
    input.value = "";
    if (!(await turn({ action: "say", text }))) input.value = text;
  });
  $("video").addEventListener("loadedmetadata", fitStage);
  $("preview").addEventListener("click", makePreview);
  $("video").addEventListener("timeupdate", movePlayhead);
  $("export").addEventListener("click", async () => {
    if (state.busy || state.exporting) return; // a double click: the first one counts
    state.exporting = true;
    try { await turn({ action: "export" }, { quietIfBusy: true }); } finally { state.exporting = false; }
  });
  $("stop").addEventListener("click", () => post("/api/stop"));
  // the shape buttons say what a person would type: the agent makes the edit
  for (const button of document.querySelectorAll("[data-aspect]")) {
    button.addEventListener("click", () => {
      if (!state.busy) turn({ action: "say", text: t("make_aspect", { a: button.dataset.aspect }) });
    });
  }
  $("new-video").addEventListener("click", async () => {
    if (await post("/api/new")) location.reload(); // a fresh conversation; the old one is kept
  });
  $("upload").addEventListener("change", (e) => { upload(e.target.files); e.target.value = ""; });
  $("language").addEventListener("change", (e) => {
    state.choice = e.target.value;
    localStorage.setItem("nemo-studio-language", state.choice);
    applyLanguage();
  });
  const drop = $("drop");
  let depth = 0;
  document.addEventListener("dragenter", (e) => { if (e.dataTransfer?.types.includes("Files")) { depth++; drop.hidden = false; } });
  document.addEventListener("dragleave", () => { depth = Math.max(0, depth - 1); if (!depth) drop.hidden = true; });
  document.addEventListener("dragover", (e) => e.preventDefault());
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    depth = 0;
    drop.hidden = true;
    if (e.dataTransfer?.files.length) upload(e.dataTransfer.files);
  });
}

state.choice = localStorage.getItem("nemo-studio-language") || "auto";
state.detected = localStorage.getItem("nemo-studio-detected");
$("language").value = state.choice;
applyLanguage();
wire();
listen();
