"""The reviewer workbench from a checkout: `streamlit run app.py` (installed: `workbench ui`).

The app itself is `app_pages/app.py`, which ships in the package.
"""

from app_pages.app import main

main()
