"""The review page (thin: the logic lives in weakforge.review and weakforge.review_page).

weakforge review RUN_DIR          # or: streamlit run app/review_app.py -- RUN_DIR
"""

from weakforge.review_page import main

main()
