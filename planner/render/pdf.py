"""Route sheets as PDF (WeasyPrint), with embedded fonts from an installed package.

Vietnamese needs a font with its stacked diacritics. The sheets name ``"Planner DejaVu Sans"``
first in their font list; here that family is bound by ``@font-face`` to the DejaVu Sans files
that matplotlib ships (``matplotlib.get_data_path()/fonts/ttf``), so a PDF looks the same on
every machine and never depends on system fonts. WeasyPrint embeds the subset of glyphs used.
Nothing is fetched from the network: only ``file:`` and ``data:`` URLs are allowed.

Each sheet is laid out once; the per-day and per-team PDFs reuse the laid-out pages. What every
sheet shares is set up once per process (:func:`sheet_pdf`): the font configuration, the
``@font-face`` rules and the parsed sheet stylesheet.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import matplotlib
from weasyprint import CSS, HTML  # type: ignore[import-untyped]
from weasyprint.document import Document  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

#: Font family the sheets ask for first; bound below to matplotlib's DejaVu Sans files.
PDF_FONT_FAMILY = "Planner DejaVu Sans"
_FONT_FILES = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}


def font_dir() -> Path:
    """Folder of the TrueType fonts shipped with matplotlib."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def font_face_css() -> str:
    """``@font-face`` rules binding :data:`PDF_FONT_FAMILY` to the DejaVu Sans files.

    Raises
    ------
    FileNotFoundError
        If a font file is missing from the matplotlib installation.
    """
    rules = []
    for (weight, style), name in _FONT_FILES.items():
        path = font_dir() / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: font file not found (is matplotlib installed?)")
        rules.append(
            f'@font-face {{ font-family: "{PDF_FONT_FAMILY}"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{path.as_uri()}") format("truetype"); }}'
        )
    return "\n".join(rules)


class SheetPdf:
    """Lays out HTML sheets and writes them as PDF, sharing one font set-up.

    Examples
    --------
    >>> pdf = SheetPdf()  # doctest: +SKIP
    >>> doc = pdf.render(html)  # doctest: +SKIP
    >>> data = pdf.write([doc])  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._fonts = FontConfiguration()
        self._fetcher = URLFetcher(allowed_protocols=("file", "data"), timeout=5)
        self._css = CSS(string=font_face_css(), font_config=self._fonts, url_fetcher=self._fetcher)
        self._parsed: dict[str, CSS] = {}

    def stylesheet(self, css: str) -> CSS:
        """``css`` parsed as a stylesheet, once for every document that uses it."""
        parsed = self._parsed.get(css)
        if parsed is None:
            parsed = CSS(string=css, font_config=self._fonts, url_fetcher=self._fetcher)
            self._parsed[css] = parsed
        return parsed

    def render(self, html: str, shared_css: str | None = None) -> Document:
        """Lay out one HTML document (a sheet) into pages.

        Parameters
        ----------
        html : str
            The document.
        shared_css : str, optional
            The text of a ``<style>`` element of ``html`` that many documents share (the
            sheets' stylesheet). It is then applied from its parsed copy
            (:meth:`stylesheet`) instead of being parsed again with each document. Its rules
            then come from a user stylesheet instead of the document, which lays out the
            same pages as long as the document's other styles set other properties (true of
            the sheets: their second ``<style>`` only fills the footer's page-margin box).
        """
        sheets = [self._css]
        if shared_css is not None:
            element = f"<style>{shared_css}</style>"
            if element in html:
                html = html.replace(element, "<style></style>", 1)
                sheets.append(self.stylesheet(shared_css))
        return HTML(string=html, url_fetcher=self._fetcher).render(
            stylesheets=sheets, font_config=self._fonts
        )

    def write(self, documents: Sequence[Document], title: str | None = None) -> bytes:
        """The PDF of the pages of ``documents``, in order.

        Parameters
        ----------
        documents : sequence of weasyprint Document
            Laid-out documents from :meth:`render`; their pages are not laid out again.
        title : str, optional
            PDF title; by default the first document's ``<title>``.

        Raises
        ------
        ValueError
            If ``documents`` is empty.
        """
        if not documents:
            raise ValueError("no pages to write")
        first = documents[0]
        combined = first.copy([page for doc in documents for page in doc.pages])
        if title is not None:
            combined.metadata = copy.copy(first.metadata)
            combined.metadata.title = title
        data = combined.write_pdf()
        assert isinstance(data, bytes)
        return data


@cache
def sheet_pdf() -> SheetPdf:
    """The process's :class:`SheetPdf`, set up on first use.

    Worker processes forked after this call inherit it ready to use, fonts and parsed
    stylesheets included.
    """
    return SheetPdf()
