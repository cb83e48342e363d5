"""Saved web pages (.html, .htm): the article text and its metadata, via trafilatura.

The bytes are decoded by the charset the page declares (`<meta charset>` or
`http-equiv="Content-Type"`), strictly: a page that does not decode in its own
charset is refused with the line, never guessed at. A page that declares none is
decoded like a text file (UTF-8, BOMs, recognisable Windows-1258).

trafilatura (the field's standard extractor) finds the article: its XML output
gives the headings, paragraphs, list items and table cells in order, plus title,
date, site name and author. Every text block of the page that did not make it
into the article (menus, banners, comment boxes, related links) is kept as
dropped text with its source line, so a reviewer can see what was removed; the
workbench's own boilerplate rules then run on the article lines as for `.txt`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from workbench.documents.readers.extracted import DroppedText, ExtractedBlock, ExtractedDocument, clean_block_text
from workbench.errors import DocumentError, EncodingRefused

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
#: Block elements whose text is one unit of the page when listing what was dropped.
_BLOCK_TAGS = {"p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
               "header", "footer", "nav", "aside", "ul", "ol", "table", "tr", "form", "blockquote",
               "figcaption", "dd", "dt", "main", "textarea", "address"}
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head")
_TITLE_SEPARATOR = re.compile(r"\s*(?:--|\s[-–—|]\s)\s*")
_ARTICLE_TAGS = {"head": True, "p": False, "item": False, "cell": False, "quote": False}


def decode_html(raw: bytes, path: str, decode_bytes) -> tuple[str, str]:
    """Decode a page by its declared charset (strictly), else with `decode_bytes`; return (text, charset)."""
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_bytes(raw, path)
    declared = _META_CHARSET.search(raw[:8192])
    if not declared:
        return decode_bytes(raw, path)
    line = raw[:declared.start()].count(b"\n") + 1
    name = declared.group(1).decode("ascii").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise EncodingRefused(f"the page declares charset '{name}', which is not a known encoding",
                              path, line) from None
    if codec in ("utf-16", "utf-16-le", "utf-16-be") and b"\x00" not in raw[:200]:
        codec = "utf-8"  # a UTF-16 declaration read in ASCII cannot be true: browsers use UTF-8 then
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        bad_line = raw[:exc.start].count(b"\n") + 1
        raise EncodingRefused(
            f"the page declares charset '{name}' (line {line}) but byte 0x{raw[exc.start]:02X} is not "
            f"valid {codec}; save the page again as UTF-8", path, bad_line) from None
    return text.lstrip("\ufeff"), codec


def read_html(raw: bytes, path: str, decode_bytes) -> ExtractedDocument:
    """Extract the article of a saved web page (see module docstring)."""
    import trafilatura
    from lxml import etree

    text, charset = decode_html(raw, path, decode_bytes)
    if not text.strip():
        raise DocumentError("file holds only whitespace", path)
    extracted = trafilatura.extract(
        text, output_format="xml", with_metadata=True, include_comments=False, include_tables=True,
        include_links=False, include_images=False, include_formatting=False, deduplicate=False)
    if not extracted:
        raise DocumentError("no article text found in the page (the HTML extractor found none)", path)
    root = etree.fromstring(extracted.encode("utf-8"))
    blocks: list[ExtractedBlock] = []
    for element in root.iter(*_ARTICLE_TAGS):
        if element.getparent() is not None and element.getparent().tag in ("comments",):
            continue
        if element.tag == "item" and any(child.tag in _ARTICLE_TAGS for child in element):
            continue  # a list item holding paragraphs: its paragraphs come on their own
        block = clean_block_text("".join(element.itertext()))
        if block:
            blocks.append(ExtractedBlock(block, f"paragraph {len(blocks) + 1}", _ARTICLE_TAGS[element.tag]))
    if not blocks:
        raise DocumentError("no article text found in the page (the HTML extractor found none)", path)
    metadata = {key: clean_block_text(root.get(attribute) or "")
                for key, attribute in (("title", "title"), ("date", "date"), ("outlet", "sitename"),
                                       ("author", "author"))}
    metadata = {key: value for key, value in metadata.items() if value}
    _split_site_from_title(metadata)
    dropped = _dropped_blocks(text, [block.text for block in blocks])
    title = _comparable(metadata.get("title", ""))
    shown_title = next((item for item in dropped if title and _comparable(item.text) == title), None)
    if shown_title is not None:
        # The extractor left out the headline the page shows above the article: it is the article's.
        dropped.remove(shown_title)
        blocks.insert(0, ExtractedBlock(shown_title.text, f"headline (line {shown_title.line})", True))
    return ExtractedDocument("html", f"html/{charset}", blocks, metadata, dropped)


def _split_site_from_title(metadata: dict[str, str]) -> None:
    """'Headline -- Outlet' in <title>: keep the headline as title, the rest as outlet if none is known."""
    title = metadata.get("title")
    if not title:
        return
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return
    headline, site = " - ".join(parts[:-1]).strip(), parts[-1].strip()
    outlet = metadata.get("outlet")
    if outlet and _comparable(site) != _comparable(outlet) and _comparable(outlet) not in _comparable(site):
        return
    if len(headline.split()) >= 4 and 0 < len(site.split()) <= 6:
        metadata["title"] = headline
        metadata.setdefault("outlet", site)


def _dropped_blocks(text: str, article: list[str]) -> list[DroppedText]:
    """The page's visible text blocks that are not part of the article, with their source lines."""
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return []
    for element in list(tree.iter(*_INVISIBLE_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    kept = {_comparable(block) for block in article}
    kept_text = " ".join(kept)
    blocks = [element for element in tree.iter() if isinstance(element.tag, str) and element.tag in _BLOCK_TAGS]
    # Only the innermost blocks are listed, so each piece of text is listed once: mark every block
    # that holds another one (walking up from each block, stopping where a walk already went).
    outer: set = set()
    for element in blocks:
        parent = element.getparent()
        while parent is not None and parent not in outer:
            outer.add(parent)
            parent = parent.getparent()
    dropped: list[DroppedText] = []
    seen: set[str] = set()
    for element in blocks:
        if element in outer:
            continue
        block = clean_block_text(element.text_content())
        key = _comparable(block)
        if not key or key in seen or key in kept or key in kept_text:
            continue
        seen.add(key)
        dropped.append(DroppedText(element.sourceline or 0, block, "not article text (HTML page furniture)"))
    return dropped


def _comparable(text: str) -> str:
    return unicodedata.normalize("NFC", clean_block_text(text)).casefold()
