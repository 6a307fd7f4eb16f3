"""Reports as editable Word documents (python-docx; decision 0030). The gap assessment is the one kind so far:
the same data as its PDF (reports.pdf.gap_data), laid out with Word's own heading, table-of-contents and
table features so the client's editors can restyle and extend it."""
