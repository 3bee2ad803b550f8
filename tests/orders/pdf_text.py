"""Enough of a PDF reader to find words in WeasyPrint's output (no PDF library in the
dev dependencies): inflate the streams, read the fonts' ToUnicode maps, decode the text
runs (``TJ``/``Tj`` of hex glyph ids).

A run is decoded with every font map that covers all its glyphs (the font a run uses is
not tracked), so the result holds the real text among possibly a few garbled readings:
good for "this word is in the PDF", not for exact text.
"""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_BFCHAR = re.compile(rb"beginbfchar\s*(.*?)\s*endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_RUN = re.compile(rb"\[((?:<[0-9a-fA-F]*>\s*-?[\d.]*\s*)+)\]\s*TJ|<([0-9a-fA-F]+)>\s*Tj")
_GLYPH = re.compile(rb"<([0-9a-fA-F]*)>")


def _streams(pdf: bytes) -> list[bytes]:
    out = []
    for match in _STREAM.finditer(pdf):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return out


def _text_of(hex_units: str) -> str:
    return bytes.fromhex(hex_units).decode("utf-16-be", errors="replace")


def pdf_text(pdf: bytes) -> str:
    """Every reading of every text run, one per line."""
    streams = _streams(pdf)
    maps = []
    for stream in streams:
        for block in _BFCHAR.findall(stream):
            maps.append({int(g, 16): _text_of(u.decode()) for g, u in _PAIR.findall(block)})
    lines = []
    for stream in streams:
        for run in _RUN.finditer(stream):
            raw = run.group(1) if run.group(1) is not None else b"<" + run.group(2) + b">"
            glyphs = [
                int(chunk[i : i + 4], 16)
                for chunk in _GLYPH.findall(raw)
                for i in range(0, len(chunk), 4)
            ]
            for font in maps:
                if glyphs and all(g in font for g in glyphs):
                    lines.append("".join(font[g] for g in glyphs))
    return "\n".join(lines)
