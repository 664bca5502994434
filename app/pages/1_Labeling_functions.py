"""Rule authors' page: where each labeling function fires and misfires (logic in
weakforge.lf_page and weakforge.lf_analysis)."""

from weakforge.lf_page import main

main()
