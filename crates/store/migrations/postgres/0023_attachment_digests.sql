-- Files are stored by digest and shared by every record of the same content: deleting a record
-- asks whether another still refers to its file, and the hourly sweep asks it of every stored
-- file. Without this index each question read the whole table.
CREATE INDEX attachments_sha256 ON attachments (sha256);
