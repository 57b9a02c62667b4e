"""Question/answer pairs from an HTML page, with the standard library's parser.

Four kinds of markup, in this order of trust: schema.org ``FAQPage`` JSON-LD, ``<details>`` with
``<summary>``, ``<dl>`` with ``<dt>``/``<dd>``, and a heading that reads like a question followed
by paragraphs or lists. A question found twice (pages often carry JSON-LD and visible markup for
the same FAQ) is kept once, from the first kind that found it.
"""

import json
import re
from html.parser import HTMLParser

from .text import question_key

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCK = {"p", "div", "section", "article", "header", "footer", "nav", "main", "aside", "ul", "ol", "li", "dl", "dt",
         "dd", "details", "summary", "table", "tr", "td", "th", "blockquote", "pre", "form", "figure",
         "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr"}
# An open element closed implicitly when one of these starts (HTML's optional end tags).
AUTO_CLOSE = {"p": BLOCK - {"br"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "li": {"li"}, "option": {"option"}}
SKIP = {"script", "style", "template", "noscript", "head"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ANSWER_TAGS = {"p", "ul", "ol", "blockquote"}
# Elements nested deeper than this are read as part of their deepest kept ancestor: a page nested
# thousands deep would otherwise exhaust the stack of every recursive walk below.
MAX_DEPTH = 200
QUESTION_WORDS = re.compile(
    r"^(what|when|where|which|who|whom|why|how|can|could|do|does|did|is|are|was|will|would|should|may|have|has)\b",
    re.IGNORECASE)


class Node:
    __slots__ = ("attrs", "children", "parent", "tag")

    def __init__(self, tag, attrs=None, parent=None):
        self.tag, self.attrs, self.children, self.parent = tag, dict(attrs or {}), [], parent

    def elements(self):
        return [child for child in self.children if isinstance(child, Node)]

    def iter(self, tag=None):
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def inside(self, tags):
        node = self.parent
        while node is not None:
            if node.tag in tags:
                return True
            node = node.parent
        return False

    def text(self, exclude=()):
        parts = []
        _collect(self, parts, exclude)
        return _squash("".join(parts))


def _collect(node, parts, exclude):
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag not in SKIP and child.tag not in exclude:
            block = child.tag in BLOCK
            if block:
                parts.append("\n")
            _collect(child, parts, exclude)
            if block:
                parts.append("\n")


def _squash(text):
    paragraphs = [" ".join(chunk.split()) for chunk in text.split("\n")]
    return "\n".join(p for p in paragraphs if p).strip()


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        while len(self.stack) > 1 and tag in AUTO_CLOSE.get(self.stack[-1].tag, ()):
            self.stack.pop()
        if len(self.stack) > MAX_DEPTH:
            return
        node = Node(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, attrs, self.stack[-1]))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def html_to_text(fragment: str) -> str:
    return parse_html(fragment).text()


def extract_pairs(html: str):
    """[(question, answer)] in page order within each kind, deduplicated by normalised question."""
    root = parse_html(html)
    found, seen = [], set()
    for finder in (_from_json_ld, _from_details, _from_definition_lists, _from_headings):
        for question, answer in finder(root):
            question, answer = _squash(question), answer.strip()
            key = question_key(question)
            if question and answer and key not in seen:
                seen.add(key)
                found.append((question, answer))
    return found


def _from_json_ld(root):
    for script in root.iter("script"):
        if script.attrs.get("type", "").strip().lower() != "application/ld+json":
            continue
        try:
            pages = list(_faq_pages(json.loads("".join(c for c in script.children if isinstance(c, str)))))
        except (ValueError, RecursionError):  # not JSON, or nested too deep to walk
            continue
        for page in pages:
            questions = page.get("mainEntity") or []
            for question in questions if isinstance(questions, list) else [questions]:
                if not isinstance(question, dict):
                    continue
                answer = question.get("acceptedAnswer") or question.get("suggestedAnswer")
                if isinstance(answer, list):
                    answer = answer[0] if answer else None
                text = answer.get("text") if isinstance(answer, dict) else None
                if isinstance(question.get("name"), str) and isinstance(text, str):
                    yield html_to_text(question["name"]), html_to_text(text)


def _faq_pages(data):
    if isinstance(data, list):
        for item in data:
            yield from _faq_pages(item)
    elif isinstance(data, dict):
        kinds = data.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "FAQPage" in kinds:
            yield data
        if isinstance(data.get("@graph"), list):
            yield from _faq_pages(data["@graph"])


def _from_details(root):
    for details in root.iter("details"):
        summary = next(details.iter("summary"), None)
        if summary is not None:
            yield summary.text(), details.text(exclude={"summary"})


def _from_definition_lists(root):
    for dl in root.iter("dl"):
        question, answers = None, []
        for child in _dl_items(dl):
            if child.tag == "dt":
                if question and answers:
                    yield question, "\n".join(answers)
                question, answers = child.text(), []
            elif child.tag == "dd" and question:
                answers.append(child.text())
        if question and answers:
            yield question, "\n".join(answers)


def _dl_items(dl):
    for child in dl.elements():
        if child.tag == "div":  # HTML allows <div> wrapping each dt/dd group
            yield from (c for c in child.elements() if c.tag in ("dt", "dd"))
        elif child.tag in ("dt", "dd"):
            yield child


def _from_headings(root):
    for heading in (node for node in root.iter() if node.tag in HEADINGS):
        question = heading.text()
        if heading.inside({"details", "dl", "nav", "header", "footer"}) or not _reads_like_question(question):
            continue
        siblings = heading.parent.elements()
        answers = []
        for sibling in siblings[siblings.index(heading) + 1:]:
            if sibling.tag not in ANSWER_TAGS:
                break
            answers.append(sibling.text())
        if answers:
            yield question, "\n".join(a for a in answers if a)


def _reads_like_question(text):
    return text.endswith("?") or bool(QUESTION_WORDS.match(text))
