"""The classify service and its engine (see `engine`; its hot path runs in Rust when built, see `native`)."""
