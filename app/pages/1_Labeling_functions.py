"""Rule authors' page: where each labeling function fires and misfires (logic in
weakforge.review.pages.rules and weakforge.labeling.stats)."""

from weakforge.review.pages.rules import main

main()
