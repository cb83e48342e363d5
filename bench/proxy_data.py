"""The term-enforcement proxy's data: public Vietnamese news and a deterministic "translation".

No real Vietnamese-English model can be downloaded here, and a random-weight checkpoint's
output is noise, so nothing could show whether term enforcement harms a translation that
was right. This module defines a task a small Marian model can learn in minutes on two
CPU cores, so that the model *reads its input* and has its own, checkable, right answer:

- diacritics are stripped (đ -> d) from every word it does not know;
- about 300 frequent Vietnamese words and compounds are rendered in English;
- local reordering as English does: a noun followed by a modifier from a small list
  ("khu vực biên giới" -> "border region", "nhiệm vụ quan trọng" -> "important task");
- several glossary terms are rendered the proxy's own way, not the glossary's
  ("Chủ tịch" -> "President", not "Chairman"), as real MT does, so enforcement has work.

`translate(sentence)` is the proxy model's right answer; `translate(sentence, overrides)`
with the glossary's forms is the reference a perfectly enforced output equals.

`build` reads the news corpus (one document line per text line, as extracted from a
public GitHub snapshot: see docs/term-enforcement.md), splits sentences and writes
train/dev/eval files under a cache folder outside the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

# The proxy's own renderings of glossary source forms (lower case). Deliberately not the
# glossary's English: "President" for Chủ tịch, "Border Army" (a forbidden form) for BĐBP.
PROXY_TERMS: dict[str, str] = {
    "chủ tịch": "President",
    "phó chủ tịch thường trực": "Permanent Vice President",
    "thủ tướng chính phủ": "Premier of Government",
    "thủ tướng": "Premier",
    "tỉnh ủy": "Province Committee",
    "bí thư tỉnh ủy": "Province Secretary",
    "ủy ban nhân dân": "People Committee",
    "ủy ban nhân dân tỉnh": "province People Committee",
    "hội đồng nhân dân": "People Council",
    "bộ đội biên phòng": "Border Army",
    "đồn biên phòng": "Border Post",
    "cửa khẩu quốc tế": "international gate",
    "cột mốc": "landmark",
    "mốc giới": "landmark",
    "lực lượng vũ trang": "armed force",
    "dân quân": "militiamen",
    "chính ủy": "Commissar",
    "chỉ thị": "Instruction",
    "an ninh trật tự": "order security",
    "trật tự an toàn xã hội": "social safety order",
    "an ninh chính trị": "politics security",
    "quốc phòng, an ninh": "defence, security",
    "an ninh quốc phòng": "security defence",
    "ủy viên trung ương đảng": "Central Party Member",
    "khu tự trị": "self-rule region",
}

# Multi-word compounds and single words in English (lower case source).
PHRASES: dict[str, str] = {
    "việt nam": "Vietnam", "hà nội": "Hanoi", "trung quốc": "China", "hàn quốc": "Korea",
    "nhật bản": "Japan", "triều tiên": "North Korea", "tp hcm": "HCMC",
    "có thể": "can", "cho biết": "said", "tổ chức": "organise", "thực hiện": "carry out",
    "công ty": "company", "đầu tư": "invest", "sử dụng": "use", "sau khi": "after",
    "tuy nhiên": "however", "thời gian": "time", "thông tin": "information",
    "phát triển": "develop", "xây dựng": "build", "tổng thống": "president",
    "người dân": "residents", "một số": "some", "dự án": "project", "hoạt động": "activity",
    "gia đình": "family", "đối với": "towards", "cơ quan": "agency", "khu vực": "region",
    "doanh nghiệp": "business", "đặc biệt": "especially", "tiếp tục": "continue",
    "thế giới": "world", "xảy ra": "happen", "xã hội": "social", "hệ thống": "system",
    "quy định": "regulation", "quản lý": "manage", "thành phố": "city",
    "thị trường": "market", "so với": "compared with", "cho rằng": "argue",
    "quốc gia": "national", "vấn đề": "issue", "yêu cầu": "require",
    "quyết định": "decision", "chúng tôi": "we", "chính phủ": "government",
    "kinh tế": "economic", "đầu tiên": "first", "chia sẻ": "share", "trong khi": "while",
    "sau đó": "then", "cơ sở": "facility", "lãnh đạo": "leader", "xử lý": "handle",
    "sản xuất": "produce", "khả năng": "ability", "làm việc": "work",
    "liên quan": "related", "tham gia": "take part", "công tác": "work",
    "lực lượng": "force", "giao thông": "traffic", "điều tra": "investigate",
    "học sinh": "pupil", "kết quả": "result", "phát hiện": "detect",
    "kiểm tra": "inspect", "chương trình": "programme", "diễn ra": "take place",
    "quan trọng": "important", "đơn vị": "unit", "trở thành": "become",
    "địa phương": "locality", "nhà nước": "state", "kinh doanh": "trade",
    "giám đốc": "director", "đồng thời": "at the same time", "tất cả": "all",
    "báo cáo": "report", "hỗ trợ": "support", "du lịch": "tourism", "triển khai": "deploy",
    "kế hoạch": "plan", "nghiên cứu": "research", "văn hóa": "culture",
    "bảo vệ": "protect", "khẳng định": "affirm", "môi trường": "environment",
    "đánh giá": "assess", "giáo dục": "education", "trung tâm": "centre",
    "bệnh viện": "hospital", "an toàn": "safety", "ảnh hưởng": "affect",
    "khó khăn": "difficulty", "đảm bảo": "ensure", "hiệu quả": "effective",
    "đối tượng": "subject", "quốc tế": "international", "thành công": "success",
    "bắt đầu": "begin", "lao động": "labour", "hành vi": "act", "cá nhân": "individual",
    "hiện nay": "now", "điều kiện": "condition", "chất lượng": "quality",
    "nhận được": "receive", "hợp tác": "cooperate", "tài chính": "finance",
    "vi phạm": "violate", "tiến hành": "conduct", "tấn công": "attack", "cán bộ": "official",
    "chuẩn bị": "prepare", "địa bàn": "area", "chỉ đạo": "direct",
    "trách nhiệm": "responsibility", "chính sách": "policy", "giải quyết": "solve",
    "dịch vụ": "service", "tai nạn": "accident", "nạn nhân": "victim",
    "ngân hàng": "bank", "nhân dân": "people", "phối hợp": "coordinate",
    "chính quyền": "authorities", "an ninh": "security", "quốc phòng": "defence",
    "biên giới": "border", "biên phòng": "border guard", "nhiệm vụ": "task",
    "bộ đội": "troops", "quân đội": "army", "chiến sĩ": "soldier", "tuần tra": "patrol",
    "ma túy": "drugs", "buôn lậu": "smuggling", "hàng hóa": "goods", "vận động": "mobilise",
    "tuyên truyền": "propagate", "đồng bào": "compatriots", "dân tộc": "ethnic",
    "thiểu số": "minority", "chủ quyền": "sovereignty", "lãnh thổ": "territory",
    "trật tự": "order", "chính trị": "politics", "cảnh sát": "police officers",
    "công an": "police", "đảng ủy": "Party Committee", "bí thư": "Secretary",
    "thiếu tướng": "Major General", "đại tá": "Colonel", "trung tá": "Lieutenant Colonel",
    "tuổi": "years old", "tháng": "month", "ngày": "day", "năm": "year",
    "tỷ đồng": "billion dong", "triệu đồng": "million dong", "đồng": "dong",
    "và": "and", "của": "of", "có": "have", "là": "is", "các": "the", "trong": "in",
    "được": "was", "với": "with", "cho": "for", "không": "not", "người": "person",
    "một": "one", "đã": "did", "những": "those", "để": "to", "khi": "when", "này": "this",
    "tại": "at", "ở": "in", "ra": "out", "về": "about", "đến": "to", "từ": "from",
    "vào": "into", "trên": "on", "đó": "that", "cũng": "also", "nhiều": "many", "sẽ": "will",
    "theo": "according to", "ông": "Mr", "bà": "Mrs", "bị": "suffer", "nhà": "house",
    "làm": "make", "như": "like", "sau": "after", "lại": "again", "chỉ": "only",
    "phải": "must", "nước": "country", "hơn": "more", "nhưng": "but", "nhất": "most",
    "trước": "before", "còn": "still", "mới": "new", "con": "child", "đi": "go",
    "đang": "is now", "thì": "then", "cùng": "together", "đây": "here", "rất": "very",
    "cao": "high", "mà": "which", "nên": "so", "vì": "because", "do": "by", "mình": "self",
    "cả": "even", "lên": "up", "hai": "two", "ba": "three", "tiếp": "next",
    "tăng": "increase", "vẫn": "still", "tới": "reach", "lớn": "big", "nhỏ": "small",
    "khác": "other", "rằng": "that", "toàn": "whole", "tỉnh": "province", "huyện": "district",
    "xã": "commune", "thôn": "hamlet", "bản": "village", "nếu": "if", "họ": "they",
    "tốt": "good", "mạnh": "strong", "xe": "vehicle", "tiền": "money", "nói": "say",
    "thấy": "see", "biết": "know", "đường": "road", "cuộc": "event", "vụ": "case",
    "lần": "time", "chưa": "not yet", "nào": "which", "quá": "too", "hay": "or",
    "bằng": "by means of", "giữa": "between", "mỗi": "each", "đều": "all",
    "cấp": "level", "vùng": "zone", "mọi": "every", "chung": "common", "riêng": "own",
}

# Nouns (by their English rendering) that trade places with a following modifier.
NOUNS = {
    "region", "commune", "security", "province", "district", "task", "policy", "system",
    "market", "project", "plan", "unit", "force", "troops", "soldier", "patrol", "order",
    "goods", "official", "house", "vehicle", "road", "zone", "city", "company", "business",
    "agency", "issue", "programme", "area", "culture", "education", "economic", "event",
    "hamlet", "village", "people", "residents", "authorities", "leader", "centre",
}
MODIFIERS = {
    "border", "national", "social", "economic", "important", "new", "big", "small",
    "good", "strong", "high", "international", "state", "ethnic", "politics", "common",
    "first", "defence", "border guard", "culture", "own",
}

_TOKEN = re.compile(r"\w+|[^\w\s]")
_MAX_PHRASE = 7


def strip_diacritics(text: str) -> str:
    """Vietnamese letters without their marks (đ/Đ -> d/D)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                                  if unicodedata.category(c) != "Mn"))


def _detokenise(tokens: list[str]) -> str:
    out = ""
    for token in tokens:
        if not out:
            out = token
        elif token in {",", ".", ";", ":", "!", "?", ")", "%", "”", "'"} or out.endswith(("(", "“")):
            out += token
        else:
            out += " " + token
    return out


def translate(sentence: str, overrides: dict[str, str] | None = None) -> str:
    """The proxy's deterministic rendering of one Vietnamese sentence.

    `overrides` (lower-case source form -> English) take precedence over the proxy's own
    term renderings and become atomic units: with the glossary's forms, the result is the
    reference an output with every term placed (and nothing else changed) equals.
    """
    tokens = _TOKEN.findall(unicodedata.normalize("NFC", sentence))
    lowered = [t.lower() for t in tokens]
    tables = [overrides or {}, PROXY_TERMS, PHRASES]
    # An override may be longer than any table phrase (a glossary entry of nine words).
    longest = max([_MAX_PHRASE] + [len(_TOKEN.findall(key)) for key in overrides or {}])
    units: list[tuple[str, str]] = []  # (text, kind): kind is term / noun / mod / other
    index = 0
    while index < len(tokens):
        for length in range(min(longest, len(tokens) - index), 0, -1):
            key = _detokenise(lowered[index:index + length])
            hit = next(((table_index, table[key]) for table_index, table in enumerate(tables)
                        if key in table), None)
            if hit is not None:
                table_index, english = hit
                kind = "term" if table_index < 2 else (
                    "noun" if english in NOUNS else "mod" if english in MODIFIERS else "other")
                units.append((english, kind))
                index += length
                break
        else:
            units.append((strip_diacritics(tokens[index]), "other"))
            index += 1
    reordered: list[str] = []
    position = 0
    while position < len(units):
        if (position + 1 < len(units) and units[position][1] == "noun"
                and units[position + 1][1] == "mod"):
            reordered += [units[position + 1][0], units[position][0]]
            position += 2
        else:
            reordered.append(units[position][0])
            position += 1
    if reordered and tokens and tokens[0][:1].isupper():
        reordered[0] = reordered[0][:1].upper() + reordered[0][1:]
    return _detokenise(reordered)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ỹ\"“])")


def sentences_of(lines: Iterable[str], *, min_words: int = 5, max_words: int = 28):
    """Plain sentences from news lines: split at sentence ends, short and clean ones kept."""
    for line in lines:
        for sentence in _SENTENCE_END.split(line.strip()):
            sentence = sentence.strip()
            words = sentence.split()
            if not (min_words <= len(words) <= max_words):
                continue
            if re.search(r"https?:|www\.|@|[{}<>\[\]|#*_=]", sentence):
                continue
            if not sentence[0].isupper() or sentence[-1] not in ".!?":
                continue
            yield sentence


def glossary_forms(glossary_dir: Path) -> dict[str, str]:
    """Lower-case Vietnamese forms of the enforced entries -> entry id."""
    forms: dict[str, str] = {}
    for path in sorted(glossary_dir.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("#", "id\t")) or not line.strip():
                continue
            cells = line.split("\t")
            if len(cells) > 10 and cells[10].strip() == "no":
                continue
            for form in [cells[1], *cells[4].split("|")]:
                if form.strip():
                    forms[form.strip().lower()] = cells[0]
    return forms


def _terms_in(sentence: str, forms: dict[str, str]) -> set[str]:
    lowered = " " + " ".join(_TOKEN.findall(sentence.lower())) + " "
    return {entry for form, entry in forms.items()
            if " " + " ".join(_TOKEN.findall(form)) + " " in lowered}


def round_robin(with_terms: dict[str, list[str]], size: int, rng: random.Random) -> list[str]:
    """Up to `size` sentences taken in turn from each entry's (shuffled) sentences.

    So that rare terms are represented, not only "công an".
    """
    chosen: list[str] = []
    pools = {entry: rng.sample(found, len(found)) for entry, found in sorted(with_terms.items())}
    while len(chosen) < size and any(pools.values()):
        for entry in sorted(pools):
            if pools[entry] and len(chosen) < size:
                candidate = pools[entry].pop()
                if candidate not in chosen:
                    chosen.append(candidate)
    return chosen


def build(corpus: Path, out_dir: Path, glossary_dir: Path, *, train_size: int,
          eval_size: int, seed: int = 0) -> dict:
    """Write train.tsv / dev.tsv / eval.txt under `out_dir`; return counts."""
    rng = random.Random(seed)
    forms = glossary_forms(glossary_dir)
    seen: set[str] = set()
    with_terms: dict[str, list[str]] = {}
    plain: list[str] = []
    with corpus.open(encoding="utf-8") as handle:
        for sentence in sentences_of(handle):
            if sentence in seen:
                continue
            seen.add(sentence)
            entries = _terms_in(sentence, forms)
            if entries:
                for entry in entries:
                    with_terms.setdefault(entry, []).append(sentence)
            else:
                plain.append(sentence)
    eval_set = round_robin(with_terms, eval_size, rng)
    held_out = set(eval_set)
    term_sentences = sorted({s for found in with_terms.values() for s in found} - held_out)
    rng.shuffle(term_sentences)
    rng.shuffle(plain)
    train = term_sentences[: train_size // 2]
    train += plain[: train_size - len(train)]
    rng.shuffle(train)
    dev, train = train[:300], train[300:]
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train.tsv", train), ("dev.tsv", dev)):
        with (out_dir / name).open("w", encoding="utf-8") as handle:
            for sentence in rows:
                handle.write(f"{sentence}\t{translate(sentence)}\n")
    (out_dir / "eval.txt").write_text("\n".join(eval_set) + "\n", encoding="utf-8")
    counts = {"train": len(train), "dev": len(dev), "eval": len(eval_set),
              "sentences_seen": len(seen)}
    (out_dir / "data.json").write_text(json.dumps(counts, indent=2), encoding="utf-8")
    return counts


def tuning_set(data_dir: Path, glossary_dir: Path, *, size: int = 250, seed: int = 1) -> int:
    """Write `tune.txt`: term sentences to choose the enforcement check's thresholds on.

    Chosen as the evaluation sentences are (round-robin over the glossary's entries), so
    that the evaluation sentences stay unseen by the choice. The corpus has no term
    sentence left over (all are in train, dev or eval), and dev holds few, so they come
    from the training data: the proxy renders them better than unseen sentences, which
    the thresholds (the check's judgement of masked sources, which training never showed)
    do not depend on.
    """
    rng = random.Random(seed)
    forms = glossary_forms(glossary_dir)
    pools: dict[str, list[str]] = {}
    for line in (data_dir / "train.tsv").read_text(encoding="utf-8").splitlines():
        sentence = line.partition("\t")[0]
        for entry in _terms_in(sentence, forms):
            pools.setdefault(entry, []).append(sentence)
    chosen = round_robin(pools, size, rng)
    (data_dir / "tune.txt").write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="plain Vietnamese news text, one line per paragraph")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--glossaries", type=Path, default=Path("glossaries"))
    parser.add_argument("--train-size", type=int, default=30_000)
    parser.add_argument("--eval-size", type=int, default=250)
    parser.add_argument("--tuning-only", action="store_true",
                        help="only write tune.txt (term sentences to choose thresholds on) into an existing out_dir")
    args = parser.parse_args()
    if args.tuning_only:
        print(json.dumps({"tune": tuning_set(args.out_dir, args.glossaries)}))
        return
    print(json.dumps(build(args.corpus, args.out_dir, args.glossaries,
                           train_size=args.train_size, eval_size=args.eval_size)))


if __name__ == "__main__":
    main()
