"""Render a :class:`~profiles.pack.model.MeetingPack` as PDF with fpdf2.

The protective marking is drawn by the page header and footer, so it is at the top and bottom
of every page; synthetic data is labelled on every page too. Text is set in DejaVu Sans when
the font is installed (any character prints); otherwise in the core Helvetica font, with text
reduced to Latin-1.

Examples
--------
>>> from profiles import store
>>> from profiles.pack.build import build_pack
>>> pack_to_pdf(build_pack(store.connect(":memory:"), "partnership"))[:5]
b'%PDF-'
>>> latin1("Aug–Oct — “quoted” ≥ 5")
'Aug-Oct - "quoted" >= 5'
"""
from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF, ViewerPreferences
from fpdf.fonts import FontFace

from profiles.pack.charts import chart_png
from profiles.pack.model import Figure, MeetingPack, Section, Table

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_REPLACE = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "≥": ">=",
            "≤": "<=", "…": "...", "•": "-", "²": "2", "×": "x"}
_INK = (27, 27, 27)
_MUTED = (85, 85, 85)


def latin1(text: str) -> str:
    """Return ``text`` printable in a core PDF font (Latin-1), replacing what is not."""
    for a, b in _REPLACE.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


class _PackPDF(FPDF):
    def __init__(self, pack: MeetingPack):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.pack = pack
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.add_font("DejaVu", "", str(regular))
            self.add_font("DejaVu", "B", str(bold))
            self._face, self._unicode = "DejaVu", True
        else:
            self._face, self._unicode = "Helvetica", False
        self.set_margins(16, 22, 16)
        self.set_auto_page_break(True, margin=20)
        self.set_title(self.t(f"{pack.marking} - {pack.title}"))
        self.set_lang("en-GB")   # accessibility: the document's language and its title shown
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_author("Lantern")
        self.set_creator(f"Lantern {pack.version}")

    def t(self, text) -> str:
        """Text as this PDF's font can print it."""
        return str(text) if self._unicode else latin1(str(text))

    def header(self):
        p = self.pack
        self.set_fill_color(26, 26, 26)
        self.set_text_color(255, 255, 255)
        self.set_font(self._face, "B", 9)
        self.set_xy(0, 0)
        self.cell(self.w, 8, self.t(f"{p.marking} — {p.audience_label}"), align="C", fill=True)
        if p.synthetic:
            self.set_xy(0, 8)
            self.set_fill_color(255, 243, 205)
            self.set_text_color(138, 75, 0)
            self.set_font(self._face, "B", 7.5)
            self.cell(self.w, 5.5, self.t("SYNTHETIC DATA — fictional town; no real person, "
                                          "premises or street"), align="C", fill=True)
        self.set_text_color(*_INK)
        self.set_xy(self.l_margin, 22)

    def footer(self):
        p = self.pack
        self.set_xy(self.l_margin, -17)
        self.set_font(self._face, "", 7)
        self.set_text_color(*_MUTED)
        self.cell(0, 4, self.t(f"Generated {p.generated} by Lantern {p.version} · "
                               f"{p.area_label} · page {self.page_no()} of {{nb}}"), align="C")
        self.set_xy(0, self.h - 8)
        self.set_fill_color(26, 26, 26)
        self.set_text_color(255, 255, 255)
        self.set_font(self._face, "B", 9)
        self.cell(self.w, 8, self.t(f"{p.marking} — {p.audience_label}"), align="C", fill=True)
        self.set_text_color(*_INK)

    # ---- flow ---------------------------------------------------------------------------------
    def heading(self, text, level):
        size = {1: 18, 2: 14, 3: 12}.get(level, 10.5)
        if self.y > self.h - 45:
            self.add_page()
        self.ln(3 if level > 2 else 5)
        self.set_font(self._face, "B", size)
        self.multi_cell(0, size * 0.5, self.t(text), align="L", new_x="LMARGIN", new_y="NEXT")
        if level == 2:
            self.set_draw_color(26, 26, 26)
            self.set_line_width(0.5)
            self.line(self.l_margin, self.y + 0.5, self.w - self.r_margin, self.y + 0.5)
        self.ln(2)

    def para(self, text, size=9.5, style="", colour=_INK, indent=0.0):
        self.set_font(self._face, style, size)
        self.set_text_color(*colour)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.48, self.t(text), align="L", new_x="LMARGIN",
                        new_y="NEXT")
        self.set_text_color(*_INK)
        self.ln(1.2)

    def box(self, text, fill, colour, size=8.5):
        """A shaded paragraph, kept on one page."""
        self.set_fill_color(*fill)
        self.set_text_color(*colour)
        self.set_font(self._face, "B", size)
        height = self.multi_cell(0, size * 0.5, self.t(text), padding=2, dry_run=True,
                                 output="HEIGHT")
        if self.y + height > self.page_break_trigger:
            self.add_page()
        self.multi_cell(0, size * 0.5, self.t(text), fill=True, padding=2, align="L",
                        new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*_INK)
        self.ln(2)

    def put_table(self, t: Table):
        self.set_font(self._face, "B", 9)
        if self.y > self.h - 40:
            self.add_page()
        self.multi_cell(0, 4.6, self.t(t.title), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self._face, "", 8)
        widths = _widths(t)
        numeric = [any(isinstance(r[i], Figure) for r in t.rows if i < len(r))
                   for i in range(len(t.columns))]
        with self.table( col_widths=widths, width=self.epw, line_height=4.1,
                        text_align=tuple("RIGHT" if n else "LEFT" for n in numeric),
                        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                        borders_layout="SINGLE_TOP_LINE", padding=1) as table:
            head = table.row()
            for c in t.columns:
                head.cell(self.t(c))
            for row in t.rows or (("Nothing to show.",) + ("",) * (len(t.columns) - 1),):
                r = table.row()
                for v in row:
                    r.cell(self.t(v.text if isinstance(v, Figure) else v))
        if t.note:
            self.para(t.note, size=7.5, colour=_MUTED)
        self.ln(1.5)

    def put_figures(self, figs):
        self.set_font(self._face, "", 8.5)
        with self.table( col_widths=(3, 1), width=self.epw, line_height=4.4,
                        text_align=("LEFT", "RIGHT"), first_row_as_headings=False,
                        borders_layout="HORIZONTAL_LINES", padding=1) as table:
            for f in figs:
                r = table.row()
                r.cell(self.t(f.label))
                r.cell(self.t(f.text))
        self.ln(2)

    def put_chart(self, c):
        png = chart_png(c)
        from PIL import Image

        with Image.open(io.BytesIO(png)) as im:
            w_px, h_px = im.size
        width = self.epw if w_px / h_px > 1.5 else self.epw * 0.92
        height = width * h_px / w_px
        if self.y + height + 12 > self.page_break_trigger:
            self.add_page()
        self.set_font(self._face, "B", 9)
        self.multi_cell(0, 4.6, self.t(c.title), new_x="LMARGIN", new_y="NEXT")
        # alt text makes the figure a tagged /Figure with /Alt for screen readers
        self.image(io.BytesIO(png), x=self.l_margin, w=width, h=height,
                   alt_text=self.t(chart_alt_text(c)))
        self.para(c.caption, size=7.5, colour=_MUTED)


def chart_alt_text(c) -> str:
    """A chart's text alternative: its title, its caption and the figures it draws (up to 12;
    the HTML pack lists them all in a table under the chart)."""
    figs = [f"{f.label}: {f.text}" for f in c.figures()][:12]
    return " ".join(x for x in (f"{c.title}.", c.caption,
                                "Figures: " + "; ".join(figs) + "." if figs else "") if x)


def _widths(t: Table) -> tuple:
    """Relative column widths: room for the longest word of the heading and for figures
    unbroken, and more for long text (capped, so one long column cannot squeeze the rest)."""
    out = []
    for i, col in enumerate(t.columns):
        cells = [v.text if isinstance(v, Figure) else str(v) for r in t.rows for v in r[i:i + 1]]
        word = max((len(w) for x in [str(col), *cells] for w in x.split()), default=4)
        longest = max([len(x) for x in cells] + [len(str(col))])
        out.append(max(min(word, 30) + 4, 8, min(longest, 45)))
    return tuple(out)


def _section(pdf: _PackPDF, s: Section, level: int) -> None:
    pdf.heading(s.title, level)
    for p in s.paragraphs:
        pdf.para(p)
    if s.figures:
        pdf.put_figures(s.figures)
    for b in s.bullets:
        pdf.para(f"•  {b}", indent=2)
    for t in s.tables:
        pdf.put_table(t)
    for c in s.charts:
        pdf.put_chart(c)
    for n in s.notes:
        pdf.para(f"Note: {n}", size=8, colour=_MUTED)
    for sub in s.sections:
        _section(pdf, sub, level + 1)


def pack_to_pdf(pack: MeetingPack) -> bytes:
    """Return the pack as PDF bytes (A4, marking at the top and bottom of every page)."""
    pdf = _PackPDF(pack)
    pdf.add_page()
    pdf.heading(pack.title, 1)
    period = pack.period_text()
    pdf.para(f"{period[:1].upper() + period[1:]}. Prepared for the "
             f"{pack.audience_label.lower()} audience. Generated {pack.generated} by Lantern "
             f"{pack.version}.", size=9, colour=_MUTED)
    if pack.synthetic:
        pdf.box(pack.synthetic_label, (255, 243, 205), (138, 75, 0))
    pdf.box(pack.statement, (240, 240, 240), _INK, size=8)
    for s in pack.sections:
        _section(pdf, s, 2)
    pdf.ln(4)
    pdf.box(pack.statement, (240, 240, 240), _INK, size=8)
    return bytes(pdf.output())
