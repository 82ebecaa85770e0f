"""Commands that write source files for organisers (`import`, `new chat`, `new site`): they
refuse to overwrite and assemble what they write aside before moving it in."""
