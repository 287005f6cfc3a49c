"""Turn a library's sources into the full list that `handouts list --sources` prints."""

from __future__ import annotations

from handouts.content.model import Library, Source


def source_lines(library: Library) -> list[str]:
    """Every cited source, most-cited first: title, publisher, link, the blocks citing it, any country."""
    citing: dict[str, list[str]] = {source_id: [] for source_id in library.sources}
    for block in sorted(library.blocks.values(), key=lambda b: b.id):
        for source_id in dict.fromkeys(block.sources):
            citing.setdefault(source_id, []).append(block.id)
    ranked = sorted(
        (s for s in library.sources.values() if citing.get(s.id)), key=lambda s: (-len(citing[s.id]), s.id)
    )
    lines = [f"Sources ({len(ranked)}), most-cited first:"]
    for source in ranked:
        lines += [f"  {source.id}", *(f"    {line}" for line in _details(source, citing[source.id]))]
    return lines


def _details(source: Source, blocks: list[str]) -> list[str]:
    title = f"{source.title}. {source.publisher}." if source.publisher else f"{source.title}."
    details = [title, source.url]
    if source.country:
        details.append(f"printed only on handouts for {source.country}")
    details.append("cited by: " + ", ".join(blocks))
    return details
