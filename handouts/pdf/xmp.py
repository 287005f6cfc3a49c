"""Turn a handout's metadata into an XMP packet: title, description, author, language, provenance, PDF/UA."""

from __future__ import annotations

from handouts.escaping import escape_text
from handouts.xmltree import HandoutMeta

PROVENANCE_NS = "urn:handouts:provenance:1.0"
FINGERPRINT_KEY = f"{{{PROVENANCE_NS}}}specFingerprint"
"""The batch's hash of the spec, as pikepdf's metadata reader names it."""

_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "hp": PROVENANCE_NS,
}


def xmp_packet(meta: HandoutMeta, fingerprint: str = "", tagged: bool = True) -> bytes:
    """The XMP metadata stream's content, mirroring the document info and adding provenance."""
    properties = [
        _alt("dc:title", meta.title),
        _alt("dc:description", meta.subject),
        _list("dc:creator", "Seq", meta.author),
        _list("dc:language", "Bag", meta.lang),
        _simple("pdf:Keywords", meta.keywords),
        _simple("xmp:CreatorTool", meta.generator),
        _simple("hp:contentVersion", meta.content_version),
        _simple("hp:oldestReview", meta.oldest_review),
        _simple("hp:generator", meta.generator),
    ]
    if fingerprint:
        properties.append(_simple("hp:specFingerprint", fingerprint))
    if tagged:
        properties.append(_simple("pdfuaid:part", "1"))
    namespaces = "".join(f'\n    xmlns:{prefix}="{uri}"' for prefix, uri in _NAMESPACES.items())
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about=""{namespaces}>\n'
        + "".join(f"   {p}\n" for p in properties)
        + "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def _simple(name: str, value: str) -> str:
    return f"<{name}>{escape_text(value)}</{name}>"


def _alt(name: str, value: str) -> str:
    return f'<{name}><rdf:Alt><rdf:li xml:lang="x-default">{escape_text(value)}</rdf:li></rdf:Alt></{name}>'


def _list(name: str, kind: str, value: str) -> str:
    return f"<{name}><rdf:{kind}><rdf:li>{escape_text(value)}</rdf:li></rdf:{kind}></{name}>"
