"""The real-news evaluation corpus: its recipe (pinned public sources, readers, sample draw) and our labels.

Only the recipe and the labels (item ids and label ids) live here. The published text is rebuilt from the
pinned snapshots into a folder outside the repository: `python -m bench.realnews --help`.
"""
