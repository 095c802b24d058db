"""Which printed page each anchor of the report landed on, read from Chromium's PDF.

Chromium does not implement CSS ``target-counter()``, so page numbers in the contents are found
by printing once, reading the PDF's named destinations (Chromium writes one for every element a
link points to) and printing again with the numbers filled in
(:meth:`evalkit.publish.document.Document.html`). Only the few objects this needs are read: the
catalogue, the page tree and the destinations dictionary, which Chromium writes uncompressed.
"""

from __future__ import annotations

import re

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_REF = rb"(\d+) 0 R"


def destination_pages(pdf: bytes) -> dict[str, int]:
    """The page (counting from 1) of each named destination in a PDF that Chromium printed.

    Parameters
    ----------
    pdf
        The PDF file's bytes.

    Returns
    -------
    dict of str to int
        Destination name (the HTML id a link points to) to page number; empty when the PDF has
        no destinations this reader understands.

    Examples
    --------
    >>> pdf = (b"1 0 obj <</Type /Catalog /Pages 2 0 R /Dests 5 0 R>> endobj "
    ...        b"2 0 obj <</Type /Pages /Count 2 /Kids [3 0 R 4 0 R]>> endobj "
    ...        b"3 0 obj <</Type /Page /Parent 2 0 R>> endobj "
    ...        b"4 0 obj <</Type /Page /Parent 2 0 R>> endobj "
    ...        b"5 0 obj <</summary [4 0 R /XYZ 6 827.7 0] /key-figures [3 0 R /XYZ 6 500 0]>> endobj")
    >>> destination_pages(pdf)
    {'summary': 2, 'key-figures': 1}
    """
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}
    catalog = next((body for body in objects.values() if re.search(rb"/Type\s*/Catalog", body)),
                   None)
    if catalog is None:
        return {}
    pages_ref = re.search(rb"/Pages\s+" + _REF, catalog)
    dests_ref = re.search(rb"/Dests\s+" + _REF, catalog)
    if pages_ref is None or dests_ref is None:
        return {}
    order: list[int] = []

    def walk(number: int, depth: int = 0) -> None:
        body = objects.get(number, b"")
        kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S)
        if kids is None or depth > 32:
            order.append(number)
            return
        for kid in re.findall(_REF, kids.group(1)):
            walk(int(kid), depth + 1)

    walk(int(pages_ref.group(1)))
    page_of = {number: i for i, number in enumerate(order, start=1)}
    dests = objects.get(int(dests_ref.group(1)), b"")
    found = {}
    for name, page in re.findall(rb"/([^\s/\[\]<>()]+)\s*\[\s*" + _REF, dests):
        if int(page) in page_of:
            label = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
            found[label.decode("utf-8", "replace")] = page_of[int(page)]
    return found
