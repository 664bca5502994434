"""The review page (thin: the logic lives in weakforge.review.service and weakforge.review.pages.queue).

weakforge review RUN_DIR          # or: streamlit run app/review_app.py -- RUN_DIR
"""

from weakforge.review.pages.queue import main

main()
