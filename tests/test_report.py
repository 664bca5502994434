from weakforge.plots import grouped_bars
from weakforge.report import Image, Section, Table, render_html, render_markdown


def test_markdown_and_html_render_the_same_blocks(tmp_path):
    grouped_bars({"train": {"A": 3, "B": 1}}, tmp_path / "p.png", "t")
    sections = [
        Section(
            "Audit",
            [
                "<script>alert(1)</script>",
                Table(["id", "score"], [["a|b", 0.123456]]),
                Image("p.png", "scores"),
            ],
        )
    ]
    md = render_markdown("R", sections)
    assert "| a\\|b | 0.1235 |" in md and "![scores](p.png)" in md
    html = render_html("R", sections, tmp_path)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "data:image/png;base64," in html and "<td>0.1235</td>" in html


def test_markdown_table_cells_stay_text():
    hostile = "<script>alert(1)</script> [click](javascript:x) *loud* a|b"
    page = render_markdown("t", [Section("s", [Table(["text"], [[hostile]])])])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "\\[click\\]\\(javascript:x\\)" in page and "\\*loud\\*" in page and "a\\|b" in page
