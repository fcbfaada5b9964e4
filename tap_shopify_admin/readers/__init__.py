"""The ways a stream is read, behind one interface: a stream declares its type, fields and root, and one
`Reader` (`streams/base.py`), which sends the requests and keeps the stream's state:

- `window.SortedWindow`: a root connection sorted by its replication key, from the bookmark by pages
  in time slices, or a backfill by a bulk query (`window_bulk`), resumable at every record;
- `window.UnsortedWindow`: a root connection without that sort key, each window read whole;
- `partitions.Partitions`: a connection of each parent stream record, with a bookmark per parent;
- `full_table.FullTable` and `full_table.EachOwner`: everything, on every run: a root connection, a
  root object (one record), or a connection of each object a root lists.
"""
