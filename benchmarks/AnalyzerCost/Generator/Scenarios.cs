using System;

namespace PgBorrow.Benchmarks.AnalyzerCost;

/// <summary>One kind of generated method: correct code, or a bug with the rule that should find it.</summary>
internal sealed record Scenario(string Id, bool Correct, string Expect, string Description, int Weight, Func<MethodContext, string[]> Emit);

/// <summary>
/// The method shapes of the synthetic project. Each returns whole members (one method, or a method
/// and the helper it calls). Class members available: <c>_dataSource</c> (NpgsqlDataSource),
/// <c>_connectionString</c> and <c>_log</c> (Action&lt;string&gt;).
/// </summary>
internal static class Scenarios
{
    public static readonly Scenario[] All =
    [
        // ---- correct code ---------------------------------------------------------------------
        new("await-using-commit", true, "-", "await using connection and transaction, 1-3 commands, CommitAsync", 4, AwaitUsingCommit),
        new("using-commit-sync", true, "-", "sync using declarations, Commit", 3, UsingCommitSync),
        new("using-statement-blocks", true, "-", "classic using (...) { } blocks, new NpgsqlConnection, Commit", 2, UsingStatementBlocks),
        new("try-commit-catch-rollback", true, "-", "explicit transaction, CommitAsync in try, RollbackAsync + throw in catch, optional finally DisposeAsync", 3, TryCommitCatchRollback),
        new("try-commit-catch-rollback-sync", true, "-", "same, synchronous", 2, TryCommitCatchRollbackSync),
        new("early-return-rollback", true, "-", "FOR UPDATE check, RollbackAsync and return false early, else commit", 3, EarlyReturnRollback),
        new("early-return-using", true, "-", "reader inside using block, return null early (using rolls back), else commit", 2, EarlyReturnUsing),
        new("loop-batch-in-transaction", true, "-", "foreach insert inside one transaction, commit after the loop", 2, LoopBatch),
        new("loop-transaction-per-item", true, "-", "await using transaction per loop iteration", 2, LoopTransactionPerItem),
        new("reader-while-read", true, "-", "ExecuteReaderAsync + while (await ReadAsync), from a connection or NpgsqlDataSource.CreateCommand", 3, ReaderWhileRead),
        new("reader-while-read-sync", true, "-", "ExecuteReader + while (Read), sync", 2, ReaderWhileReadSync),
        new("reader-closed-then-command", true, "-", "reader disposed (using block) before the next command on the same connection", 2, ReaderClosedThenCommand),
        new("borrowing-helper", true, "-", "caller owns the transaction; a helper borrows (conn, tx) or tx", 3, BorrowingHelper),
        new("owning-helper", true, "-", "transaction moved into an [Owned] helper that commits and disposes it", 2, OwningHelper),
        new("local-function", true, "-", "local async function runs commands on the captured transaction", 2, LocalFunction),
        new("lambda-step", true, "-", "Func<..., Task> lambda runs commands on the captured transaction", 2, LambdaStep),
        new("savepoint", true, "-", "SaveAsync / RollbackAsync(name) / ReleaseAsync instead of a nested transaction", 2, Savepoint),
        new("serializable-retry", true, "-", "SERIALIZABLE transaction in a retry loop on 40001", 2, SerializableRetry),
        new("data-source-command", true, "-", "NpgsqlDataSource.CreateCommand + ExecuteScalarAsync, no explicit connection", 2, DataSourceCommand),
        new("returns-owned-resource", true, "-", "opens a connection or begins a transaction and returns it (ownership moves to the caller)", 2, ReturnsOwnedResource),
        new("switch-commit-or-rollback", true, "-", "switch: commit in some cases, rollback in default, DisposeAsync in finally", 2, SwitchCommitOrRollback),

        // ---- bugs ----------------------------------------------------------------------------
        new("leaked-transaction-sync", false, "PGB001", "var tx = conn.BeginTransaction(); cmd.ExecuteNonQuery(); and nothing else", 2, LeakedTransactionSync),
        new("leaked-transaction-async", false, "PGB001", "BeginTransactionAsync, commands, never committed or disposed", 2, LeakedTransactionAsync),
        new("commit-without-rollback", false, "PGB002", "CommitAsync on the happy path only: an exception leaves the transaction open", 3, CommitWithoutRollback),
        new("early-return-leak", false, "PGB001", "early return between Begin and Commit with no using/rollback", 2, EarlyReturnLeak),
        new("catch-swallows", false, "PGB002", "catch (NpgsqlException) logs and swallows, no rollback", 2, CatchSwallows),
        new("use-after-commit", false, "PGB003", "a command runs with the transaction after CommitAsync", 2, UseAfterCommit),
        new("complete-twice", false, "PGB003", "RollbackAsync after CommitAsync, or a second CommitAsync", 2, CompleteTwice),
        new("nested-begin", false, "PGB004", "second BeginTransactionAsync on a connection whose transaction is active", 2, NestedBegin),
        new("loop-conditional-commit", false, "PGB001, PGB004", "transaction per iteration committed only when !dryRun", 2, LoopConditionalCommit),
        new("sync-calls-in-async", false, "PGB005", "Open, BeginTransaction, ExecuteNonQuery, Commit inside an async method", 2, SyncCallsInAsync),
        new("sync-reader-in-async", false, "PGB005", "using var reader = cmd.ExecuteReader(); while (reader.Read()) in an async method", 2, SyncReaderInAsync),
        new("leaked-connection-new", false, "PGB006", "new NpgsqlConnection + OpenAsync, never disposed", 2, LeakedConnectionNew),
        new("leaked-connection-data-source", false, "PGB006", "NpgsqlDataSource.OpenConnectionAsync, disposed on one branch only", 2, LeakedConnectionDataSource),
        new("leaked-reader", false, "PGB007", "reader never disposed, sometimes followed by another command on the connection", 2, LeakedReader),
        new("lambda-leak", false, "PGB001", "lambda begins a transaction and never completes it", 1, LambdaLeak),
        new("local-function-leak", false, "PGB001", "local function returns early without completing its transaction", 1, LocalFunctionLeak),
    ];

    const string AsyncParams = "long id, decimal amount, CancellationToken ct = default";

    // ---- correct ---------------------------------------------------------------------------------

    static string[] AwaitUsingCommit(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        await using var tx = {{c.BeginAsync()}};
        {{c.Statements(true, "tx", c.Rng.Next(1, 4))}}
        await tx.CommitAsync(ct);
        }
        """,
    ];

    static string[] UsingCommitSync(MethodContext c) =>
    [
        $$"""
        public void {{c.Name(c.Verb, isAsync: false)}}(long id, decimal amount)
        {
        {{c.OpenSync()}}
        using var tx = {{c.BeginSync()}};
        {{c.Statements(false, "tx", c.Rng.Next(1, 4))}}
        tx.Commit();
        }
        """,
    ];

    static string[] UsingStatementBlocks(MethodContext c) =>
    [
        $$"""
        public void {{c.Name(c.Verb, isAsync: false)}}(long id, decimal amount)
        {
        using (var conn = new NpgsqlConnection(_connectionString))
        {
        conn.Open();
        using (var tx = {{c.BeginSync()}})
        {
        {{c.Statements(false, "tx", c.Rng.Next(1, 3))}}
        tx.Commit();
        }
        }
        }
        """,
    ];

    static string[] TryCommitCatchRollback(MethodContext c)
    {
        var withFinally = c.Chance(0.5);
        return
        [
            $$"""
            public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
            {
            {{c.OpenAsync()}}
            var tx = {{c.BeginAsync()}};
            try
            {
            {{c.Statements(true, "tx", c.Rng.Next(1, 4))}}
            await tx.CommitAsync(ct);
            }
            {{c.Pick("catch", "catch (Exception)")}}
            {
            await tx.RollbackAsync(CancellationToken.None);
            throw;
            }
            {{(withFinally ? "finally\n{\nawait tx.DisposeAsync();\n}" : "")}}
            }
            """,
        ];
    }

    static string[] TryCommitCatchRollbackSync(MethodContext c) =>
    [
        $$"""
        public void {{c.Name(c.Verb, isAsync: false)}}(long id, decimal amount)
        {
        {{c.OpenSync()}}
        var tx = {{c.BeginSync()}};
        try
        {
        {{c.Statements(false, "tx", c.Rng.Next(1, 3))}}
        tx.Commit();
        }
        catch
        {
        tx.Rollback();
        throw;
        }
        finally
        {
        tx.Dispose();
        }
        }
        """,
    ];

    static string[] EarlyReturnRollback(MethodContext c) =>
    [
        $$"""
        public async Task<bool> {{c.Name(c.Pick("Reserve", "Withdraw", "Allocate", "Claim"))}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        await using var tx = {{c.BeginAsync()}};
        {{c.Command(true, "tx", $"SELECT {c.E.NumColumn} FROM {c.E.Table} WHERE id = $1 FOR UPDATE", ["id"], "var current = await {0}.ExecuteScalarAsync(ct);")}}
        if (current is null || (decimal)current < amount)
        {
        await tx.RollbackAsync(ct);
        return false;
        }
        {{c.Statements(true, "tx", c.Rng.Next(1, 3))}}
        await tx.CommitAsync(ct);
        return true;
        }
        """,
    ];

    static string[] EarlyReturnUsing(MethodContext c) =>
    [
        $$"""
        public async Task<{{c.E.Row}}?> {{c.Name(c.Pick("Load", "Touch", "Fetch"))}}(long id, CancellationToken ct = default)
        {
        {{c.OpenAsync()}}
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        {{c.E.Row}} row;
        await using (var select = new NpgsqlCommand("SELECT {{c.E.Columns}} FROM {{c.E.Table}} WHERE id = $1", conn, tx))
        {
        select.Parameters.AddWithValue(id);
        await using var reader = await select.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
        return null;
        }
        row = {{c.E.ReadRow("reader")}};
        }
        {{c.Statement(true, "tx", amount: "0m")}}
        await tx.CommitAsync(ct);
        return row;
        }
        """,
    ];

    static string[] LoopBatch(MethodContext c)
    {
        var e = c.E;
        var insert = $"INSERT INTO {e.Table} ({e.FkColumn}, {e.TextColumn}, {e.NumColumn}) VALUES ($1, $2, $3)";
        var loop = c.Chance(0.5)
            ? "foreach (var row in rows)\n{"
            : "for (var i = 0; i < rows.Count; i++)\n{\nvar row = rows[i];";
        return
        [
            $$"""
            public async Task<int> {{c.Name("Import")}}(IReadOnlyList<{{e.Row}}> rows, CancellationToken ct = default)
            {
            {{c.OpenAsync()}}
            await using var tx = {{c.BeginAsync()}};
            var inserted = 0;
            {{loop}}
            {{c.Command(true, "tx", insert, [$"row.{e.Fk}", $"row.{e.Text}", $"row.{e.Num}"], "inserted += await {0}.ExecuteNonQueryAsync(ct);")}}
            }
            await tx.CommitAsync(ct);
            return inserted;
            }
            """,
        ];
    }

    static string[] LoopTransactionPerItem(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Pick("Expire", "Recalculate", "Reprice"))}}(IEnumerable<long> ids, decimal amount, CancellationToken ct = default)
        {
        {{c.OpenAsync()}}
        foreach (var id in ids)
        {
        await using var tx = {{c.BeginAsync()}};
        {{c.Statements(true, "tx", c.Rng.Next(1, 3))}}
        await tx.CommitAsync(ct);
        }
        }
        """,
    ];

    static string[] ReaderWhileRead(MethodContext c)
    {
        var e = c.E;
        var sql = $"SELECT {e.Columns} FROM {e.Table} WHERE {e.FkColumn} = $1 ORDER BY id LIMIT $2";
        var source = c.Chance(0.4)
            ? $"await using var cmd = _dataSource.CreateCommand(\"{sql}\");"
            : $"{c.OpenAsync()}\nawait using var cmd = new NpgsqlCommand(\"{sql}\", conn);";
        return
        [
            $$"""
            public async Task<List<{{e.Row}}>> {{c.Name("List", suffix: "sBy" + e.Fk)}}(long {{Camel(e.Fk)}}, int limit, CancellationToken ct = default)
            {
            {{source}}
            cmd.Parameters.AddWithValue({{Camel(e.Fk)}});
            cmd.Parameters.AddWithValue(limit);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<{{e.Row}}>();
            while (await reader.ReadAsync(ct))
            {
            rows.Add({{e.ReadRow("reader")}});
            }
            return rows;
            }
            """,
        ];
    }

    static string[] ReaderWhileReadSync(MethodContext c)
    {
        var e = c.E;
        return
        [
            $$"""
            public decimal {{c.Name("Sum", isAsync: false, suffix: e.Num)}}(long {{Camel(e.Fk)}})
            {
            {{c.OpenSync()}}
            using var cmd = new NpgsqlCommand("SELECT {{e.Columns}} FROM {{e.Table}} WHERE {{e.FkColumn}} = $1", conn);
            cmd.Parameters.AddWithValue({{Camel(e.Fk)}});
            using var reader = cmd.ExecuteReader();
            var sum = 0m;
            while (reader.Read())
            {
            sum += reader.GetDecimal(3);
            }
            return sum;
            }
            """,
        ];
    }

    static string[] ReaderClosedThenCommand(MethodContext c)
    {
        var e = c.E;
        return
        [
            $$"""
            public async Task<int> {{c.Name(c.Pick("Sweep", "Flush", "Promote"))}}(decimal amount, CancellationToken ct = default)
            {
            {{c.OpenAsync()}}
            var ids = new List<long>();
            await using (var select = new NpgsqlCommand("SELECT id FROM {{e.Table}} WHERE {{e.TextColumn}} = $1", conn))
            {
            select.Parameters.AddWithValue("{{c.State}}");
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
            ids.Add(reader.GetInt64(0));
            }
            }
            foreach (var id in ids)
            {
            {{c.Statement(true, null)}}
            }
            return ids.Count;
            }
            """,
        ];
    }

    static string[] BorrowingHelper(MethodContext c)
    {
        var e = c.E;
        var helper = c.Name("Write", suffix: "Audit");
        var passConnection = c.Chance(0.5);
        var caller =
            $$"""
            public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
            {
            {{c.OpenAsync()}}
            await using var tx = {{c.BeginAsync()}};
            {{c.Statements(true, "tx", c.Rng.Next(1, 3))}}
            await {{helper}}({{(passConnection ? "conn, " : "")}}tx, id, "{{c.Verb.ToLowerInvariant()}}", ct);
            await tx.CommitAsync(ct);
            }
            """;
        var callee =
            $$"""
            private static async Task {{helper}}({{(passConnection ? "NpgsqlConnection conn, " : "")}}NpgsqlTransaction tx, long id, string action, CancellationToken ct)
            {
            await using var cmd = new NpgsqlCommand("INSERT INTO audit_log (entity, entity_id, action) VALUES ($1, $2, $3)", {{(passConnection ? "conn" : "tx.Connection")}}, tx);
            cmd.Parameters.AddWithValue("{{e.Table}}");
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(action);
            await cmd.ExecuteNonQueryAsync(ct);
            }
            """;
        return [caller, callee];
    }

    static string[] OwningHelper(MethodContext c)
    {
        var helper = c.Name("Finish");
        var caller =
            $$"""
            public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
            {
            {{c.OpenAsync()}}
            var tx = {{c.BeginAsync()}};
            await {{helper}}(tx, id, amount, ct);
            }
            """;
        var callee =
            $$"""
            private static async Task {{helper}}([Owned] NpgsqlTransaction tx, long id, decimal amount, CancellationToken ct)
            {
            await using (tx)
            {
            {{c.Statements(true, "tx", c.Rng.Next(1, 3), conn: "tx.Connection!")}}
            await tx.CommitAsync(ct);
            }
            }
            """;
        return [caller, callee];
    }

    static string[] LocalFunction(MethodContext c)
    {
        var e = c.E;
        return
        [
            $$"""
            public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
            {
            {{c.OpenAsync()}}
            await using var tx = {{c.BeginAsync()}};
            await RunAsync("UPDATE {{e.Table}} SET {{e.TextColumn}} = $2 WHERE id = $1", id, "{{c.State}}");
            await RunAsync("UPDATE {{e.Table}} SET {{e.NumColumn}} = {{e.NumColumn}} + $2 WHERE id = $1", id, amount);
            await tx.CommitAsync(ct);

            async Task RunAsync(string sql, params object[] values)
            {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            foreach (var value in values)
            {
            cmd.Parameters.AddWithValue(value);
            }
            await cmd.ExecuteNonQueryAsync(ct);
            }
            }
            """,
        ];
    }

    static string[] LambdaStep(MethodContext c)
    {
        var e = c.E;
        return
        [
            $$"""
            public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
            {
            {{c.OpenAsync()}}
            await using var tx = {{c.BeginAsync()}};
            Func<string, object, Task> step = async (sql, value) =>
            {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(value);
            await cmd.ExecuteNonQueryAsync(ct);
            };
            await step("UPDATE {{e.Table}} SET {{e.TextColumn}} = $2 WHERE id = $1", "{{c.State}}");
            await step("UPDATE {{e.Table}} SET {{e.NumColumn}} = {{e.NumColumn}} + $2 WHERE id = $1", amount);
            await tx.CommitAsync(ct);
            }
            """,
        ];
    }

    static string[] Savepoint(MethodContext c)
    {
        var savepoint = "before_" + c.E.Table;
        return
        [
            $$"""
            public async Task {{c.Name(c.Pick("Upsert", "Merge", "Link"))}}({{AsyncParams}})
            {
            {{c.OpenAsync()}}
            await using var tx = {{c.BeginAsync()}};
            {{c.Statement(true, "tx")}}
            await tx.SaveAsync("{{savepoint}}", ct);
            try
            {
            {{c.Statement(true, "tx")}}
            await tx.ReleaseAsync("{{savepoint}}", ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
            await tx.RollbackAsync("{{savepoint}}", ct);
            }
            await tx.CommitAsync(ct);
            }
            """,
        ];
    }

    static string[] SerializableRetry(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Pick("Transfer", "Rebalance", "Settle"))}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        for (var attempt = 1; ; attempt++)
        {
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
        try
        {
        {{c.Statements(true, "tx", c.Rng.Next(1, 4))}}
        await tx.CommitAsync(ct);
        return;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.SerializationFailure && attempt < 5)
        {
        await tx.RollbackAsync(ct);
        }
        }
        }
        """,
    ];

    static string[] DataSourceCommand(MethodContext c)
    {
        var e = c.E;
        return
        [
            $$"""
            public async Task<long> {{c.Name("Count", suffix: "sBy" + e.Fk)}}(long {{Camel(e.Fk)}}, CancellationToken ct = default)
            {
            await using var cmd = _dataSource.CreateCommand("SELECT count(*) FROM {{e.Table}} WHERE {{e.FkColumn}} = $1");
            cmd.Parameters.AddWithValue({{Camel(e.Fk)}});
            return (long)(await cmd.ExecuteScalarAsync(ct))!;
            }
            """,
        ];
    }

    static string[] ReturnsOwnedResource(MethodContext c) => c.Rng.Next(3) switch
    {
        0 =>
        [
            $$"""
            public async Task<NpgsqlConnection> {{c.Name("Open", suffix: "Connection")}}(CancellationToken ct = default)
            {
            var conn = new NpgsqlConnection(_connectionString);
            await conn.OpenAsync(ct);
            return conn;
            }
            """,
        ],
        1 =>
        [
            $$"""
            public ValueTask<NpgsqlConnection> {{c.Name("Open", suffix: "Connection")}}(CancellationToken ct = default)
            {
            return _dataSource.OpenConnectionAsync(ct);
            }
            """,
        ],
        _ =>
        [
            $$"""
            public static async Task<NpgsqlTransaction> {{c.Name("Begin", suffix: "Work")}}(NpgsqlConnection conn, CancellationToken ct = default)
            {
            var tx = {{c.BeginAsync()}};
            return tx;
            }
            """,
        ],
    };

    static string[] SwitchCommitOrRollback(MethodContext c)
    {
        var e = c.E;
        return
        [
            $$"""
            public async Task<bool> {{c.Name("Transition")}}(long id, string next, decimal amount, CancellationToken ct = default)
            {
            {{c.OpenAsync()}}
            var tx = {{c.BeginAsync()}};
            try
            {
            switch (next)
            {
            case "{{e.States[0]}}":
            case "{{e.States[1]}}":
            {
            {{c.Statement(true, "tx")}}
            await tx.CommitAsync(ct);
            return true;
            }
            default:
            {
            await tx.RollbackAsync(ct);
            return false;
            }
            }
            }
            finally
            {
            await tx.DisposeAsync();
            }
            }
            """,
        ];
    }

    // ---- bugs ------------------------------------------------------------------------------------

    static string[] LeakedTransactionSync(MethodContext c)
    {
        var fromParameter = c.Chance(0.5);
        return
        [
            $$"""
            public void {{c.Name(c.Verb, isAsync: false)}}({{(fromParameter ? "NpgsqlConnection conn, " : "")}}long id, decimal amount)
            {
            {{(fromParameter ? "" : c.OpenSync())}}
            var tx = conn.BeginTransaction();
            {{c.Statements(false, "tx", c.Rng.Next(1, 3))}}
            }
            """,
        ];
    }

    static string[] LeakedTransactionAsync(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        var tx = {{c.BeginAsync()}};
        {{c.Statements(true, "tx", c.Rng.Next(1, 3))}}
        }
        """,
    ];

    static string[] CommitWithoutRollback(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        var tx = {{c.BeginAsync()}};
        {{c.Statements(true, "tx", c.Rng.Next(1, 4))}}
        await tx.CommitAsync(ct);
        {{(c.Chance(0.5) ? "await tx.DisposeAsync();" : "")}}
        }
        """,
    ];

    static string[] EarlyReturnLeak(MethodContext c) =>
    [
        $$"""
        public async Task<bool> {{c.Name(c.Pick("Reserve", "Withdraw", "Allocate"))}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        var tx = {{c.BeginAsync()}};
        {{c.Command(true, "tx", $"SELECT {c.E.NumColumn} FROM {c.E.Table} WHERE id = $1 FOR UPDATE", ["id"], "var current = await {0}.ExecuteScalarAsync(ct);")}}
        if (current is null || (decimal)current < amount)
        {
        return false;
        }
        {{c.Statements(true, "tx", c.Rng.Next(1, 3))}}
        await tx.CommitAsync(ct);
        await tx.DisposeAsync();
        return true;
        }
        """,
    ];

    static string[] CatchSwallows(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        var tx = {{c.BeginAsync()}};
        try
        {
        {{c.Statements(true, "tx", c.Rng.Next(1, 3))}}
        await tx.CommitAsync(ct);
        }
        catch (NpgsqlException ex)
        {
        _log("{{c.E.Table}} " + id + " failed: " + ex.Message);
        }
        }
        """,
    ];

    static string[] UseAfterCommit(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        await using var tx = {{c.BeginAsync()}};
        {{c.Statements(true, "tx", c.Rng.Next(1, 3))}}
        await tx.CommitAsync(ct);
        {{c.Statement(true, "tx")}}
        }
        """,
    ];

    static string[] CompleteTwice(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        await using var tx = {{c.BeginAsync()}};
        {{c.Statements(true, "tx", c.Rng.Next(1, 3))}}
        await tx.CommitAsync(ct);
        if (amount > 1000m)
        {
        {{c.Pick("await tx.RollbackAsync(ct);", "await tx.CommitAsync(ct);")}}
        }
        }
        """,
    ];

    static string[] NestedBegin(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        {{c.OpenAsync()}}
        await using var outer = {{c.BeginAsync()}};
        {{c.Statement(true, "outer")}}
        await using var inner = await conn.BeginTransactionAsync(ct);
        {{c.Statement(true, "inner")}}
        await inner.CommitAsync(ct);
        await outer.CommitAsync(ct);
        }
        """,
    ];

    static string[] LoopConditionalCommit(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Pick("Backfill", "Migrate", "Rewrite"))}}(IEnumerable<long> ids, bool dryRun, CancellationToken ct = default)
        {
        {{c.OpenAsync()}}
        foreach (var id in ids)
        {
        var tx = {{c.BeginAsync()}};
        {{c.Statements(true, "tx", c.Rng.Next(1, 3), amount: "1m")}}
        if (!dryRun)
        {
        await tx.CommitAsync(ct);
        }
        }
        }
        """,
    ];

    static string[] SyncCallsInAsync(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        using var conn = new NpgsqlConnection(_connectionString);
        conn.Open();
        using var tx = {{c.BeginSync()}};
        {{c.Statement(true, "tx")}}
        {{c.Statements(false, "tx", c.Rng.Next(1, 3))}}
        tx.Commit();
        }
        """,
    ];

    static string[] SyncReaderInAsync(MethodContext c)
    {
        var e = c.E;
        return
        [
            $$"""
            public async Task<List<{{e.Row}}>> {{c.Name("Find", suffix: "s")}}(string {{Camel(e.Text)}}, CancellationToken ct = default)
            {
            {{c.OpenAsync()}}
            await using var cmd = new NpgsqlCommand("SELECT {{e.Columns}} FROM {{e.Table}} WHERE {{e.TextColumn}} = $1", conn);
            cmd.Parameters.AddWithValue({{Camel(e.Text)}});
            using var reader = cmd.ExecuteReader();
            var rows = new List<{{e.Row}}>();
            while (reader.Read())
            {
            rows.Add({{e.ReadRow("reader")}});
            }
            return rows;
            }
            """,
        ];
    }

    static string[] LeakedConnectionNew(MethodContext c) =>
    [
        $$"""
        public async Task {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync(ct);
        {{c.Statements(true, null, c.Rng.Next(1, 3))}}
        }
        """,
    ];

    static string[] LeakedConnectionDataSource(MethodContext c) =>
    [
        $$"""
        public async Task<int> {{c.Name(c.Verb)}}({{AsyncParams}})
        {
        var conn = await _dataSource.OpenConnectionAsync(ct);
        {{c.Command(true, null, $"UPDATE {c.E.Table} SET {c.E.NumColumn} = {c.E.NumColumn} + $2 WHERE id = $1", ["id", "amount"], "var changed = await {0}.ExecuteNonQueryAsync(ct);")}}
        if (changed > 0)
        {
        await conn.DisposeAsync();
        }
        return changed;
        }
        """,
    ];

    static string[] LeakedReader(MethodContext c)
    {
        var e = c.E;
        var thenCommand = c.Chance(0.5);
        return
        [
            $$"""
            public async Task<List<{{e.Row}}>> {{c.Name("Drain", suffix: "s")}}(long id, CancellationToken ct = default)
            {
            {{c.OpenAsync()}}
            await using var select = new NpgsqlCommand("SELECT {{e.Columns}} FROM {{e.Table}} WHERE {{e.FkColumn}} = $1", conn);
            select.Parameters.AddWithValue(id);
            var reader = await select.ExecuteReaderAsync(ct);
            var rows = new List<{{e.Row}}>();
            while (await reader.ReadAsync(ct))
            {
            rows.Add({{e.ReadRow("reader")}});
            }
            {{(thenCommand ? c.Statement(true, null, amount: "0m") : "")}}
            return rows;
            }
            """,
        ];
    }

    static string[] LambdaLeak(MethodContext c)
    {
        var e = c.E;
        return
        [
            $$"""
            public async Task {{c.Name("Archive", suffix: "s")}}(IEnumerable<long> ids, CancellationToken ct = default)
            {
            {{c.OpenAsync()}}
            Func<long, Task> archive = async target =>
            {
            var tx = await conn.BeginTransactionAsync(ct);
            await using var cmd = new NpgsqlCommand("UPDATE {{e.Table}} SET {{e.TextColumn}} = 'archived' WHERE id = $1", conn, tx);
            cmd.Parameters.AddWithValue(target);
            await cmd.ExecuteNonQueryAsync(ct);
            };
            foreach (var id in ids)
            {
            await archive(id);
            }
            }
            """,
        ];
    }

    static string[] LocalFunctionLeak(MethodContext c)
    {
        var e = c.E;
        return
        [
            $$"""
            public async Task<int> {{c.Name("Touch", suffix: "s")}}(IReadOnlyList<long> ids, CancellationToken ct = default)
            {
            {{c.OpenAsync()}}
            var total = 0;
            foreach (var id in ids)
            {
            total += await ApplyAsync(id);
            }
            return total;

            async Task<int> ApplyAsync(long target)
            {
            var tx = {{c.BeginAsync()}};
            await using var cmd = new NpgsqlCommand("UPDATE {{e.Table}} SET {{e.NumColumn}} = {{e.NumColumn}} + 1 WHERE id = $1", conn, tx);
            cmd.Parameters.AddWithValue(target);
            var changed = await cmd.ExecuteNonQueryAsync(ct);
            if (changed == 0)
            {
            return 0;
            }
            await tx.CommitAsync(ct);
            await tx.DisposeAsync();
            return changed;
            }
            }
            """,
        ];
    }

    static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
