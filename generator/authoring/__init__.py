"""Commands that write source files for organisers (`import`, `new chat`): they
refuse to overwrite and assemble what they write aside before moving it in."""
