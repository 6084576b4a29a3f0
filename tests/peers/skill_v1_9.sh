# The vendor's skill sequence (nemovideo/nemovideo_skills SKILL.md, v1.9), transcribed from
# its text as quoted in ../shared/api-notes.md: nothing here comes from this project's
# client or fake. Each step cites the section of api-notes.md it follows.
# Input: $API (base URL), $USER_PATH ("me", or "user_id" for the older skills and
# nemo-generate 1.8.9, which put the user's own id in the path), $POLL_SECONDS (the skill
# says 30; the test shortens it), photo.jpg in the working folder.
# Needs: bash, curl, python3.

json() {  # json '<python expression on d>': read the JSON on stdin
  python3 -c 'import json, sys; d = json.load(sys.stdin); v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# "Headers on every request" [D]: the three X-Skill-* headers (the token is added below)
SKILL=(-H "X-Skill-Source: maker-free-online" -H "X-Skill-Version: 1.0.0"
       -H "X-Skill-Platform: unknown")

# "Anonymous token" [D]: POST /api/auth/anonymous-token, no body, header X-Client-Id
CLIENT_ID=$(python3 -c 'import uuid; print(uuid.uuid4())')
curl -s -X POST "$API/api/auth/anonymous-token" -H "X-Client-Id: $CLIENT_ID" "${SKILL[@]}" \
  > token.json
test "$(json 'd["code"]' < token.json)" = 0
TOKEN=$(json 'd["data"]["token"]' < token.json)
USER_ID=$(json 'd["data"]["user_id"]' < token.json)
AUTH=(-H "Authorization: Bearer $TOKEN" "${SKILL[@]}")
WHO=me
[ "$USER_PATH" = user_id ] && WHO=$USER_ID

# "Session" [D]: POST /api/tasks/me/with-session/nemo_agent {"task_name","language"}
curl -s -X POST "$API/api/tasks/me/with-session/nemo_agent" "${AUTH[@]}" \
  -H "Content-Type: application/json" -d '{"task_name":"project","language":"en"}' > session.json
SID=$(json 'd["data"]["session_id"]' < session.json)
[[ "$SID" =~ ^[0-9]+$ ]]  # "the session id is a numeric string"

# "Credits" [D]: GET /api/credits/balance/simple -> available, frozen, total
BEFORE=$(curl -s "$API/api/credits/balance/simple" "${AUTH[@]}" | json 'd["data"]["available"]')

# "Upload" [D]: POST /api/upload-video/nemo_agent/me/<sid>, multipart `files` fields
curl -s -X POST "$API/api/upload-video/nemo_agent/$WHO/$SID" "${AUTH[@]}" \
  -F "files=@photo.jpg" > upload.json
test "$(json 'd["code"]' < upload.json)" = 0
test "$(json 'd["data"]["files"][0]["filename"]' < upload.json)" = photo.jpg

# "Chat (SSE)": POST /run_sse, Accept: text/event-stream, the ADK run request; one
# `data:` line per event, the stream just closes; heartbeats are `:` comments, empty
# `data:` lines and {"type":"heartbeat"}
curl -sN -X POST "$API/run_sse" "${AUTH[@]}" -H "Accept: text/event-stream" \
  -H "Content-Type: application/json" \
  -d "{\"app_name\":\"nemo_agent\",\"user_id\":\"me\",\"session_id\":\"$SID\",
       \"new_message\":{\"role\":\"user\",\"parts\":[{\"text\":\"make a 4 second video\"}]},
       \"streaming\":false}" > chat.sse
python3 - <<'PY'
import json
texts = []
for line in open("chat.sse", encoding="utf-8"):
    line = line.rstrip("\n")
    if not line.startswith("data:") or not line[5:].strip():
        continue  # comments and empty data lines: heartbeats
    event = json.loads(line[5:])
    if event.get("type") == "heartbeat":
        continue
    assert "error" not in event, event
    for part in event.get("content", {}).get("parts", []):
        if "text" in part and not part.get("thought"):
            texts.append(part["text"])
assert texts, "the agent said nothing"
print("agent:", texts[-1])
PY

# "State" [D]: GET /api/state/nemo_agent/me/<sid>/latest -> data.state.draft
curl -s "$API/api/state/nemo_agent/$WHO/$SID/latest" "${AUTH[@]}" > state.json
DRAFT=$(json 'd["data"]["state"]["draft"]' < state.json)
# "Draft (timeline) JSON": exportable when some track has a non-empty `sg`
test "$(json 'any(t.get("sg") for t in d["data"]["state"]["draft"]["t"])' < state.json)" = true

# "Render" [D]: POST /api/render/proxy/lambda {"id":"render_<ts>","sessionId","draft",
# "output":{"format":"mp4","quality":"high"}} with the state's draft
RID=render_$(python3 -c 'import time; print(int(time.time() * 1000))')
curl -s -X POST "$API/api/render/proxy/lambda" "${AUTH[@]}" -H "Content-Type: application/json" \
  -d "{\"id\":\"$RID\",\"sessionId\":\"$SID\",\"draft\":$DRAFT,
       \"output\":{\"format\":\"mp4\",\"quality\":\"high\"}}" > submit.json
test "$(json 'd["success"]' < submit.json)" = true

# "Render": poll GET /api/render/proxy/lambda/<id> every 30 s; the skill's current form
# (b, since v4.5.1 and in v1.9): status at the top level, the URL at output.url;
# pending -> processing -> completed | failed
STATUS=pending
for attempt in {1..600}; do
  curl -s "$API/api/render/proxy/lambda/$RID" "${AUTH[@]}" > poll.json
  STATUS=$(json 'd["status"]' < poll.json)
  case "$STATUS" in completed|failed) break ;; esac
  python3 -c "import time; time.sleep(float('${POLL_SECONDS:-30}'))"
done
echo "poll: $(< poll.json)"
test "$STATUS" = completed
test "$(json 'd["progress"]' < poll.json)" = 100

# download output.url; "fallback download GET /api/render/proxy/<id>/download"
curl -s -o video.mp4 "$(json 'd["output"]["url"]' < poll.json)"
curl -s -o fallback.mp4 "$API/api/render/proxy/$RID/download" "${AUTH[@]}"
python3 -c 'import sys
for name in ("video.mp4", "fallback.mp4"):
    head = open(name, "rb").read(12)
    assert head[4:8] == b"ftyp", (name, head)'

# "The vendor's text says export does not cost credits (editing and generation do)":
# one chat turn was charged, the export nothing
AFTER=$(curl -s "$API/api/credits/balance/simple" "${AUTH[@]}" | json 'd["data"]["available"]')
echo "credits: $BEFORE before, $AFTER after"
CHAT_COST=$(( BEFORE - AFTER ))
echo "charged: $CHAT_COST"
