"""Data in and out: export of any list to .xlsx/.csv, and import of .xlsx/.csv files into any section."""
