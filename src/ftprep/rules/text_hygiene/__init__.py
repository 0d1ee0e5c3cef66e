"""Text hygiene, the WS rules: whitespace, invisible characters, literal escapes, mojibake and
shouting. Their group keeps the name users select them by, ``whitespace`` (RULES.md); the
package is named for all it holds."""
