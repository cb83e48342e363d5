"""A synthetic Vietnamese news corpus of any size, for the scale bench (`bench/corpus_scale.py`).

Each document is a short article: a title, a date, an outlet and about 20
sentences of about 25 syllables. Words are drawn from a Zipf-like vocabulary
(the Vietnamese function words first, then made-up syllables with their tone
marks), and the sentences carry what a real corpus repeats: recurring names of
people and places (capitalised), institutions whose acronym is defined inline
at their first mention ("Bộ Chỉ huy Quân sự tỉnh (BCHQS)") and used bare later,
and the shipped glossary's Vietnamese terms, sometimes in a variant spelling
(the other tone placement, or every diacritic dropped). The same seed gives
the same corpus.
"""

from __future__ import annotations

import hashlib
import random
import sys
import unicodedata
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.text import fold_accents  # noqa: E402

FUNCTION_WORDS = """và của các những cho với trong tại được đã là có này để từ trên theo về khi thì mà cũng đến
ra vào như nên đều sẽ đang rất nhiều một số""".split()
ONSETS = "b c ch d đ g gi h k kh l m n ng nh ph qu s t th tr v x".split()
RHYMES = ("a ai an ang anh ao at ay e em en eo i ia iên im in inh oa oan oc oi on ong u ua uân ui um un ung uy "
          "ươc ương").split()
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
OUTLETS = ["Báo Hà Giang", "Báo Lạng Sơn", "Báo Quảng Ninh", "Báo Biên phòng", "Báo Lào Cai", "Báo Cao Bằng"]
INSTITUTIONS = [
    "Bộ Chỉ huy Quân sự tỉnh", "Ban Chỉ đạo Phòng chống Tội phạm", "Hội Liên hiệp Phụ nữ", "Ủy ban Mặt trận Tổ quốc",
    "Trung tâm Y tế Huyện", "Đoàn Thanh niên Cộng sản", "Hội Cựu chiến binh", "Sở Tài nguyên Môi trường",
    "Cục Hải quan Tỉnh", "Ban Quản lý Khu kinh tế", "Kho bạc Nhà nước", "Hội Nông dân Việt Nam",
]
COMMON_TERMS = ["an ninh trật tự", "phát triển kinh tế xã hội", "xây dựng nông thôn mới", "phòng chống dịch bệnh",
                "tuyên truyền pháp luật", "chủ quyền lãnh thổ", "buôn lậu gian lận thương mại", "cải cách hành chính"]


def _with_tone(syllable: str, tone: str) -> str:
    for index, char in enumerate(syllable):
        if char in "aeiouyơưâêô":
            target = index
            if char in "ui" and index + 1 < len(syllable) and syllable[index + 1] in "aeoơâêô":
                target = index + 1
            return unicodedata.normalize("NFC", syllable[:target + 1] + tone + syllable[target + 1:])
    return syllable


def _acronym(name: str) -> str:
    return "".join(word[0] for word in name.split()).upper()


def glossary_forms() -> list[tuple[str, list[str]]]:
    """(Vietnamese term, its variants) of the shipped glossary files."""
    forms = []
    for path in sorted((REPO / "glossaries").glob("vn-*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            if line.startswith("#") or not line.strip():
                continue
            cells = line.split("\t")
            if len(cells) > 4 and cells[1].strip():
                forms.append((cells[1].strip(), [v for v in cells[4].split("|") if v.strip()]))
    return forms


def _other_placement(text: str) -> str:
    return text.replace("uỷ", "ủy").replace("Uỷ", "Ủy") if "uỷ" in text or "Uỷ" in text else \
        text.replace("ủy", "uỷ").replace("Ủy", "Uỷ")


@dataclass(frozen=True)
class SyntheticDocument:
    """One article: what `ReviewStore.upsert_document` needs."""

    number: int
    title: str
    date: str
    outlet: str
    sentences: list[str]

    @property
    def name(self) -> str:
        return f"bao-{self.number:06d}.txt"

    @property
    def text(self) -> str:
        return self.title + "\n" + "\n".join(self.sentences) + "\n"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class CorpusGenerator:
    """Draws articles; `document(n)` is the same for the same seed and n, whatever was drawn before."""

    def __init__(self, seed: int = 19, vocabulary: int = 6000, sentences: int = 20, syllables: int = 25):
        rng = random.Random(seed)
        made = {_with_tone(onset + rhyme, rng.choice(TONES)) for onset in ONSETS for rhyme in RHYMES for _ in range(2)}
        self.words = FUNCTION_WORDS + sorted(made)[:vocabulary]
        rng.shuffle(self.words[len(FUNCTION_WORDS):])
        # Zipf: the word of rank r is drawn with weight 1 / (r + 2.7) (Mandelbrot's form).
        self.cumulative = list(accumulate(1 / (rank + 2.7) for rank in range(len(self.words))))
        capital = [w.capitalize() for w in self.words[len(FUNCTION_WORDS):len(FUNCTION_WORDS) + 400]]
        self.names = [" ".join(rng.sample(capital, rng.choice((2, 3)))) for _ in range(300)]
        self.name_weights = list(accumulate(1 / (rank + 1) for rank in range(len(self.names))))
        self.glossary = glossary_forms()
        self.seed = seed
        self.sentences = sentences
        self.syllables = syllables

    def _word(self, rng: random.Random) -> str:
        return rng.choices(self.words, cum_weights=self.cumulative)[0]

    def document(self, number: int) -> SyntheticDocument:
        rng = random.Random(f"{self.seed}:{number}")
        institution = rng.choice(INSTITUTIONS)
        acronym = _acronym(institution)
        name = rng.choices(self.names, cum_weights=self.name_weights)[0]
        sentences = []
        for index in range(self.sentences):
            words = [self._word(rng) for _ in range(rng.randint(self.syllables - 8, self.syllables + 8))]
            inserts = []
            if index == 0:
                inserts.append(f"{institution} ({acronym})")  # defined inline at the first mention
            elif rng.random() < 0.3:
                inserts.append(acronym)
            if rng.random() < 0.4:
                other = rng.choices(self.names, cum_weights=self.name_weights)[0]
                inserts.append(other if rng.random() < 0.5 else name)
            if rng.random() < 0.5:
                term, variants = rng.choice(self.glossary)
                roll = rng.random()
                form = term if roll < 0.6 else rng.choice(variants) if variants and roll < 0.8 else \
                    _other_placement(term) if roll < 0.9 else fold_accents(term).lower()
                inserts.append(form)
            if rng.random() < 0.3:
                inserts.append(rng.choice(COMMON_TERMS))
            for insert in inserts:
                words.insert(rng.randrange(len(words) + 1), insert)
            text = " ".join(words)
            sentences.append(text[:1].upper() + text[1:] + ".")
        title = f"{institution} {name} {self._word(rng)} {self._word(rng)}"
        date = f"{2010 + number % 15}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
        return SyntheticDocument(number, title, date, rng.choice(OUTLETS), sentences)
