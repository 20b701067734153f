"""Headings that open and close a section of confidential business."""

import re

# A heading that opens a section of restricted business: "Part 2", "Confidential Items",
# "PART II - EXEMPT INFORMATION", "CONFIDENTIAL - NOT FOR PUBLICATION". "Part 1" / "Public
# items" / "Public" closes it again.
SECTION_RESTRICTED = re.compile(
    r"^\W*(?:part\s+(?:2|ii|b)\b.*|(?:confidential|exempt|restricted|private)\s+"
    r"(?:items?|section|business|information|part|session)\b.*|confidential|exempt|private"
    r"|(?:confidential|exempt)\s*[-–:]\s*not\s+for\s+publication|not\s+for\s+publication)\W*$",
    re.IGNORECASE,
)
SECTION_PUBLIC = re.compile(
    r"^\W*(?:part\s+(?:1|i|a)\b.*|public\s+(?:items?|section|business|session)\b.*|public"
    r"|open\s+session)\W*$",
    re.I,
)
