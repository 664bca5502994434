"""The rule authors' page: per source, coverage, precision on reviewed/gold items and
conflicts; pick a source to browse its hits and its conflicts (a thin view over
:mod:`weakforge.labeling.stats`)."""

from __future__ import annotations

import json

import streamlit as st

from weakforge.config import saved_config
from weakforge.corpus.tabular import load_records
from weakforge.labeling.stats import lf_stats, source_hits, table_rows
from weakforge.layout import LABELED_RECORDS
from weakforge.records import label_to_json
from weakforge.review.pages.server import run_dir


def main() -> None:
    st.set_page_config(page_title="weakforge labeling functions", layout="wide")
    folder = run_dir()
    records_path = next(
        (folder / n for n in LABELED_RECORDS if (folder / n).exists()),
        None,
    )
    if records_path is None:
        st.error(f"No aggregated labels in {folder}: run the aggregate stage first.")
        st.stop()
    examples = load_records(records_path)
    config = saved_config(folder)
    if config is None:
        st.error(f"No run config in {folder}: is it a weakforge run folder?")
        st.stop()
    task = config.run.task
    st.title("Labeling functions")
    headers, rows = table_rows(lf_stats(examples, task, config.aggregate.label_groups), task)
    st.dataframe([dict(zip(headers, r)) for r in rows], hide_index=True)
    sources = [r[0] for r in rows]
    if not sources:
        st.info("No labeling source voted in this run.")
        return
    source = st.selectbox("Source", sources, key="lf_source")
    only_conflicts = st.checkbox(
        "Only where it disagrees (with gold or the aggregate)", key="lf_conflicts"
    )
    hits = source_hits(examples, source, only_conflicts)
    st.caption(f"{len(hits)} texts; showing the first 100")
    st.dataframe(
        [
            {
                **h,
                "vote": json.dumps(label_to_json(h["vote"])),
                "aggregate": json.dumps(label_to_json(h["aggregate"])),
                "gold": json.dumps(label_to_json(h["gold"])),
            }
            for h in hits[:100]
        ],
        hide_index=True,
    )


if __name__ == "__main__":
    main()
