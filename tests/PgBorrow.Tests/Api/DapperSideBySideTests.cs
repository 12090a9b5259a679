using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Api;

/// <summary>
/// A file that imports both Dapper and PgBorrow, compiled against the real Dapper assembly with the
/// [PgRow] generator run: each call says in a trailing comment where it must bind (<c>Dapper</c>,
/// <c>PgSql</c> for PgBorrow's interpolated-string overload, <c>string</c> for PgBorrow's constant-text
/// overload) or that the compiler must refuse it as ambiguous (<c>CS0121</c>). The guide's "Using both"
/// section describes the same table (docs/guide/coming-from-dapper.md).
/// </summary>
public sealed class DapperSideBySideTests
{
    const string Consumer = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Dapper;
        using Npgsql;
        using PgBorrow;

        [PgRow] public partial record OrderRow(long Id, string Status);
        public sealed class DapperOrder { public long Id { get; set; } public string Status { get; set; } = ""; }

        static class Calls
        {
            const string Count = "SELECT count(*) FROM orders";

            static async Task Run(NpgsqlConnection conn, NpgsqlTransaction tx, NpgsqlDataSource dataSource, string text, long id, CancellationToken ct)
            {
                // A Dapper row type, or a parameter object: Dapper's, whatever the SQL.
                await conn.QueryAsync<DapperOrder>("SELECT id, status FROM orders");                        // Dapper
                await conn.QueryFirstAsync<DapperOrder>("SELECT id, status FROM orders");                   // Dapper
                await conn.QuerySingleOrDefaultAsync<DapperOrder>(text);                                   // Dapper
                await conn.QueryAsync<OrderRow>("SELECT id, status FROM orders WHERE id = @id", new { id }); // Dapper
                await conn.ExecuteAsync("UPDATE orders SET status = 'paid' WHERE id = @id", new { id });    // Dapper
                await conn.ExecuteScalarAsync<long>(Count, new { });                                       // Dapper
                await conn.QueryMultipleAsync("SELECT 1; SELECT 2");                                       // Dapper
                await SqlMapper.ExecuteAsync(conn, "UPDATE orders SET status = 'paid'");                   // Dapper
                await SqlMapper.ExecuteScalarAsync<long>(conn, Count);                                     // Dapper

                // An interpolated string with holes: PgBorrow's handler, so the holes are parameters.
                await conn.ExecuteAsync($"UPDATE orders SET status = 'paid' WHERE id = {id}");             // PgSql
                await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM orders WHERE id > {id}");       // PgSql
                await conn.QueryAsync<OrderRow>($"SELECT id, status FROM orders WHERE id = {id}");         // PgSql
                await conn.QuerySingleAsync<OrderRow>($"SELECT id, status FROM orders WHERE id = {id}", PgQueryOptions.Prepared); // PgSql

                // A [PgRow] type with constant SQL: PgBorrow's (Dapper's rows are not [PgRow]).
                await conn.QueryAsync<OrderRow>("SELECT id, status FROM orders");                          // string
                await conn.QueryFirstAsync<OrderRow>("SELECT id, status FROM orders");                     // string
                await conn.QueryFirstOrDefaultAsync<OrderRow>("SELECT id, status FROM orders");            // string
                await conn.QuerySingleAsync<OrderRow>("SELECT id, status FROM orders");                    // string
                await conn.QuerySingleOrDefaultAsync<OrderRow>($"SELECT id, status FROM orders");          // string
                await conn.QueryAsync<OrderRow>("SELECT id, status FROM orders", PgQueryOptions.Prepared); // string
                await conn.QueryAsync<OrderRow>("SELECT id, status FROM orders", ct);                      // string

                // A PgBorrow-only argument (a token, options) settles Execute and ExecuteScalar for PgBorrow.
                await conn.ExecuteAsync("UPDATE orders SET status = 'paid'", ct);                          // PgSql
                await conn.ExecuteScalarAsync<long>(Count, ct);                                            // PgSql
                await conn.ExecuteAsync("UPDATE orders SET status = 'paid'", PgQueryOptions.Prepared);     // string
                await conn.ExecuteScalarAsync<long>(Count, new PgQueryOptions { Prepare = true });         // string

                // Dapper has no methods on transactions and data sources.
                await tx.ExecuteAsync("UPDATE orders SET status = 'paid'");                                // PgSql
                await dataSource.ExecuteScalarAsync<long>(Count);                                          // PgSql

                // SQL text and nothing else: both libraries take it, and they would run it differently
                // (Dapper opens a closed connection and converts scalars), so the compiler asks.
                await conn.ExecuteAsync("UPDATE orders SET status = 'paid'");                              // CS0121
                await conn.ExecuteAsync(text);                                                             // CS0121
                await conn.ExecuteScalarAsync<long>(Count);                                                // CS0121
            }
        }
        """;

    static readonly Regex Expectation = new(@"// (Dapper|PgSql|string|CS0121)\s*$");

    [Fact]
    public async Task Each_call_binds_where_its_comment_says_and_only_the_marked_calls_are_ambiguous()
    {
        var (_, output) = GeneratorHarness.Run(await GeneratorHarness.CompilationAsync(Consumer));
        var tree = output.SyntaxTrees.First();
        var model = output.GetSemanticModel(tree);
        var lines = tree.GetText().Lines;

        var ambiguousLines = output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d =>
            {
                Assert.True(d.Id == "CS0121", $"Only ambiguity errors are expected, got: {d}");
                return d.Location.GetLineSpan().StartLinePosition.Line;
            })
            .ToHashSet();

        var checkedCalls = new List<string>();
        foreach (var call in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            var line = call.GetLocation().GetLineSpan().StartLinePosition.Line;
            var match = Expectation.Match(lines[line].ToString());
            if (!match.Success || call.Parent is not AwaitExpressionSyntax)
                continue;
            var expected = match.Groups[1].Value;
            checkedCalls.Add(expected);

            if (expected == "CS0121")
            {
                Assert.True(ambiguousLines.Contains(line), $"Line {line + 1} should be ambiguous: {call}");
                continue;
            }
            Assert.False(ambiguousLines.Contains(line), $"Line {line + 1} is ambiguous: {call}");
            Assert.Equal(expected, BindsTo(model.GetSymbolInfo(call).Symbol as IMethodSymbol, call));
        }

        Assert.Equal(3, ambiguousLines.Count);
        Assert.Equal(3, checkedCalls.Count(c => c == "CS0121"));
        Assert.Equal(29, checkedCalls.Count);
    }

    /// <summary>Dapper, or the type of the <c>sql</c> parameter of PgBorrow's overload.</summary>
    static string BindsTo(IMethodSymbol? method, InvocationExpressionSyntax call)
    {
        Assert.True(method is not null, $"Not bound: {call}");
        var original = method!.ReducedFrom ?? method;
        if (original.ContainingNamespace.Name == "Dapper")
            return "Dapper";
        Assert.Equal("PgBorrow", original.ContainingNamespace.Name);
        var sql = original.Parameters.Single(p => p.Name == "sql");
        return sql.Type.SpecialType == SpecialType.System_String ? "string" : sql.Type.Name;
    }
}
