"""DOCX and PDF: the two binary containers we read.

* DOCX -- body paragraphs and table cells in document order (python-docx);
  each Word paragraph becomes one block, separated by blank lines; manual
  line breaks inside a paragraph stay line breaks.
* PDF -- the text layer of every page (pypdf), pages joined by a line break
  so the page-break repair can re-join a paragraph cut by the page end.
  A PDF whose pages yield no text has *no text layer* (a scan): that is
  reported as ``unreadable`` with the OCR fix, never as an empty document.
"""
from __future__ import annotations

import io

from .extracted import Extracted, Unreadable


def extract_docx(data: bytes) -> Extracted:
    """Paragraphs of a .docx (tables included, in document order)."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise Unreadable("reading .docx needs python-docx; install it with: pip install python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise Unreadable(
            f"not a valid .docx (Word 2007+) file: {type(exc).__name__}: {exc}; "
            "old .doc files must be re-saved as .docx"
        ) from exc
    texts: list[str] = []

    def walk(container) -> None:
        for child in container.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                texts.append(Paragraph(child, document).text)
            elif tag == "tbl":
                for row in Table(child, document).rows:
                    for cell in row.cells:
                        walk(cell._tc)
            elif tag == "sdt":  # content controls wrap paragraphs
                content = child.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sdtContent")
                if content is not None:
                    walk(content)

    walk(document.element.body)
    return Extracted(text="\n\n".join(t for t in texts if t.strip()), format="docx")


def extract_pdf(data: bytes) -> Extracted:
    """The text layer of a PDF, page by page."""
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise Unreadable("reading PDF needs pypdf; install it with: pip install pypdf") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("PDF is encrypted with a password; save an unencrypted copy and read that")
        pages = [(page.extract_text() or "") for page in reader.pages]
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable(f"PDF could not be parsed: {type(exc).__name__}: {exc}; re-export or repair the PDF") from exc
    if not pages:
        raise Unreadable("PDF has no pages")
    if not any(p.strip() for p in pages):
        raise Unreadable(
            f"PDF has no text layer: none of its {len(pages)} page(s) yields text (a scan or images); "
            "run OCR first, e.g. `ocrmypdf --language chi_sim in.pdf out.pdf`, then read out.pdf"
        )
    return Extracted(text="\n".join(p.strip("\n") for p in pages), format="pdf")
