"""The review page (thin: the logic lives in weakforge.review).

weakforge review RUN_DIR          # or: streamlit run app/review_app.py -- RUN_DIR
"""

from weakforge.review.pages.queue import main

main()
