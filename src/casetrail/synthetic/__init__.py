"""casetrail.synthetic: fictional inquiries with known ground truth, for tests, demos and benches."""

from casetrail.synthetic.inquiry import (
    CastMember,
    Inquiry,
    Statement,
    TruthMention,
    generate_inquiry,
    read_truth,
    write_corpus,
)

__all__ = ["CastMember", "Inquiry", "Statement", "TruthMention", "generate_inquiry", "read_truth", "write_corpus"]
