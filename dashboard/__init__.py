"""The Panel web dashboard (served by `panel serve`); reads only the published serving copy."""
