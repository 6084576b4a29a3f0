"""Text as the grammar reads it: one canonical spelling for what people type.

Full-width forms folded (NFKC), lower case, curly quotes made straight, number
words and Chinese numerals before a unit turned into digits, the usual ways to
say "half a minute" turned into seconds, and misspelt keywords corrected to the
nearest known word. Every rewrite is a table row; nothing here raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

EN_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
EN_TENS = {"twenty", "thirty", "forty", "fourty", "fifty", "sixty", "seventy", "eighty", "ninety"}

ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
ZH_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
ZH_UNITS = {"十": 10, "百": 100, "千": 1000}

# Whole phrases that name an amount of time (after lower-casing, before numbers).
TIME_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\b(?:a|one) minutes? and (?:a )?half\b", "90 seconds"),
    (r"\b(?:one|1) and (?:a )?half minutes?\b", "90 seconds"),
    (r"\b(?:an|one) hours? and (?:a )?half\b", "5400 seconds"),
    (r"\b(?:half a|a half|half) minutes?\b", "30 seconds"),
    (r"\bhalf-minute\b", "30 seconds"),
    (r"\b(?:half an|a half|half) hours?\b", "1800 seconds"),
    (r"\ba quarter (?:of an )?hour\b", "900 seconds"),
    (r"\b(?:a|an) (minutes?|mins?|hours?|hrs?|secs?)\b", r"1 \1"),
    (r"(?<!ty )(?<!ty-)\bone[\s-]+(seconds?|secs?|minutes?|mins?|hours?|hrs?)\b", r"1 \1"),
    (r"(?:一个|1个)?半(?:个)?(?:小时|钟头)", "1800秒"),
    (r"一刻钟", "900秒"),
    (r"半分钟", "30秒"),
    (r"(?:一|1)分(?:钟)?半(?:钟)?", "90秒"),
    (r"(?:一|1)个半小时", "5400秒"),
)

# Spellings folded to one (applied to whole words after lower-casing).
SPELLINGS = {
    "secs": "seconds",
    "sec": "seconds",
    "mins": "minutes",
    "min": "minutes",
    "minute": "minutes",
    "hrs": "hours",
    "hr": "hours",
    "hour": "hours",
    "tik tok": "tiktok",
    "tic tok": "tiktok",
    "you tube": "youtube",
    "insta": "instagram",
    "ig": "instagram",
    "yt": "youtube",
    "dont": "don't",
    "doesnt": "doesn't",
    "pls": "please",
    "plz": "please",
    "vid": "video",
    "vids": "video",
    "pic": "photo",
    "pics": "photos",
    "img": "image",
    "bg music": "music",
    "b-roll": "clip",
}

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "´": "'", "`": "'"})
_ZH_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+")
# A Chinese numeral is a number only next to a unit or after 第 / 百分之.
_ZH_UNIT_AFTER = re.compile(r"\s*(?:秒|分|个小时|小时|钟头|张|幅|段|个镜头|号|个|倍|%)")


def zh_number(text: str) -> int | None:
    """十五 -> 15, 一百二十 -> 120, 两 -> 2; None for what is not a numeral."""
    if not text or any(c not in ZH_DIGITS and c not in ZH_UNITS for c in text):
        return None
    total, digit = 0, None
    for char in text:
        if char in ZH_DIGITS:
            digit = ZH_DIGITS[char] if digit is None else digit * 10 + ZH_DIGITS[char]
        else:
            total += (1 if digit is None else digit) * ZH_UNITS[char]
            digit = None
    return total + (digit or 0)


def _zh_numbers(text: str) -> str:
    def swap(match: re.Match[str]) -> str:
        before = text[max(0, match.start() - 4) : match.start()]
        after = text[match.end() : match.end() + 4]
        if before.endswith("第") or before.endswith("百分之") or _ZH_UNIT_AFTER.match(after):
            value = zh_number(match.group())
            return match.group() if value is None else str(value)
        return match.group()

    text = re.sub(r"百分之([零〇一二两三四五六七八九十百]+|\d+)", _percent_zh, text)
    return _ZH_NUMBER.sub(swap, text)


def _percent_zh(match: re.Match[str]) -> str:
    raw = match.group(1)
    value = int(raw) if raw.isdigit() else zh_number(raw)
    return f"{value}%" if value is not None else match.group()


def _en_numbers(text: str) -> str:
    """ "twenty five" / "twenty-five" -> 25, "fifteen" -> 15 (whole words only)."""
    words = "|".join(sorted(EN_NUMBERS, key=len, reverse=True))
    pattern = re.compile(rf"\b({words})(?:[\s-]+({words}))?\b")

    def swap(match: re.Match[str]) -> str:
        first, second = match.group(1), match.group(2)
        if first == "one" and not second:
            return first  # "the last one" names a photo; "one minute" is done by TIME_PHRASES
        value = EN_NUMBERS[first]
        if second and first in EN_TENS and EN_NUMBERS[second] < 10:
            return str(value + EN_NUMBERS[second])
        if second:
            return f"{value} {EN_NUMBERS[second]}"
        return str(value)

    text = pattern.sub(swap, text)
    return re.sub(r"\b(\d+) hundred(?: and)?(?: (\d+))?\b", _hundreds, text)


def _hundreds(match: re.Match[str]) -> str:
    return str(int(match.group(1)) * 100 + int(match.group(2) or 0))


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), stopping past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Speller:
    """Corrects a misspelt word to the one known word within one edit (two for long words)."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.words = frozenset(w for w in vocabulary if re.fullmatch(r"[a-z']+", w))
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(self.words):
            self._by_length.setdefault(len(word), []).append(word)

    @lru_cache(maxsize=4096)  # noqa: B019 - a few module-level spellers, kept for the process
    def correct(self, word: str) -> str:
        if len(word) < 5 or word in self.words or not word.isalpha():
            return word
        limit = 2 if len(word) >= 8 else 1
        best: list[str] = []
        for size in range(len(word) - limit, len(word) + limit + 1):
            for known in self._by_length.get(size, ()):
                if known[0] != word[0] and known[-1] != word[-1]:
                    continue  # people rarely get both ends wrong
                if edit_distance(word, known, limit) <= limit:
                    best.append(known)
        return best[0] if len(best) == 1 else word

    def fix(self, text: str) -> str:
        return re.sub(r"[a-z]+", lambda m: self.correct(m.group()), text)


def fold(text: str) -> str:
    """Full-width folded, lower case, straight quotes, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return re.sub(r"[ \t\r\n\u00a0\u3000]+", " ", text).strip()


def canonical(text: str, speller: Speller | None = None) -> str:
    """The text the grammar reads (``fold`` plus spelling, numbers, time phrases)."""
    text = fold(text)
    text = re.sub(r"(\d)(?!(?:st|nd|rd|th)\b)([a-z]{2,})", r"\1 \2", text)  # "15sec"
    if speller is not None:
        text = speller.fix(text)
    for pattern, replacement in TIME_PHRASES:
        text = re.sub(pattern, replacement, text)
    for spelling, canon in SPELLINGS.items():
        text = re.sub(rf"\b{re.escape(spelling)}\b", canon, text)
    text = _en_numbers(text)
    text = _zh_numbers(text)
    for pattern, replacement in TIME_PHRASES:  # again: "一分半" once 一 was a digit
        text = re.sub(pattern, replacement, text)
    return text


def has_han(text: str) -> bool:
    return bool(re.search(r"[\u3400-\u9fff]", text))


def is_chinese(text: str) -> bool:
    """Whether a turn is written mostly in Chinese: more Han characters than Latin words."""
    han = len(re.findall(r"[\u3400-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]{2,}", text))
    return han > 0 and han >= latin
