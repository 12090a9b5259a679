namespace PgBorrow.Tests.Generators;

/// <summary>[PgTransaction] methods the generator implements, shared by the snapshot, compilation and consistency tests.</summary>
internal static class PgTransactionSources
{
    /// <summary>The guide's example: static, a data source, Task&lt;T&gt;, a token, the body found by convention.</summary>
    public const string Transfer = """
        namespace Bank;

        public static partial class TransferCommands
        {
            /// <summary>Moves money between two accounts; false when the source account lacks it.</summary>
            [PgTransaction(IsolationLevel.Serializable, MaxAttempts = 5)]
            public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, long to, decimal amount, CancellationToken cancellationToken);

            private static async Task<bool> TransferBody(PgTx tx, long from, long to, decimal amount, CancellationToken cancellationToken)
            {
                var balance = await tx.ExecuteScalarAsync<decimal>($"SELECT balance FROM accounts WHERE id = {from}", cancellationToken);
                if (balance < amount)
                    return false;
                await tx.ExecuteAsync($"UPDATE accounts SET balance = balance - {amount} WHERE id = {from}", cancellationToken);
                await tx.ExecuteAsync($"UPDATE accounts SET balance = balance + {amount} WHERE id = {to}", cancellationToken);
                return true;
            }
        }
        """;

    /// <summary>A connection, Task, one state value and no token, a named body, read-only deferrable options, an extension method.</summary>
    public const string Connection = """
        namespace Reports;

        internal static partial class AuditReports
        {
            [PgTransaction(ReadOnly = true, Deferrable = true, MaxAttempts = 1, Body = nameof(WriteSnapshot))]
            internal static partial Task SnapshotAsync(this NpgsqlConnection connection, string? label);

            private static Task WriteSnapshot(PgTx tx, string? label)
                => tx.ExecuteAsync($"SELECT pg_export_snapshot(), {label}");

            [PgTransaction(IsolationLevel.ReadCommitted, BaseDelayMilliseconds = 0, MaxDelayMilliseconds = 50)]
            public static partial Task<int> CountAsync(NpgsqlDataSource source);

            static Task<int> CountBody(PgTx tx) => tx.ExecuteScalarAsync<int>("SELECT count(*) FROM audit");
        }
        """;

    /// <summary>Instance methods (the state carries this) in a nested generic type, overloads, keyword and params parameters, nullable types, a token in the middle.</summary>
    public const string Instance = """
        namespace Shop.Orders;

        public partial class Outer<TKey> where TKey : notnull
        {
            public partial record Ledger(string Table)
            {
                [PgTransaction(IsolationLevel.RepeatableRead)]
                public partial Task<List<string>?> RecordAsync(NpgsqlDataSource dataSource, string @event, CancellationToken ct, params int[] ids);

                [PgTransaction(IsolationLevel.RepeatableRead)]
                public partial Task<List<string>?> RecordAsync(NpgsqlConnection connection, string @event, CancellationToken ct, params int[] ids);

                private Task<List<string>?> RecordBody(PgTx tx, string @event, CancellationToken ct, params int[] ids)
                    => Task.FromResult<List<string>?>(new List<string> { Table, @event, ids.Length.ToString() });

                [PgTransaction]
                protected internal virtual partial Task TouchAsync(NpgsqlDataSource dataSource);

                private Task TouchBody(PgTx tx) => tx.ExecuteAsync($"SELECT {Table}");
            }
        }
        """;
}
