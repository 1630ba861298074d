-- Beyond the Prisma schema (which cannot say a column's collation).
-- People search reads a prefix as a range of "DirectorySearchTerm"."term" on its primary key:
-- term >= 'meg' AND term < 'meg' || U+10FFFF. That is a prefix only in code point order, which is how
-- SQLite compares text; a database created with a linguistic collation (en_US.UTF-8, the default of
-- many managed servers) orders and compares otherwise, and may ignore U+10FFFF altogether. The terms are
-- lower-case keys the product writes itself, never shown: compare them bytewise ("C") whatever the
-- database's collation, as SQLite does. The primary key's index is rebuilt with the column.
ALTER TABLE "DirectorySearchTerm" ALTER COLUMN "term" SET DATA TYPE TEXT COLLATE "C";
