"""Documents built at test time for the readers: two saved news pages, a Word file, PDFs.

The pages imitate the two outlets in the seeds: a Vietnamese provincial news portal
(menus, a hotline banner, a comment box, related links) and the English page of a
Chinese provincial daily (breadcrumbs, a WeChat "Scan" block, an editor line).
Each builder returns the bytes plus the article paragraphs a reader must find, so
tests compare against what was written, not against a stored result.
"""

from __future__ import annotations

import unicodedata

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"

VI_TITLE = "Đồn Biên phòng Thanh Thủy tuần tra bảo vệ đường biên, cột mốc"
VI_PARAGRAPHS = [
    "Sáng 19/2, Đồn Biên phòng Cửa khẩu Quốc tế Thanh Thủy phối hợp với lực lượng dân quân xã "
    "tổ chức tuần tra bảo vệ đường biên, cột mốc trên địa bàn huyện Vị Xuyên.",
    "Trong đợt tuần tra, các tổ công tác đã kiểm tra hệ thống mốc quốc giới, phát quang đường "
    "tuần tra và tuyên truyền cho nhân dân về Luật Biên phòng Việt Nam.",
    "Đồng chí Đồn trưởng cho biết, trong năm qua quần chúng nhân dân đã cung cấp nhiều nguồn tin "
    "có giá trị, giúp giữ vững an ninh trật tự khu vực biên giới.",
]
VI_FURNITURE = ["Trang chủ", "Thời sự", "Kinh tế", "Đường dây nóng: 0983449277 - 0913303903",
                "Gửi bình luận", "Tin liên quan", "Hà Giang đón đoàn công tác của Bộ Quốc phòng",
                "Bản quyền thuộc Báo Hà Giang"]

EN_TITLE = "Border Defense Commission of the Autonomous Region holds its second plenary meeting"
EN_PARAGRAPHS = [
    "On March 19, the Border Defense Commission of the Autonomous Region held its second meeting "
    "to study the spirit of the State Border and Coastal Defense Commission.",
    "The meeting pointed out that in the past year the commission has done a lot of work in "
    "strengthening joint defense along the border and in building border villages.",
    "The meeting stressed that this year the region must consolidate the joint defense system "
    "and keep the border stable and secure.",
]
EN_FURNITURE = ["Home >> News >> Leadership activities", "WeChat \"Scan\" to follow Inner Mongolia Daily",
                "Hot news", "Inner Mongolia opens a new rail link to Mongolia", "About us | Contact"]


def vietnamese_portal_page(charset: str = "utf-8", hostile: str = "") -> bytes:
    """A saved page in the style of a Vietnamese provincial news portal, encoded in `charset`."""
    paragraphs = "\n".join(f"      <p>{text}</p>" for text in VI_PARAGRAPHS)
    page = f"""<!DOCTYPE html>
<html lang="vi">
<head>
  <meta charset="{charset}">
  <title>{VI_TITLE} - Báo Hà Giang điện tử</title>
  <meta property="og:site_name" content="Báo Hà Giang">
  <meta name="author" content="Minh Anh">
  <meta property="article:published_time" content="2020-02-19T08:30:00+07:00">
  <script>window.__page_script = 1;</script>
</head>
<body>
  <div class="hotline">Đường dây nóng: 0983449277 - 0913303903</div>
  <nav class="menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/thoi-su">Thời sự</a></li>
    <li><a href="/kinh-te">Kinh tế</a></li></ul></nav>
  <main>
    <article class="detail">
      <h1 class="title">{VI_TITLE}</h1>
      <div class="meta">Thứ tư, 19/02/2020 08:30</div>
{paragraphs}
      {hostile}
      <div class="share"><a>ZALO</a> <a>Facebook</a></div>
    </article>
    <section class="comments"><h3>Bình luận</h3><form><textarea>Nội dung</textarea>
      <button>Gửi bình luận</button></form></section>
    <aside class="related"><h3>Tin liên quan</h3><ul>
      <li><a href="/a">Hà Giang đón đoàn công tác của Bộ Quốc phòng</a></li>
      <li><a href="/b">Vị Xuyên ra quân làm đường giao thông nông thôn</a></li></ul></aside>
  </main>
  <footer>Bản quyền thuộc Báo Hà Giang</footer>
</body>
</html>
"""
    return encode_windows_1258(page) if charset == "windows-1258" else page.encode(charset)


def encode_windows_1258(text: str) -> bytes:
    """Encode Vietnamese as Windows-1258 does: base letters precomposed, tones as combining marks."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in decomposed if mark in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(mark for mark in decomposed if mark not in _TONE_MARKS))
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def chinese_daily_english_page() -> bytes:
    """A saved English page of a Chinese provincial daily: breadcrumbs and a WeChat block."""
    paragraphs = "\n".join(f"    <p>{text}</p>" for text in EN_PARAGRAPHS)
    page = f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{EN_TITLE}--Inner Mongolia Daily</title>
<meta name="publishdate" content="2021-03-20">
<meta name="source" content="Inner Mongolia Daily">
</head>
<body>
<div class="top"><a href="/">Home</a> | <a href="/news">News</a> | <a href="/about">About us | Contact</a></div>
<div class="crumbs">Home &gt;&gt; News &gt;&gt; Leadership activities</div>
<div class="content">
  <h2>{EN_TITLE}</h2>
  <div class="info">10:06, March 20, 2021 Source: Inner Mongolia Daily</div>
  <div class="text">
{paragraphs}
    <p>(Editor in charge: Wang Lei)</p>
  </div>
</div>
<div class="wechat"><img src="qr.png" alt="qr"><p>WeChat "Scan" to follow Inner Mongolia Daily</p></div>
<div class="hot"><h4>Hot news</h4><ul><li><a href="/r1">Inner Mongolia opens a new rail link to Mongolia</a></li>
<li><a href="/r2">Hohhot hosts the grassland culture festival</a></li></ul></div>
</body>
</html>
"""
    return page.encode("gb2312")


PDF_TITLE = "Border guards and militia hold a joint patrol"
PDF_PARAGRAPHS = [
    "On March 19 the border guards of the Autonomous Region patrolled the frontier together with the local "
    "militia, checking every marker along the line and meeting the herders of the nearby villages.",
    "The commander said that the patrol had strengthened the joint defence system, and that the inter"
    "national cooperation exercises planned for the summer would build on what was learned this spring.",
    "Officers of the station also explained the border regulations to the residents, who promised to report "
    "any crossing of the line to the nearest post without delay, as they have done in the past years.",
    "The patrol ended in the evening at the main gate, where the commander thanked the militia for its "
    "work and announced that the next joint patrol would take place at the beginning of the next month.",
]


def text_pdf(paragraphs: list[str] = PDF_PARAGRAPHS, *, per_page: int = 2, title: str = PDF_TITLE) -> bytes:
    """A PDF with a text layer: a headline, paragraphs over pages, a running header and page numbers.

    Paragraph lines are wrapped by fpdf2 and hyphenated by hand where a word is marked
    with a soft break ("inter" + "national"), so the reader has to rejoin it.
    """
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_author("Liu Xiaodong")
    for start in range(0, len(paragraphs), per_page):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.set_y(10)
        pdf.cell(0, 6, "Inner Mongolia Daily - English edition", align="C")
        pdf.set_y(30)
        if start == 0:
            pdf.set_font("Helvetica", "B", size=16)
            pdf.multi_cell(0, 9, title)
            pdf.ln(4)
        pdf.set_font("Helvetica", size=11)
        for paragraph in paragraphs[start:start + per_page]:
            pdf.multi_cell(0, 6, paragraph.replace("inter" + "national", "inter-\nnational"))
            pdf.ln(5)
        pdf.set_y(-20)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 6, f"- {start // per_page + 1} -", align="C")
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A PDF whose pages are only an image (a scan): no text layer."""
    from fpdf import FPDF
    from PIL import Image

    image = Image.new("L", (200, 100), color=200)
    pdf = FPDF(format="A4")
    for _ in range(2):
        pdf.add_page()
        pdf.image(image, x=20, y=20, w=150)
    return bytes(pdf.output())
