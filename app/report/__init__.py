"""The PDF decision memo.

`content` builds the memo as plain data from the domain engine (no Qt); `render` lays it out
with QtGui's QPdfWriter; `export.export_memo` does both in one call for the window and the
`memo` command. Importing this package does not import Qt.
"""
