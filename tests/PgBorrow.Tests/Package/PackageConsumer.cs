using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PgBorrow.Cli.Describe;
using PgBorrow.Cli.Metadata;

namespace PgBorrow.Tests.Package;

/// <summary>
/// A project that installs the packed packages the way a user would, and one source file of known
/// mistakes. Each line that must get a diagnostic ends with <c>// expect: PGBnnn</c> (several ids
/// separated by commas); no other line may get one.
/// </summary>
internal sealed record PackageConsumer(
    string Name,
    string TargetFramework,
    string NpgsqlVersion,
    IReadOnlyList<PackageInstall> Installs,
    IReadOnlyList<string> RoslynAssemblies,
    string Source)
{
    public const string SourceFileName = "Orders.cs";

    /// <summary>MSBuild properties the project sets, beside the ones every consumer has.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>The statements <c>pgborrow prepare</c> described, as its files under <c>.pgborrow/</c> (by file name).</summary>
    public IReadOnlyDictionary<string, byte[]> PreparedStatements { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>
    /// A shared data-access library on netstandard2.0 (C# 7.3, its default), which the runtime does not
    /// support: it installs the analyzers package alone, next to Npgsql 8.0.5 (whose netstandard2.0 build
    /// the analyzers recognize by type name like any other).
    /// </summary>
    public static readonly PackageConsumer NetStandardLibrary = new(
        "LegacyDataAccess",
        "netstandard2.0",
        "8.0.5",
        [new PackageInstall("PgBorrow.Analyzers", PrivateAssets: "all")],
        ["PgBorrow.Analyzers.dll", "PgBorrow.CodeFixes.dll"],
        """
        using System.Threading.Tasks;
        using Npgsql;

        namespace LegacyDataAccess
        {
            public static class Orders
            {
                public static void MarkShipped(NpgsqlConnection conn, int orderId)
                {
                    var tx = conn.BeginTransaction(); // expect: PGB001
                    using (var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn, tx))
                    {
                        cmd.Parameters.AddWithValue(orderId);
                        cmd.ExecuteNonQuery();
                    }
                }

                public static async Task<long> CountForCustomerAsync(NpgsqlConnection conn, string customer)
                {
                    using (var cmd = new NpgsqlCommand("SELECT count(*) FROM orders WHERE customer = '" + customer + "'", conn)) // expect: PGB201
                    {
                        await Task.Yield();
                        return (long)cmd.ExecuteScalar(); // expect: PGB005
                    }
                }

                public static int Ping(string connectionString)
                {
                    var conn = new NpgsqlConnection(connectionString); // expect: PGB006
                    conn.Open();
                    using (var cmd = new NpgsqlCommand("SELECT 1", conn))
                        return (int)cmd.ExecuteScalar();
                }

                // Correct: committed on success, rolled back by Dispose otherwise.
                public static void MarkPaid(NpgsqlConnection conn, int orderId)
                {
                    using (var tx = conn.BeginTransaction())
                    using (var cmd = new NpgsqlCommand("UPDATE orders SET paid = true WHERE id = $1", conn, tx))
                    {
                        cmd.Parameters.AddWithValue(orderId);
                        cmd.ExecuteNonQuery();
                        tx.Commit();
                    }
                }
            }
        }
        """);

    /// <summary>
    /// An application on net8.0 and the package's Npgsql floor, installing PgBorrow alone: the analyzers come with
    /// it. It keeps prepared statements and sets <c>PgBorrowRequirePrepared</c>, so its PGB331 is a warning.
    /// </summary>
    public static readonly PackageConsumer Net8Application = new(
        "Net8Orders",
        "net8.0",
        "8.0.5",
        [new PackageInstall("PgBorrow")],
        ["PgBorrow.Analyzers.dll", "PgBorrow.CodeFixes.dll", "PgBorrow.Generators.dll"],
        RuntimeConsumerSource("Net8Orders"))
    {
        Properties = new Dictionary<string, string> { ["PgBorrowRequirePrepared"] = "warning" },
        PreparedStatements = RuntimeConsumerStatements(),
    };

    /// <summary>
    /// An application on net10.0 and Npgsql 10 that installs both packages (as a project that started
    /// with the analyzers alone would): the analyzers must still load once.
    /// </summary>
    public static readonly PackageConsumer Net10Application = new(
        "Net10Orders",
        "net10.0",
        "10.0.3",
        [new PackageInstall("PgBorrow"), new PackageInstall("PgBorrow.Analyzers", PrivateAssets: "all")],
        ["PgBorrow.Analyzers.dll", "PgBorrow.CodeFixes.dll", "PgBorrow.Generators.dll"],
        RuntimeConsumerSource("Net10Orders"))
    {
        PreparedStatements = RuntimeConsumerStatements(),
    };

    public static readonly IReadOnlyList<PackageConsumer> All = [NetStandardLibrary, Net8Application, Net10Application];

    public static PackageConsumer Named(string name) => All.Single(c => c.Name == name);

    /// <summary>The (rule id, 1-based line) pairs the markers in <see cref="Source"/> ask for, in line order.</summary>
    public IReadOnlyList<(string Id, int Line)> ExpectedDiagnostics
    {
        get
        {
            var expected = new List<(string, int)>();
            var lines = Source.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var marker = Regex.Match(lines[i], @"// expect: (?<ids>PGB\d{3}(?:, *PGB\d{3})*)\s*$");
                if (!marker.Success)
                    continue;
                foreach (var id in marker.Groups["ids"].Value.Split(',', StringSplitOptions.TrimEntries))
                    expected.Add((id, i + 1));
            }
            return expected;
        }
    }

    /// <summary>
    /// Code for a runtime consumer: known mistakes, and uses of the runtime that compile only when
    /// lib/ is referenced (<c>[Owned]</c>) and the [PgRow] generator ran (<c>QueryAsync&lt;Order&gt;</c>
    /// needs the generated <c>IPgRow&lt;Order&gt;</c>).
    /// </summary>
    static string RuntimeConsumerSource(string rootNamespace) => $$"""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Npgsql;
        using PgBorrow;

        namespace {{rootNamespace}};

        [PgRow]
        public partial record Order(int Id, string Customer, decimal Total);

        public static class Orders
        {
            public static void MarkShipped(NpgsqlConnection conn, int orderId)
            {
                var tx = conn.BeginTransaction(); // expect: PGB001
                using var cmd = new NpgsqlCommand("{{ShippedSql}}", conn, tx);
                cmd.Parameters.AddWithValue(orderId);
                cmd.ExecuteNonQuery();
            }

            public static async Task<long> CountForCustomerAsync(NpgsqlConnection conn, string customer, CancellationToken ct)
            {
                await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders WHERE customer = '" + customer + "'", conn); // expect: PGB201
                return (long)(await cmd.ExecuteScalarAsync(ct))!;
            }

            public static Task<List<Order>> LargeOrdersAsync(NpgsqlDataSource dataSource, decimal minimum, CancellationToken ct)
                => dataSource.QueryAsync<Order>($"SELECT id, customer, total FROM orders WHERE total >= {minimum}", ct);

            public static void Complete([Owned] NpgsqlTransaction tx) => tx.Commit();
        }

        // The offline checks: the first statement has its file in .pgborrow/ and fits it; the second has none.
        public static partial class OrderQueries
        {
            [PgQuery("{{PreparedCountSql}}")]
            public static partial Task<long> CountAsync(this NpgsqlConnection connection, string customer);

            [PgQuery("SELECT count(*) FROM orders")] // expect: PGB331
            public static partial Task<long> CountAllAsync(this NpgsqlConnection connection);
        }
        """;

    const string PreparedCountSql = "SELECT count(*) FROM orders WHERE customer = @customer";

    const string ShippedSql = "UPDATE orders SET shipped = true WHERE id = $1";

    /// <summary><c>LargeOrdersAsync</c>'s interpolated SQL as the runtime sends it (its hole is <c>$1</c>).</summary>
    const string LargeOrdersSentSql = "SELECT id, customer, total FROM orders WHERE total >= $1";

    /// <summary>The file <c>pgborrow prepare</c> writes for the consumers' prepared statement, written by the tool's own code.</summary>
    static Dictionary<string, byte[]> RuntimeConsumerStatements()
    {
        var sent = PreparedCountSql.Replace("@customer", "$1", StringComparison.Ordinal);
        var description = new StatementDescription(sent, ["text"], [new DescribedColumn("count", "bigint", 0, null, 0, Nullable: true)], null);
        // The command and the query API call send statements too (PGB331 would name them): their files, as prepare writes them.
        var update = new StatementDescription(ShippedSql, ["integer"], [], null);
        var large = new StatementDescription(LargeOrdersSentSql, ["numeric"],
            [new DescribedColumn("id", "integer", 16384, "orders", 1, Nullable: false), new DescribedColumn("customer", "text", 16384, "orders", 2, Nullable: false),
             new DescribedColumn("total", "numeric", 16384, "orders", 3, Nullable: false)], null);
        return new Dictionary<string, byte[]>
        {
            [StatementFile.FileName(sent)] = StatementFile.Write(description),
            [StatementFile.FileName(ShippedSql)] = StatementFile.Write(update),
            [StatementFile.FileName(LargeOrdersSentSql)] = StatementFile.Write(large),
        };
    }
}

/// <summary>A <c>PackageReference</c> of the consumer: a package under test, at the version just packed.</summary>
internal sealed record PackageInstall(string PackageId, string? PrivateAssets = null);
