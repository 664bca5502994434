"""The review app (thin: the logic lives in weakforge.review.pages).

weakforge review RUN_DIR          # or: streamlit run app/review_app.py -- RUN_DIR
"""

from weakforge.review.pages.app import run_app

run_app()
