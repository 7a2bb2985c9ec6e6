"""``.. markdown-results:: path``: a benchmark result file (markdown) shown as real tables.

The result files under ``benchmarks/results/`` are markdown, written by the
benchmark scripts for GitHub and for people reading the repository. Included
literally they were raw text in a code box, cut off on the right. This
directive reads the file's paragraphs and pipe tables, up to ``:end-before:``
(default ``## Metadata``), and emits them as reStructuredText: paragraphs as
text and tables as ``list-table``, which the HTML theme renders as tables that
wrap and scroll. Headings are left out (the page that includes the file has
its own). Inline markdown (``**bold**``, backquoted code) is close enough to
reST to pass through.
"""

from pathlib import Path

from docutils.parsers.rst import Directive, directives
from docutils.statemachine import StringList


def _cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _is_rule(line):
    return set(line.replace("|", "").replace(":", "").replace("-", "").strip()) == set() and "-" in line


def markdown_to_rst(text):
    """reST lines for the paragraphs and pipe tables of markdown ``text``."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("|") and i + 1 < len(lines) and _is_rule(lines[i + 1]):
            header, rows = _cells(line), []
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            out += [".. list-table::", "   :header-rows: 1", "   :class: results-table", ""]
            for row in [header] + rows:
                row = row + [""] * (len(header) - len(row))
                out.append(f"   * - {row[0] or ' '}")
                out += [f"     - {cell or ' '}" for cell in row[1:len(header)]]
            out.append("")
            continue
        if not line.startswith("#") and not line.startswith("```"):
            # Markdown code spans use one backquote; reST's literal needs two.
            out.append(line.replace("`", "``").replace("````", "``"))
        i += 1
    return out


class MarkdownResults(Directive):
    required_arguments = 1
    option_spec = {"end-before": directives.unchanged}

    def run(self):
        env = self.state.document.settings.env
        relative, absolute = env.relfn2path(self.arguments[0])
        env.note_dependency(relative)
        text = Path(absolute).read_text(encoding="utf-8")
        marker = self.options.get("end-before", "## Metadata")
        text = text.split(marker, 1)[0]
        self.state_machine.insert_input(StringList(markdown_to_rst(text), source=absolute), absolute)
        return []


def setup(app):
    app.add_directive("markdown-results", MarkdownResults)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
