namespace PgBorrow.Tests.Generators;

/// <summary>[PgQuery] methods the generator implements, shared by the snapshot, rule and incremental tests.</summary>
internal static class PgQuerySources
{
    /// <summary>[PgRow] results in every shape, on each kind of target, with options, keyword names and tricky SQL.</summary>
    public const string Rows = """
        namespace Shop;

        [PgRow]
        public partial record Order(long Id, string Customer, decimal Total);

        public static partial class OrderQueries
        {
            /// <summary>The guide's example.</summary>
            [PgQuery("SELECT id, customer, total FROM orders WHERE total >= @minimum ORDER BY id")]
            public static partial Task<List<Order>> LargeOrdersAsync(this NpgsqlConnection connection, decimal minimum, CancellationToken ct);

            [PgQuery("SELECT id, customer, total FROM orders WHERE id = @id")]
            public static partial Task<Order> OrderAsync(this NpgsqlDataSource dataSource, long id, CancellationToken ct);

            [PgQuery("SELECT id, customer, total FROM orders WHERE id = @id", Prepare = true)]
            internal static partial ValueTask<Order?> FindOrderAsync(NpgsqlTransaction transaction, long id);

            [PgQuery(@"SELECT id, customer, total FROM orders
                       WHERE customer = @event AND customer <> '@event' -- @nothing
                       ORDER BY id", CommandTimeoutSeconds = 30)]
            public static partial IAsyncEnumerable<Order> StreamOrdersAsync(this PgTx tx, string @event, CancellationToken ct);
        }
        """;

    /// <summary>Scalar results, affected rows and no result, in an instance type; placeholders among casts and operators.</summary>
    public const string Scalars = """
        namespace Shop.Reports;

        public sealed partial class OrderStats
        {
            [PgQuery("SELECT count(*)::int FROM orders WHERE tags @> @tags::text[] AND note @@ plainto_tsquery('@x')")]
            public partial Task<int> CountTaggedAsync(NpgsqlConnection connection, string[] tags);

            [PgQuery("UPDATE orders SET total = total * @factor WHERE customer = @customer OR \"@col\" = @customer")]
            public partial Task<int> ScaleAsync(NpgsqlConnection connection, string customer, decimal factor, CancellationToken ct);

            [PgQuery("SELECT note FROM orders WHERE id = @id")]
            public partial ValueTask<string?> NoteAsync(NpgsqlConnection connection, long id, CancellationToken ct);

            [PgQuery("SELECT max(total) FROM orders", CommandTimeoutSeconds = -1)]
            public partial Task<decimal?> MaxTotalAsync(NpgsqlDataSource dataSource);

            [PgQuery("SELECT id FROM orders WHERE customer = @customer ORDER BY id")]
            public partial Task<List<long>> IdsAsync(NpgsqlConnection connection, string customer);

            [PgQuery("SELECT note FROM orders ORDER BY id")]
            public partial IAsyncEnumerable<string?> NotesAsync(NpgsqlDataSource dataSource, CancellationToken ct);

            [PgQuery("SELECT customer FROM orders WHERE id = @id")]
            public partial Task<string> CustomerAsync(NpgsqlConnection connection, long id);

            [PgQuery("INSERT INTO orders (customer, total) VALUES (@customer, @total)")]
            public partial ValueTask InsertAsync(NpgsqlConnection connection, string customer, decimal total, CancellationToken ct);

            [PgQuery("DELETE FROM orders")]
            public partial Task ClearAsync(NpgsqlConnection connection);
        }
        """;
}
