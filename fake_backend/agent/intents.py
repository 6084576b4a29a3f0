"""What a turn asks for (``Turn``), and the word tables the grammar reads it with.

Every phrasing the agent understands is a row here, in English and Chinese; the
grammar (``grammar.py``) only walks these tables. Words are in their canonical
form (``words.canonical``: lower case, digits, ``seconds``/``minutes``/``hours``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_SECONDS = 600.0  # the fake's longest video: 10 minutes (docs/timeline.md)
MIN_SECONDS = 1.0  # the shortest total, and the shortest shot
STEP = 0.75  # "shorter": times 0.75; "longer": divided by it
VOLUME_STEP = 0.2  # "quieter" / "louder": this much of full volume

# -- slots ---------------------------------------------------------------------------

UNITS = {  # seconds per unit, canonical spellings
    "seconds": 1,
    "second": 1,
    "s": 1,
    "秒钟": 1,
    "秒": 1,
    '"': 1,
    "minutes": 60,
    "m": 60,
    "分钟": 60,
    "分": 60,
    "hours": 3600,
    "h": 3600,
    "个小时": 3600,
    "小时": 3600,
    "个钟头": 3600,
    "钟头": 3600,
}

# A duration is per photo when one of these follows it (or "each photo" precedes it).
PER_PHOTO_AFTER = (
    r"^\s*(?:per|each|a|for each|for every|every|on each|an?)\s+"
    r"(?:photo|image|picture|shot|slide|item|clip|frame|one)s?\b",
    r"^\s*each\b",
    r"^\s*(?:一张|每张|每个)",
)
PER_PHOTO_BEFORE = (
    r"\b(?:each|every|per)\s+(?:photo|image|picture|shot|slide|item|clip|one)s?"
    r"\s*(?:for|gets?|lasts?|is|to|at|should be|of|:)?\s*(?:about|around)?\s*$",
    r"(?:每张|每一张|每个镜头|每段|每幅|每张图|每张照片|每张图片)\s*(?:图片|照片|图)?\s*(?:都)?"
    r"\s*(?:停留|显示|放|展示|是|为|给)?\s*$",
)

# Aspect by platform or shape, checked in this order: the specific before the general.
ASPECTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "9:16",
        (
            "9:16",
            "9x16",
            "9 by 16",
            "tiktok",
            "reels",
            "reel",
            "shorts",
            "youtube short",
            "instagram story",
            "instagram stories",
            "facebook story",
            "for stories",
            "for my story",
            "for a story",
            "for the story",
            "story video",
            "story format",
            "stories format",
            "snapchat",
            "douyin",
            "vertical",
            "vertically",
            "portrait",
            "phone screen",
            "upright",
            "抖音",
            "快手",
            "视频号",
            "小红书",
            "竖屏",
            "竖版",
            "竖向",
            "竖",
        ),
    ),
    (
        "1:1",
        (
            "1:1",
            "1x1",
            "square",
            "instagram post",
            "instagram feed",
            "instagram",
            "facebook post",
            "方形",
            "正方形",
            "方屏",
            "方版",
        ),
    ),
    (
        "16:9",
        (
            "16:9",
            "16x9",
            "16 by 9",
            "youtube",
            "landscape",
            "horizontal",
            "horizontally",
            "widescreen",
            "wide screen",
            "tv",
            "bilibili",
            "b站",
            "横屏",
            "横版",
            "横向",
            "宽屏",
            "横",
        ),
    ),
)

# Quotes around words the user wants shown.
QUOTES = (
    r'"([^"]{1,80})"',
    r"「([^」]{1,80})」",
    r"『([^』]{1,80})』",
    r"《([^》]{1,80})》",
    r"(?:^|(?<=[\s:：(]))'([^']{1,80})'(?=$|[\s,.;!?，。；！？)])",
)

# What precedes a title's or a caption's words; the words run to the end of the clause.
# ``strict``: the words must look like a name (a capital, a digit, CJK) in the original.
TEXT_LEADS: tuple[tuple[str, str, bool], ...] = (  # (kind, pattern, strict)
    (
        "title",
        r"(?<![a-z])title(?:d| it| this)?\s*(?::|=|-|is|as|to|should be|reading|reads?|"
        r"saying|that says|says?|of|with|called|like)\s*",
        False,
    ),
    ("title", r"(?<![a-z])titled\s+", False),
    ("title", r"(?<![a-z])(?:call|name) (?:it|the video|the promo|this)\s+", False),
    ("title", r"(?<![a-z])(?:headline|heading)\s*(?::|is|to|saying|of)?\s*", True),
    ("title", r"(?<![a-z])(?:a|the|with|new|add|big) title\s+", True),
    ("title", r"(?<![a-z])title\s+", True),
    (
        "title",
        r"(?:标题|题目|片名|大标题|主标题)\s*(?:是|为|改成|改为|换成|写|叫|用|:|：)\s*",
        False,
    ),
    ("title", r"(?:标题|题目)\s*", True),
    ("title", r"(?:叫做|名字叫|取名|命名为)\s*", False),
    (
        "caption",
        r"(?<![a-z])(?:captions?|subtitles?|taglines?|slogan|tag line)\s*(?::|=|-|is|as|to|"
        r"should be|reading|reads?|saying|that says|says?|of|with|like)\s*",
        False,
    ),
    (
        "caption",
        r"(?<![a-z])(?:a|the|with|add|new) (?:captions?|subtitles?|taglines?|slogan)\s+",
        True,
    ),
    ("text", r"(?<![a-z])(?:text|words?|line)\s*(?::|=|saying|that says|reading|says)\s*", False),
    ("text", r"(?<![a-z])(?:the|with|add|some) (?:text|words)\s+", True),
    (
        "caption",
        r"(?:字幕|文字|文案|标语|口号|广告语)\s*(?:是|为|改成|改为|换成|写|用|:|：)\s*",
        False,
    ),
    ("caption", r"(?:字幕|标语|口号|广告语)\s*", True),
    (
        "cta",
        r"(?<![a-z])(?:call to action|call-to-action|cta)\s*(?::|=|-|is|as|to|saying|says|"
        r"that says|reading|reads?)\s*",
        False,
    ),
    ("cta", r"(?:行动号召|片尾文字|结尾文字)\s*(?:是|为|改成|改为|换成|写|用|:|：)\s*", False),
)
# Words that say where quoted words go: (kind, lead-ins), the nearest before the quote wins.
QUOTE_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("title", ("title", "headline", "heading", "call it", "name it", "标题", "题目", "叫")),
    ("caption", ("caption", "subtitle", "tagline", "slogan", "字幕", "文案")),
    ("text", ("text", "words", "文字")),
    (
        "cta",
        (
            "end with",
            "end on",
            "close with",
            "finish with",
            "call to action",
            "cta",
            "结尾",
            "片尾写",
            "最后写",
        ),
    ),
)
# A caption changed for one shot: (pattern with groups ``shot`` and ``words``).
SHOT_CAPTION = (
    r"(?i)\b(?:change|set|make|rename|update|edit|switch)\s+(?:the\s+)?(?:caption|subtitle|"
    r"text|words?|label)\s+(?:of|for|on|under|over)\s+(?:the\s+)?(?P<shot>.{1,40}?)\s+"
    r"(?:to|into|as|:)\s*(?P<words>.+?)\s*[.!。]?$",
    r"(?i)\b(?:change|set|make|rename|update|edit)\s+(?:the\s+)?(?P<shot>.{1,40}?)(?:'s|s')\s+"
    r"(?:caption|subtitle|text|words|label)\s+(?:to|into|as|:)\s*(?P<words>.+?)\s*[.!。]?$",
    r"(?:把|将)?(?P<shot>[^，,。把将]{1,14}?)的(?:字幕|文字|文案|说明|标签)\s*(?:改成|改为|换成|"
    r"设为|写成|改|是)\s*[:：]?\s*(?P<words>.+?)\s*[。！!]?$",
)
# Where unquoted words stop.
TEXT_STOPS = (
    r"[,.;!?，。；！？\n]",
    r"\s(?:and|with|plus|but|then|also|in|for|at|on|please|make|add|using|as|over|"
    r"under|to the|music|no|without|&)\b",
    r"(?:的(?:视频|宣传片|短片|片子|广告)|并且|然后|再|，|加上|加|配上|配|和背景|和音乐|音乐|不要)",
)
# Words after "title" that are not a title ("make the title bigger").
NOT_TEXT = (
    "bigger",
    "smaller",
    "larger",
    "shorter",
    "longer",
    "red",
    "white",
    "black",
    "bold",
    "please",
    "text",
    "card",
    "and",
    "too",
    "font",
    "color",
    "colour",
    "size",
    "more",
    "less",
)

# -- objects and what is done to them -----------------------------------------------

OBJECTS: dict[str, tuple[str, ...]] = {
    "music": (
        "background music",
        "backing track",
        "music",
        "bgm",
        "soundtrack",
        "songs",
        "song",
        "tune",
        "audio",
        "sound",
        "背景音乐",
        "音乐",
        "配乐",
        "歌曲",
        "歌",
        "声音",
        "音频",
    ),
    "watermark": ("watermark", "corner logo", "水印", "角标"),
    "end_card": (
        "end card",
        "end screen",
        "ending card",
        "closing card",
        "end slate",
        "outro",
        "片尾",
        "结尾卡",
        "结尾logo",
    ),
    "logo": ("logos", "logo", "brand mark", "标志", "商标", "品牌标识", "标识", "品牌"),
    "captions": (
        "captions",
        "caption",
        "subtitles",
        "subtitle",
        "taglines",
        "tagline",
        "slogan",
        "字幕",
        "说明文字",
        "标语",
        "文案",
    ),
    "title": ("titles", "title", "headline", "heading", "标题", "题目", "片名"),
    "cta": ("call to action", "call-to-action", "cta", "行动号召", "购买提示"),
    "text": ("all text", "text", "texts", "words", "writing", "lettering", "文字", "文本"),
    "transitions": (
        "transitions",
        "transition",
        "crossfades",
        "crossfade",
        "cross fade",
        "cross-fades",
        "fades",
        "fade",
        "dissolves",
        "dissolve",
        "转场",
        "过渡",
        "淡入淡出",
        "渐变",
    ),
    "motion": (
        "ken burns",
        "motion",
        "animation",
        "animations",
        "movement",
        "zooms",
        "zooming",
        "zoom",
        "panning",
        "pans",
        "动效",
        "动画",
        "运动",
        "缩放",
        "推拉",
    ),
}

ADD_CUES = (
    "add",
    "adding",
    "put",
    "include",
    "with",
    "want",
    "use",
    "insert",
    "give",
    "keep",
    "show",
    "plus",
    "&",
    "+",
    "bring back",
    "put back",
    "restore",
    "turn on",
    "switch on",
    "need",
    "加上",
    "加入",
    "添加",
    "配上",
    "加",
    "配",
    "带",
    "要",
    "放",
    "显示",
    "保留",
    "恢复",
    "有",
)
REMOVE_CUES = (
    "remove",
    "removing",
    "delete",
    "drop",
    "lose",
    "take out",
    "take off",
    "take away",
    "get rid of",
    "turn off",
    "switch off",
    "kill",
    "cut out",
    "strip",
    "hide",
    "disable",
    "no more",
    "no",
    "without",
    "don't want",
    "do not want",
    "don't need",
    "do not need",
    "don't add",
    "don't use",
    "don't include",
    "not",
    "skip",
    "mute",
    "stop",
    "erase",
    "clear",
    "ditch",
    "exclude",
    "leave out",
    "w/o",
    "去掉",
    "去除",
    "删除",
    "删掉",
    "拿掉",
    "移除",
    "去了",
    "删了",
    "不要",
    "不用",
    "不需要",
    "不加",
    "别加",
    "别要",
    "取消",
    "关掉",
    "关闭",
    "关了",
    "隐藏",
    "没有",
    "无",
    "去",
)
# Post-position: "turn the music off", "把音乐去掉".
REMOVE_AFTER = (
    r"^\s*(?:off|out|away|gone)\b",
    r"^\s*(?:is|are)?\s*(?:not needed|unnecessary)\b",
    r"^[^，,。;；]{0,6}?(?:去掉|去除|删掉|删除|删了|拿掉|去了|不要了|关掉|关了|取消|移除|隐藏)",
)

VOLUME_DOWN = (
    "quieter",
    "quiet",
    "softer",
    "lower",
    "turn down",
    "turn it down",
    "down",
    "reduce",
    "decrease",
    "too loud",
    "less loud",
    "not so loud",
    "quieten",
    "dial down",
    "tone down",
    "lower the volume",
    "小声",
    "小一点",
    "小一些",
    "小点",
    "轻一点",
    "轻一些",
    "低一点",
    "降低",
    "调低",
    "调小",
    "减小",
    "太大声",
    "太吵",
    "太响",
)
VOLUME_UP = (
    "louder",
    "loud",
    "turn up",
    "turn it up",
    "up",
    "raise",
    "increase",
    "boost",
    "too quiet",
    "too soft",
    "pump up",
    "crank",
    "大声",
    "大一点",
    "大一些",
    "大点",
    "响一点",
    "调高",
    "调大",
    "提高",
    "增大",
    "太小声",
    "太轻",
)
VOLUME_WORDS = ("volume", "音量")

SHORTER = (
    "shorter",
    "shorten",
    "trim it",
    "trim",
    "cut it down",
    "tighten",
    "too long",
    "less long",
    "faster",
    "quicker",
    "speed up",
    "speed it up",
    "snappier",
    "pick up the pace",
    "more quickly",
    "fast",
    "短一点",
    "短一些",
    "短点",
    "缩短",
    "太长",
    "快一点",
    "快一些",
    "快点",
    "加快",
    "节奏快",
    "紧凑",
)
LONGER = (
    "longer",
    "lengthen",
    "extend",
    "too short",
    "slower",
    "slow down",
    "slow it down",
    "more slowly",
    "more relaxed",
    "slow",
    "长一点",
    "长一些",
    "长点",
    "延长",
    "加长",
    "太短",
    "慢一点",
    "慢一些",
    "慢点",
    "放慢",
    "节奏慢",
)

MOTION_STYLES = (  # checked in order; canonical words
    (
        "none",
        (
            "no motion",
            "static",
            "still",
            "no zoom",
            "no ken burns",
            "no movement",
            "no animation",
            "不要动效",
            "静止",
            "不要动画",
            "不要缩放",
            "去掉动效",
        ),
    ),
    ("zoomIn", ("zoom in", "zoom-in", "zooming in", "push in", "放大", "推近")),
    ("zoomOut", ("zoom out", "zoom-out", "zooming out", "pull out", "拉远", "缩小")),
    ("pan", ("pan", "panning", "pans", "slide", "平移", "横移")),
    ("mixed", ("ken burns", "motion", "movement", "animate", "animation", "动效", "动画")),
)

TRANSITION_OFF = (
    "no transitions",
    "no transition",
    "hard cut",
    "hard cuts",
    "straight cut",
    "straight cuts",
    "jump cut",
    "jump cuts",
    "no fades",
    "no crossfades",
    "no crossfade",
    "直接切",
    "硬切",
)

MAKE_VERBS = (
    "make",
    "create",
    "build",
    "turn these",
    "turn them",
    "turn this",
    "turn my",
    "put together",
    "generate",
    "produce",
    "edit",
    "cut",
    "assemble",
    "need",
    "want",
    "i'd like",
    "give me",
    "制作",
    "生成",
    "做一个",
    "做个",
    "做一条",
    "做",
    "剪",
    "来一个",
    "来个",
    "帮我",
)
VIDEO_NOUNS = (
    "video",
    "videos",
    "promo",
    "promotional",
    "slideshow",
    "slide show",
    "reel",
    "reels",
    "shorts",
    "short",
    "ad",
    "advert",
    "advertisement",
    "commercial",
    "montage",
    "clip",
    "movie",
    "film",
    "teaser",
    "trailer",
    "tiktok",
    "视频",
    "短片",
    "宣传片",
    "宣传视频",
    "影片",
    "片子",
    "广告",
    "短视频",
    "幻灯片",
    "相册",
)
FRESH = (
    "start over",
    "from scratch",
    "new video",
    "another video",
    "again from",
    "redo the video",
    "rebuild",
    "remake",
    "turn these",
    "turn them",
    "turn my",
    "重新",
    "重做",
    "新视频",
    "再做一个",
)

# A question about the video is not an edit ("is it too long?", "how long is it?").
QUESTION = r"^(?:is|are|does|do|did|how|what|why|when|where|which|who|was|were)\b[^.!]*\?\s*$"

ADD_UPLOADS = (
    r"\b(?:add|include|use|put in|insert|append)\b.{0,30}\b(?:new|other|rest|remaining|all|"
    r"missing|these|those|them|it|photos?|images?|pictures?|clips?|files?|uploads?)\b"
    r"(?!.{0,12}\b(?:music|song|logo|title|captions?|text|transitions?|fades?)\b)",
    r"(?:新上传|新的|刚上传|其他|其余|剩下|所有)的?(?:图片|照片|素材|视频|文件)?.{0,6}(?:加|放|用)",
    r"(?:加上|加入|添加|放进|加进)(?:新上传|刚上传|新|其他|其余|剩下|所有)的?(?:图片|照片|素材|视频|文件)",
)

EDIT_VERBS = (
    r"\b(?:make|add|remove|change|put|set|turn|cut|trim|delete|move|swap|use|switch|drop|"
    r"get rid|give|lower|raise|increase|decrease|shorten|extend)\b|改|加|去掉|删|换|调|放"
)

UNDO = (
    "undo",
    "revert",
    "go back",
    "take that back",
    "undo that",
    "撤销",
    "撤回",
    "返回上一步",
    "回到上一步",
    "上一步",
)
REDO = ("redo", "re-do", "redo that", "重做", "恢复撤销", "恢复刚才", "还原撤销")

GENERATE_VIDEO = (
    "generate a video",
    "generate video",
    "generate footage",
    "ai video",
    "生成视频",
    "生成一段视频",
)
GENERATE_MUSIC = (
    "generate music",
    "generate a song",
    "new music",
    "different music",
    "another song",
    "other music",
    "change the music",
    "生成音乐",
    "换一首",
    "换个音乐",
    "换音乐",
    "换一个音乐",
)

# Photos by position.
ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
    "seventh": 7,
    "7th": 7,
    "eighth": 8,
    "8th": 8,
    "ninth": 9,
    "9th": 9,
    "tenth": 10,
    "10th": 10,
    "last": -1,
    "final": -1,
    "opening": 1,
}
SHOT_NOUNS = r"(?:photos?|images?|pictures?|shots?|slides?|clips?|items?|ones?|frames?|scenes?)"
ZH_SHOT_NOUNS = r"(?:张|幅|个镜头|段|个)"
# Where a shot goes.
TO_FIRST = (
    r"\b(?:first|start|beginning|front|open with|opening|lead with|top)\b",
    r"(?:最前|开头|第1个|第一个|最开始|前面)",
)
TO_LAST = (
    r"\b(?:last|end|ending|close with|finish with|back|bottom)\b",
    r"(?:最后|结尾|末尾|后面)",
)
MOVE_CUES = (
    r"\b(?:put|move|place|make|switch|shift|bring|open with|start with|lead with|"
    r"close with|end with|finish with|begin with|show)\b",
    r"(?:放到|放在|移到|挪到|调到|排到|换到|作为|当)",
)
# "swap the first two", "交换前两张": (pattern, the two 1-based indexes, -1 the last)
SWAP_PAIRS = (
    (
        r"\b(?:swap|switch|exchange|flip|trade)\s+(?:the\s+)?(?:first|1st|opening|top)\s+"
        r"(?:two|2|pair)\b",
        (1, 2),
    ),
    (
        r"\b(?:swap|switch|exchange|flip|trade)\s+(?:the\s+)?(?:last|final|bottom)\s+"
        r"(?:two|2|pair)\b",
        (-2, -1),
    ),
    (r"(?:交换|对调|互换|调换)(?:一下)?(?:前|头)(?:两|2|二)(?:张|个|幅|段)?", (1, 2)),
    (
        r"(?:前|头)(?:两|2|二)(?:张|个|幅|段)?(?:图片|照片|图)?(?:交换|对调|互换|调换|换一下)",
        (1, 2),
    ),
    (r"(?:交换|对调|互换|调换)(?:一下)?(?:最后|后)(?:两|2|二)(?:张|个|幅|段)?", (-2, -1)),
    (
        r"(?:最后|后)(?:两|2|二)(?:张|个|幅|段)?(?:图片|照片|图)?(?:交换|对调|互换|调换|换一下)",
        (-2, -1),
    ),
)
SWAP_CUES = (r"\b(?:swap|switch|exchange|flip|trade)\b", r"(?:交换|对调|互换|调换)")
REVERSE_CUES = (r"\breverse\b", r"\bbackwards\b", r"(?:倒序|倒过来|反过来|顺序反|颠倒)")

# Chinese names of common products (patterns), so "把手表放到最后" finds watch.jpg.
ZH_PRODUCTS = {
    "运动鞋": ("sneaker", "sneakers", "shoe", "shoes"),
    "鞋子": ("shoe", "shoes", "sneaker", "sneakers"),
    "鞋": ("shoe", "shoes", "sneaker", "sneakers", "boot", "boots"),
    "手表": ("watch", "watches"),
    "包包": ("bag", "bags", "handbag"),
    "包(?![邮装括含容])": ("bag", "bags", "handbag", "backpack"),
    "香水": ("perfume", "fragrance"),
    "耳机": ("headphones", "headphone", "earbuds", "headset"),
    "台灯": ("lamp",),
    "灯": ("lamp", "light"),
    "杯子": ("cup", "mug"),
    "帽子": ("hat", "cap"),
    "眼镜": ("glasses", "sunglasses"),
    "墨镜": ("sunglasses",),
    "手机": ("phone",),
    "衣服": ("shirt", "dress", "jacket"),
    "裙子": ("dress", "skirt"),
    "相机": ("camera",),
    "椅子": ("chair",),
    "瓶子": ("bottle",),
    "口红": ("lipstick",),
}

# A product's caption in Chinese (the file name's English word -> the caption).
ZH_CAPTIONS = {
    english: zh for zh, words in reversed(ZH_PRODUCTS.items()) if zh.isalpha() for english in words
}

UNSUPPORTED = (  # recognised, honestly declined: (pattern, English, Chinese)
    (
        r"\b(?:bigger|smaller|larger|font|colou?r|bold)\b|字体|颜色|大一点的字|字大",
        "change text size, font or colour",
        "改字体、字号或颜色",
    ),
    (r"\b(?:filter|sepia|black and white|grayscale|vintage)\b|滤镜|黑白", "add filters", "加滤镜"),
    (r"\b(?:voice ?over|narration|narrate)\b|配音(?!乐)|旁白", "add a voice-over", "加配音"),
)


@dataclass(frozen=True)
class Ref:
    """A photo on the timeline: by position (1-based, -1 the last) or by name."""

    index: int | None = None
    name: str | None = None


@dataclass(frozen=True)
class Move:
    """Reordering: one shot to a place, two swapped, or the whole order reversed."""

    kind: str  # "to" | "swap" | "reverse"
    shot: Ref | None = None
    other: Ref | None = None
    place: int = 1  # for "to": 1-based, -1 the end


@dataclass(frozen=True)
class Turn:
    """Everything one message asks for. Empty fields: not asked."""

    lang: str = "en"
    make: bool = False
    fresh: bool = False
    seconds: float | None = None  # the whole video
    per_photo: float | None = None
    shot_seconds: tuple[tuple[Ref, float], ...] = ()
    length_factor: float | None = None  # relative: shorter < 1 < longer
    shot_factor: tuple[tuple[Ref, float], ...] = ()
    aspect: str | None = None
    title: str | None = None
    captions: tuple[str, ...] = ()
    text: str | None = None  # words to show, of no kind: the title if there is none
    delta_seconds: float | None = None  # "10 seconds shorter": -10
    wants_title: bool = False  # text asked for without words
    wants_captions: bool = False
    wants_copy: bool = False  # "with text": a title, a caption per product shot, a CTA
    wants_cta: bool = False
    cta: str | None = None  # the call to action's words ("end with 'visit acme.com'")
    remove_cta: bool = False
    shot_captions: tuple[tuple[Ref, str], ...] = ()  # "change the caption of the watch to"
    music: bool | None = None  # on / off
    volume: float | None = None  # 0..1, absolute
    volume_step: int = 0  # -1 quieter, +1 louder
    generate_music: bool = False
    logo: bool | None = None
    watermark: bool | None = None
    end_card: bool | None = None
    remove_title: bool = False
    remove_captions: bool = False
    remove_shots: tuple[Ref, ...] = ()
    moves: tuple[Move, ...] = ()
    motion: str | None = None
    transitions: bool | None = None
    add_new: bool = False  # put uploads that are not on the timeline yet in
    include: tuple[Ref, ...] = ()  # uploads named to be put in ("add the lamp")
    history: str | None = None  # "undo" | "redo"
    generate_video: bool = False
    unsupported: tuple[str, ...] = ()  # keys of UNSUPPORTED rows
    notes: tuple[str, ...] = field(default=())  # parse notes (e.g. a clamp), as keys

    @property
    def edits(self) -> bool:
        """Whether the turn asks for any change to the timeline."""
        empty = Turn(lang=self.lang)
        fields = ("lang", "unsupported", "notes", "fresh")
        return any(
            getattr(self, name) != getattr(empty, name)
            for name in self.__dataclass_fields__
            if name not in fields
        )
