-- fixgw journal schema, version 3.
--
-- This file is the single source of truth for the journal format. It is
-- embedded into the fixgw_store library at build time (store/CMakeLists.txt
-- generates store/internal/schema_sql.h from it) and executed once, inside
-- one transaction, when Journal::Open creates a new journal. Never edit a
-- released version in place: a format change bumps user_version and adds a
-- migration.
--
-- Recognition
--   PRAGMA application_id = 1179211847 (0x46495847, ASCII "FIXG") marks the
--   file as a fixgw journal; PRAGMA user_version is the schema version. A
--   file with another application_id, or with application_id 0 and tables
--   in it, is "not a fixgw journal"; a user_version above the one the
--   program knows is refused ("newer than this program supports").
--
-- Versions
--   1  the journal table, meta, hash chain from 32 zero bytes at seq 1.
--   2  adds the chain seed (end-of-day rollover, below) and makes meta
--      append-only like the journal. A version 1 file is read and appended
--      as it is (no migration: it has no seed, so it starts at seq 1 from
--      zeros); only files created by version 2 carry user_version 2, and a
--      program that knows version 1 only refuses them rather than calling a
--      continued chain damaged.
--   3  drops the journal_by_time index: nothing ever queried it (fixreplay
--      streams the journal in seq order and filters by time itself), and
--      it cost every commit a page write. A writer that opens a version 1
--      or 2 file drops the index there too (DROP INDEX IF EXISTS, in the
--      transaction that checks the file at open) and leaves its
--      user_version as it is: the programs of those versions never read
--      the index, so they still open the file (an upgrade rolled back).
--      The session store in the same file drops its fix_message_by_app_key
--      index likewise, at every open (store/session_store.h, "Format").
--
-- Durability rules
--   - journal_mode = WAL (persistent in the file; set by Journal::Open, as a
--     journal mode cannot be changed inside the creating transaction).
--     Readers (fixreplay) open the file read-only and never block the writer.
--   - One transaction per Journal::Append (BEGIN IMMEDIATE ... COMMIT): a
--     batch of entries is committed entirely or not at all.
--   - synchronous = NORMAL (JournalSync=normal): a committed append is in the
--     WAL in the OS page cache; it survives any crash of the process (kill
--     -9), and the last commits before a power loss or kernel crash may be
--     lost (the database itself stays consistent).
--   - synchronous = FULL (JournalSync=full): the WAL is fsynced at every
--     commit; a committed append also survives power loss.
--   - The gateway acts on an entry (sends bytes) only after Append returned
--     ok.
--   - The journal table is append-only: rows are never updated or deleted
--     (the triggers below refuse it; the hash chain detects whoever drops
--     them).
--
-- Hash chain
--   hash(s) = the seed hash, for s = the seed seq (below)
--   hash(n) = SHA-256( raw32(hash(n-1)) || canonical(entry n) )
--   stored in journal.hash as 64 lowercase hex digits; raw32() is the 32
--   bytes that hex decodes to.
--   canonical(entry) is the concatenation, in this order, of the 8 fields
--       seq, time_us, kind, session, cl_ord_id, exch_cl_ord_id, payload,
--       raw_fix
--   each encoded as  len (8 bytes, unsigned, big-endian) || bytes
--   where the bytes of seq and time_us are their base-10 ASCII text (no
--   leading zeros or '+', '-' for a negative number: "1", "-5", "0") and the
--   bytes of a TEXT field are its UTF-8 bytes exactly as stored (no NUL
--   terminator, no normalisation). Entries are chained in increasing seq
--   order, and seq must be s+1, s+2, ... without gaps, so a changed field,
--   a deleted, inserted or reordered entry makes the recomputed hash or the
--   sequence differ from what is stored at the first affected seq. Cutting
--   entries off the end is detectable only against a head hash recorded
--   elsewhere.
--
-- Chain seed (rollover, version 2)
--   A first journal has no seed: s = 0 and hash(0) = 32 zero bytes, so its
--   entries are 1, 2, 3, ... A journal that continues an archived one
--   (fixreplay --roll OLD --to NEW) records in meta, at creation:
--     chain_previous_file  the previous file's path as given to the roll
--     chain_seed_seq       the previous file's last seq (s, decimal)
--     chain_seed_hash      the previous file's last hash (64 lowercase hex)
--   Its first entry is s+1, chained onto that hash, so seqs stay unique
--   across the archive and the files of a day-by-day archive form one chain:
--   each file's seed equals its predecessor's last seq and hash
--   (fixreplay --verify OLD NEW ... checks it). The seed rows are not
--   hashed themselves: changing them breaks the chain at the file's first
--   entry; the previous file's name is informative (files may be moved).
--
-- Columns
--   seq            1, 2, ...: position in the chain (assigned by Append)
--   time_us        microseconds since 1970-01-01T00:00:00Z (UTC), when the
--                  gateway took the decision or received the message
--   kind           event kind, e.g. 'NewOrderAccepted'
--   session        broker session key, '' for exchange-only events
--   cl_ord_id      broker ClOrdID (11), '' if none
--   exch_cl_ord_id gateway-assigned exchange ClOrdID, '' if none
--   payload        the event as JSON
--   raw_fix        the FIX message behind it, fields separated by '|', or ''
--   hash           hex SHA-256 chain hash (see above)

PRAGMA application_id = 1179211847;
PRAGMA user_version = 3;

CREATE TABLE journal (
  seq            INTEGER PRIMARY KEY,
  time_us        INTEGER NOT NULL,
  kind           TEXT    NOT NULL,
  session        TEXT    NOT NULL DEFAULT '',
  cl_ord_id      TEXT    NOT NULL DEFAULT '',
  exch_cl_ord_id TEXT    NOT NULL DEFAULT '',
  payload        TEXT    NOT NULL,
  raw_fix        TEXT    NOT NULL DEFAULT '',
  hash           TEXT    NOT NULL
);

-- No index besides seq: each index costs every commit a page write (one
-- more WAL frame), and one by ClOrdID a random one; fixreplay streams the
-- journal in seq order instead. For ad-hoc SQL on a copy:
--   CREATE INDEX journal_by_cl_ord_id ON journal (session, cl_ord_id);
--   CREATE INDEX journal_by_time ON journal (time_us);

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
  SELECT RAISE(ABORT, 'the journal is append-only');
END;

CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
  SELECT RAISE(ABORT, 'the journal is append-only');
END;

-- Facts about the file itself, written once at creation (the chain seed
-- too, in the creating transaction).
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta
BEGIN
  SELECT RAISE(ABORT, 'the journal meta is written once');
END;

CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta
BEGIN
  SELECT RAISE(ABORT, 'the journal meta is written once');
END;

INSERT INTO meta (key, value) VALUES
  ('application', 'fixgw journal'),
  ('schema_version', '3'),
  ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  ('hash_chain', 'sha256 of prev raw32 || 8 x (u64be len || bytes)');
