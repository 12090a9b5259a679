using System.Linq;
using System.Threading.Tasks;
using PgBorrow.Generators.Transactions;
using Xunit;

namespace PgBorrow.Tests.Generators;

/// <summary>
/// Generated [PgTransaction] implementations compile with nullable enabled and every warning an error, and
/// callers use them as ordinary methods (static, instance, extension, overloads).
/// </summary>
public sealed class PgTransactionCompilationTests
{
    [Fact]
    public async Task Generated_code_for_every_sample_compiles_without_warnings_under_nullable_and_warnings_as_errors()
    {
        var compilation = await GeneratorHarness.CompilationAsync(
            GeneratorHarness.TransactionUsings + PgTransactionSources.Transfer,
            GeneratorHarness.TransactionUsings + PgTransactionSources.Connection,
            GeneratorHarness.TransactionUsings + PgTransactionSources.Instance,
            GeneratorHarness.TransactionUsings + """
                namespace Legacy;

                #nullable disable
                public static partial class Oblivious
                {
                    [PgTransaction]
                    public static partial Task<string> NameAsync(NpgsqlDataSource dataSource, string name, int[] values);

                    static Task<string> NameBody(PgTx tx, string name, int[] values) => Task.FromResult(name);
                }
                #nullable restore

                public partial class Keywords
                {
                    [PgTransaction(IsolationLevel.Unspecified)]
                    public partial Task<int> @class(NpgsqlConnection @this, int @int, string @event, long __tx, CancellationToken @default);

                    private Task<int> classBody(PgTx tx, int @int, string @event, long __tx, CancellationToken @default) => Task.FromResult(@int);
                }
                """,
            GeneratorHarness.TransactionUsings + """
                using Reports;

                static class Usage
                {
                    static async Task UseAsync(NpgsqlDataSource dataSource, NpgsqlConnection connection, CancellationToken ct)
                    {
                        bool moved = await Bank.TransferCommands.TransferAsync(dataSource, 1, 2, 10m, ct);
                        await Reports.AuditReports.SnapshotAsync(connection, null);
                        await connection.SnapshotAsync("x");
                        int count = await Reports.AuditReports.CountAsync(dataSource);
                        var ledger = new Shop.Orders.Outer<int>.Ledger("t");
                        List<string>? lines = await ledger.RecordAsync(dataSource, "e", ct, 1, 2, 3);
                        lines = await ledger.RecordAsync(connection, "e", ct);
                        await ledger.TouchAsync(dataSource);
                        string name = await Legacy.Oblivious.NameAsync(dataSource, "n", new[] { 1 });
                        int value = await new Legacy.Keywords().@class(connection, 1, "e", 2, ct);
                        _ = (moved, count, lines, name, value);
                    }
                }
                """);

        var (result, output) = GeneratorHarness.Run(compilation, new PgTransactionGenerator());

        Assert.Equal(8, result.GeneratedSources.Length);
        GeneratorHarness.AssertNoProblems(output);
    }
}
