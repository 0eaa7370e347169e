"""A filled letter (:class:`orchestrator.documents.Letter`) as a DOCX (python-docx) or a PDF
(fpdf2, as the audit export): the office's letterhead, the title or the header rows, the
recipient, the body, place and date, and the signature block with room for the signature.

The bytes are what the case's ``DocumentGenerated`` event names by sha256; a signed version
is a scan uploaded back (``DocumentSigned``), never a change of these bytes.
"""

from __future__ import annotations

import io
import unicodedata

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from orchestrator.documents import Letter

AUTHOR = "Komisi Pemilihan Umum Kota Bontang"


def render(letter: Letter, fmt: str) -> bytes:
    """The letter as ``docx`` or ``pdf`` bytes."""
    return to_pdf(letter) if fmt == "pdf" else to_docx(letter)


# -- DOCX -------------------------------------------------------------------------------------

def to_docx(letter: Letter) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(33), Cm(21.5)  # F4, as the office prints
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(1.5), Cm(2)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Arial", Pt(11)
    props = doc.core_properties
    props.title, props.subject = f"{letter.name} {letter.number}", letter.number
    props.author, props.keywords = AUTHOR, letter.template
    for i, line in enumerate(letter.letterhead):
        para = _para(doc, line, bold=i < 2, size=14 if i < 2 else 10,
                     align=WD_ALIGN_PARAGRAPH.CENTER)
    if letter.letterhead:
        _rule_under(para)
    if letter.layout == "naskah":
        _docx_title(doc, letter)
    else:
        _para(doc, letter.place_date, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if letter.rows:
        _docx_rows(doc, letter.rows)
    if letter.recipient:
        doc.add_paragraph()
        for line in letter.recipient:
            _para(doc, line, space_after=0)
    doc.add_paragraph()
    for text in letter.body:
        _para(doc, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _docx_signature(doc, letter)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _para(doc: object, text: str, bold: bool = False, size: float | None = None,
          align: int | None = None, space_after: float | None = None) -> Paragraph:
    para: Paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    run = para.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        para.alignment = align  # type: ignore[assignment]
    if space_after is not None:
        para.paragraph_format.space_after = Pt(space_after)
    return para


def _rule_under(para: Paragraph) -> None:
    """A double line under the letterhead (the paragraph's bottom border)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "double"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    para._p.get_or_add_pPr().append(borders)


def _docx_title(doc: object, letter: Letter) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, letter.title, bold=True, size=12, align=center, space_after=0)
    _para(doc, f"{letter.number_label} {letter.number}".strip(), align=center, space_after=0)
    if letter.subtitle:
        _para(doc, letter.subtitle, bold=True, align=center)


def _docx_rows(doc: object, rows: tuple[tuple[str, str], ...]) -> None:
    table = doc.add_table(rows=0, cols=3)  # type: ignore[attr-defined]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, ":", value
        cells[0].width, cells[1].width, cells[2].width = Cm(3), Cm(0.5), Cm(12)


def _docx_signature(doc: object, letter: Letter) -> None:
    right = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()  # type: ignore[attr-defined]
    if letter.layout == "naskah":
        _para(doc, letter.place_date, align=right, space_after=0)
    _para(doc, letter.signer, bold=True, align=right)
    for _ in range(3):
        _para(doc, "", space_after=0)
    _para(doc, "(....................................)", align=right)


# -- PDF --------------------------------------------------------------------------------------

def pdf_text(text: str) -> str:
    """Windows-1252 text for the PDF core fonts: accents folded, anything else as '?'."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        folded = "".join(c for c in unicodedata.normalize("NFKD", text)
                         if not unicodedata.combining(c))
        return folded.encode("cp1252", "replace").decode("cp1252")


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format=(215, 330))  # F4
        self.core_fonts_encoding = "windows-1252"
        self.set_margins(25, 15, 25)
        self.set_auto_page_break(auto=True, margin=20)

    def text_line(self, text: str, size: float = 11, style: str = "", align: str = "L",
                  height: float = 6) -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, height, pdf_text(text), align=align, new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT)


def to_pdf(letter: Letter) -> bytes:
    pdf = _Pdf()
    pdf.set_title(f"{letter.name} {letter.number}")
    pdf.set_subject(letter.number)
    pdf.set_author(AUTHOR)
    pdf.set_keywords(letter.template)
    pdf.add_page()
    for i, text in enumerate(letter.letterhead):
        pdf.text_line(text, size=14 if i < 2 else 9, style="B" if i < 2 else "", align="C",
                 height=7 if i < 2 else 5)
    if letter.letterhead:
        y = pdf.get_y() + 1
        pdf.set_line_width(0.6)
        pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
        pdf.set_line_width(0.2)
        pdf.line(pdf.l_margin, y + 1, pdf.w - pdf.r_margin, y + 1)
        pdf.ln(5)
    if letter.layout == "naskah":
        pdf.text_line(letter.title, size=12, style="B", align="C")
        pdf.text_line(f"{letter.number_label} {letter.number}".strip(), align="C")
        if letter.subtitle:
            pdf.text_line(letter.subtitle, style="B", align="C")
        pdf.ln(3)
    else:
        pdf.text_line(letter.place_date, align="R")
    _pdf_rows(pdf, letter.rows)
    if letter.recipient:
        pdf.ln(4)
        for text in letter.recipient:
            pdf.text_line(text)
    pdf.ln(4)
    for text in letter.body:
        pdf.text_line(text, align="J")
        pdf.ln(2)
    pdf.ln(6)
    if letter.layout == "naskah":
        pdf.text_line(letter.place_date, align="R")
    pdf.text_line(letter.signer, style="B", align="R")
    pdf.ln(20)
    pdf.text_line("(....................................)", align="R")
    return bytes(pdf.output())


def _pdf_rows(pdf: _Pdf, rows: tuple[tuple[str, str], ...]) -> None:
    for label, value in rows:
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(28, 6, pdf_text(label))
        pdf.cell(5, 6, ":")
        pdf.multi_cell(0, 6, pdf_text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
