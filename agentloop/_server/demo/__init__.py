"""`DemoModel`, a deterministic stand-in for Gemini, and the text and schema helpers it uses."""
