"""One Viewer per dashboard tab; views only render what dashboard.data returns."""
