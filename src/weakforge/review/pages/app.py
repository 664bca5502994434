"""The review app's Streamlit script, shipped in the package: the review queue and the rule
authors' page, in one navigation. ``weakforge review RUN_DIR`` serves it
(:func:`weakforge.review.pages.server.server_command`)."""

from __future__ import annotations

import streamlit as st

from weakforge.review.pages import queue, rules


def run_app() -> None:
    st.navigation(
        [
            st.Page(queue.main, title="Review queue", url_path="queue", default=True),
            st.Page(rules.main, title="Labeling functions", url_path="rules"),
        ]
    ).run()


if __name__ == "__main__":
    run_app()
