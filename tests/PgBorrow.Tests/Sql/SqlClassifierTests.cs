using PgBorrow.Analyzers.Sql;
using Xunit;

namespace PgBorrow.Tests.Sql;

public class SqlClassifierTests
{
    static SqlStatement Single(string sql) => Assert.Single(SqlClassifier.Classify(sql).Statements);

    [Theory]
    [InlineData("SELECT * FROM accounts WHERE id = $1 FOR UPDATE", RowLockStrength.Update)]
    [InlineData("select * from accounts for no key update", RowLockStrength.NoKeyUpdate)]
    [InlineData("SELECT * FROM accounts FOR SHARE", RowLockStrength.Share)]
    [InlineData("SELECT * FROM accounts FOR KEY SHARE", RowLockStrength.KeyShare)]
    [InlineData("SELECT * FROM a JOIN b ON a.id = b.a_id FOR UPDATE OF a FOR SHARE OF b", RowLockStrength.Update)]
    [InlineData("SELECT id FROM (SELECT id FROM jobs FOR UPDATE SKIP LOCKED) j", RowLockStrength.Update)]
    public void Locking_clauses_are_read(string sql, RowLockStrength expected)
    {
        var statement = Single(sql);
        Assert.Equal(expected, statement.RowLock);
        Assert.True(statement.TakesTransactionLocks);
        Assert.False(statement.Writes);
    }

    [Theory]
    [InlineData("SELECT 'FOR UPDATE' FROM accounts")]
    [InlineData("SELECT 1 -- FOR UPDATE")]
    [InlineData("SELECT /* FOR UPDATE */ 1")]
    [InlineData("SELECT $x$ FOR UPDATE $x$")]
    [InlineData("SELECT \"for update\" FROM t")]
    public void Locks_inside_strings_comments_and_identifiers_do_not_count(string sql)
    {
        var statement = Single(sql);
        Assert.Equal(RowLockStrength.None, statement.RowLock);
        Assert.False(statement.TakesTransactionLocks);
    }

    [Fact]
    public void Nowait_and_skip_locked_are_recognised()
    {
        Assert.True(Single("SELECT * FROM jobs FOR UPDATE NOWAIT").NoWait);
        var skip = Single("SELECT * FROM jobs ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED");
        Assert.True(skip.SkipLocked);
        Assert.False(skip.NoWait);
    }

    [Theory]
    [InlineData("UPDATE public.accounts SET balance = balance - $1 WHERE id = $2", "UPDATE", "accounts")]
    [InlineData("INSERT INTO orders (id) VALUES (1)", "INSERT", "orders")]
    [InlineData("DELETE FROM ONLY \"Orders\" WHERE id = 1", "DELETE", "Orders")]
    [InlineData("MERGE INTO stock s USING incoming i ON s.id = i.id WHEN MATCHED THEN UPDATE SET n = i.n", "MERGE", "stock")]
    public void Writes_and_their_tables(string sql, string verb, string table)
    {
        var statement = Single(sql);
        Assert.True(statement.Writes);
        Assert.Equal(verb, statement.Verb);
        Assert.Contains(table, statement.WrittenTables);
        Assert.True(statement.TakesTransactionLocks);
    }

    [Fact]
    public void Upsert_and_writes_inside_a_with_clause()
    {
        var upsert = Single("INSERT INTO counters (k, n) VALUES ($1, 1) ON CONFLICT (k) DO UPDATE SET n = counters.n + 1");
        Assert.True(upsert.Upserts);
        Assert.Single(upsert.WrittenTables);

        var ignore = Single("INSERT INTO counters (k, n) VALUES ($1, 1) ON CONFLICT DO NOTHING");
        Assert.False(ignore.Upserts);

        var cte = Single("WITH moved AS (DELETE FROM queue WHERE id = $1 RETURNING *) SELECT * FROM moved");
        Assert.True(cte.Writes);
        Assert.Contains("queue", cte.WrittenTables);
    }

    [Fact]
    public void Reads_name_their_tables()
    {
        var select = Single("SELECT a.balance FROM accounts a JOIN owners o ON o.id = a.owner_id WHERE a.id = $1");
        Assert.False(select.Writes);
        Assert.Equal(new[] { "accounts", "owners" }, select.ReadTables);
    }

    [Fact]
    public void Lock_table_and_advisory_locks()
    {
        Assert.True(Single("LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE").LocksTable);

        var xact = Single("SELECT pg_advisory_xact_lock($1)");
        Assert.True(xact.TakesTransactionLocks);
        Assert.False(Assert.Single(xact.AdvisoryLocks).SessionLevel);

        var session = Single("SELECT pg_catalog.pg_try_advisory_lock_shared(42)");
        var call = Assert.Single(session.AdvisoryLocks);
        Assert.True(call.SessionLevel);
        Assert.True(call.Try);
        Assert.True(call.Shared);
        Assert.False(session.TakesTransactionLocks);

        Assert.True(Assert.Single(Single("SELECT pg_advisory_unlock(42)").AdvisoryLocks).Unlock);
    }

    [Theory]
    [InlineData("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SERIALIZABLE")]
    [InlineData("BEGIN ISOLATION LEVEL REPEATABLE READ", "REPEATABLE READ")]
    [InlineData("start transaction isolation level read committed", "READ COMMITTED")]
    public void Isolation_levels(string sql, string level)
        => Assert.Equal(level, Single(sql).IsolationLevel);

    [Fact]
    public void Statements_split_on_top_level_semicolons_and_placeholders_are_listed()
    {
        var text = SqlClassifier.Classify("SELECT ';' FROM t WHERE a = @a; UPDATE t SET b = $2 WHERE a = $1; SELECT $$;$$");
        Assert.Equal(3, text.Statements.Count);
        Assert.Equal(new[] { 2, 1 }, text.PositionalParameters);
        Assert.Equal(new[] { "a" }, text.NamedParameters);
        Assert.True(text.Writes);
    }

    [Theory]
    [InlineData("")]
    [InlineData(";;;")]
    [InlineData("FOR")]
    [InlineData("SELECT * FROM t FOR")]
    [InlineData("UPDATE")]
    [InlineData("((((")]
    public void Fragments_do_not_throw(string sql)
        => Assert.NotNull(SqlClassifier.Classify(sql));
    [Theory]
    [InlineData("SET search_path = app, public", SessionStateKind.SetParameter, "search_path")]
    [InlineData("set session statement_timeout to '5s'", SessionStateKind.SetParameter, "statement_timeout")]
    [InlineData("SET ROLE reporting", SessionStateKind.SetParameter, "ROLE")]
    [InlineData("SELECT set_config('app.tenant', $1, false)", SessionStateKind.SetConfig, "app.tenant")]
    [InlineData("LISTEN orders_changed", SessionStateKind.Listen, "orders_changed")]
    [InlineData("PREPARE find_order (bigint) AS SELECT * FROM orders WHERE id = $1", SessionStateKind.Prepare, "find_order")]
    [InlineData("CREATE TEMP TABLE staging (id bigint)", SessionStateKind.TempTable, "staging")]
    [InlineData("create local temporary table if not exists staging (id bigint) on commit delete rows", SessionStateKind.TempTable, "staging")]
    [InlineData("DECLARE export_cursor CURSOR WITH HOLD FOR SELECT * FROM orders", SessionStateKind.HoldCursor, "export_cursor")]
    [InlineData("SELECT pg_export_snapshot()", SessionStateKind.ExportSnapshot, "pg_export_snapshot")]
    public void Session_state_that_outlives_the_transaction_is_recognised(string sql, SessionStateKind kind, string detail)
        => Assert.Equal(new SessionStateUse(kind, detail), Assert.Single(Single(sql).SessionState));

    [Theory]
    [InlineData("SET LOCAL search_path = app")]
    [InlineData("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")]
    [InlineData("SET CONSTRAINTS ALL DEFERRED")]
    [InlineData("SELECT set_config('app.tenant', $1, true)")]
    [InlineData("SELECT set_config('app.tenant', $1, $2)")]
    [InlineData("UPDATE t SET a = 1")]
    [InlineData("PREPARE TRANSACTION 'tx1'")]
    [InlineData("CREATE TEMP TABLE staging (id bigint) ON COMMIT DROP")]
    [InlineData("CREATE TABLE staging (id bigint)")]
    [InlineData("DECLARE c CURSOR WITHOUT HOLD FOR SELECT 1")]
    [InlineData("DECLARE c CURSOR FOR SELECT 'WITH HOLD'")]
    [InlineData("SELECT 'LISTEN x; SET a = 1'")]
    public void Transaction_scoped_and_look_alike_statements_leave_no_session_state(string sql)
        => Assert.Empty(Single(sql).SessionState);

    [Fact]
    public void Session_state_is_read_per_statement()
    {
        var text = SqlClassifier.Classify("BEGIN; SET LOCAL lock_timeout = '1s'; SET work_mem = '64MB'; COMMIT");
        Assert.Equal(4, text.Statements.Count);
        Assert.Empty(text.Statements[1].SessionState);
        Assert.Equal(new SessionStateUse(SessionStateKind.SetParameter, "work_mem"), Assert.Single(text.Statements[2].SessionState));
    }
}
