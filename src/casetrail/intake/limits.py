"""Ceilings on what one input file may cost to read.

Every limit exists because intake takes files from people we cannot vet: a hostile or broken
file must fail alone with a clear reason instead of exhausting memory or time. The defaults are
generous for real statements and documents; a case can override them in its config
(`Limits(**config["limits"])`), so every field has a default and a plain int type.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * MB  # size of one file as submitted
    max_pages: int = 2_000  # PDF pages
    max_attachments: int = 100  # per e-mail
    max_unpacked_bytes: int = 200 * MB  # declared uncompressed size of a zip-based file (.docx)
    max_compression_ratio: int = 100  # per zip entry; above this it looks like a zip bomb
    max_zip_entries: int = 10_000  # members of a zip-based file
    max_depth: int = 5  # e-mails inside e-mails (applied by the pipeline)
    max_text_chars: int = 20_000_000  # extracted text; over it we refuse rather than truncate
    # Element nesting in HTML. libxml2 cannot parse deeper than 2,048 levels even in huge mode,
    # so anything deeper is refused whatever this says.
    max_html_depth: int = 2_000

    def __post_init__(self) -> None:
        # A zero or negative limit is a config typo, not a wish to refuse everything.
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"limit {name} must be a positive integer, not {value!r}")
