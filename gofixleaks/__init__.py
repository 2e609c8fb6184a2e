"""gofixleaks: find goroutine-leak-prone Go code and rewrite it into safe code."""

__version__ = "0.1.0"
