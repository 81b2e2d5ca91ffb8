"""The district's view across its streets: counts only, through the district read policy."""
