using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb007 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.DataReaderLeftOpenAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB007 (data reader left open) across the shapes the issue lists, for both forms: another
/// command on the reader's connection while it is open on every path (reported on the command's
/// invocation) and a reader never disposed on some normal path (reported on its variable).
/// Expectations follow docs/rules/PGB007.md. Source line N is reported as line N + 8.
/// </summary>
public class Pgb007MatrixTests
{
    static DiagnosticResult Pgb007(int location, string name, string when, string usingForm = "'using'")
        => new DiagnosticResult("PGB007", DiagnosticSeverity.Warning).WithLocation(location).WithArguments("Data reader", name, when, Remedy(when, usingForm));

    /// <summary>A reader open at the exit needs a using; one open when another command runs must end before that command.</summary>
    static string Remedy(string when, string usingForm)
        => when.StartsWith("when the method returns", System.StringComparison.Ordinal)
            ? $"declare it with {usingForm}"
            : $"dispose it before that command (declare it with {usingForm} in a block that ends there)";

    [Fact]
    public Task Another_command_names_the_method_the_connection_and_the_line()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                void Ship(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    using var reader = select.ExecuteReader();
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    {|#0:update.ExecuteNonQuery()|};
                }
            }
            """,
            Pgb007(0, "reader", "when 'ExecuteNonQuery' runs another command on connection 'conn' on line 16"));

    [Fact]
    public Task Early_return_without_dispose_names_the_exit()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                int? First(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    var {|#0:reader|} = select.ExecuteReader();
                    if (!reader.Read())
                        return null;
                    var id = reader.GetInt32(0);
                    reader.Dispose();
                    return id;
                }
            }
            """,
            Pgb007(0, "reader", "when the method returns on line 16: it is never disposed"));

    [Fact]
    public Task Every_kind_of_command_on_the_same_connection_is_reported()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                readonly NpgsqlConnection _conn = new();

                async Task Scalar(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    await using var select = new NpgsqlCommand("SELECT id FROM orders", conn, tx);
                    await using var reader = await select.ExecuteReaderAsync();
                    await using var count = conn.CreateCommand();
                    count.CommandText = "SELECT count(*) FROM orders";
                    await {|PGB007:count.ExecuteScalarAsync()|};
                }

                void SecondReader(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    using var reader = select.ExecuteReader();
                    using var lines = new NpgsqlCommand("SELECT * FROM order_lines");
                    lines.Connection = conn;
                    using var second = {|PGB007:lines.ExecuteReader()|};
                }

                void Prepare(NpgsqlConnection conn)
                {
                    using var select = conn.CreateCommand();
                    select.CommandText = "SELECT id FROM orders";
                    using var reader = select.ExecuteReader();
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    {|PGB007:update.Prepare()|};
                }

                void Batch(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    using var reader = select.ExecuteReader();
                    using var batch = conn.CreateBatch();
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE orders SET shipped = true"));
                    {|PGB007:batch.ExecuteNonQuery()|};
                }

                void SameCommandAgain(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    using var reader = select.ExecuteReader();
                    {|PGB007:select.ExecuteNonQuery()|};
                }

                void FieldConnection()
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", _conn);
                    using var reader = select.ExecuteReader();
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", _conn);
                    {|PGB007:update.ExecuteNonQuery()|};
                }
            }
            """);

    [Fact]
    public Task Commands_created_with_an_object_initializer_setting_the_connection_belong_to_it()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                void ReaderFromInitializedCommand(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand { Connection = conn, CommandText = "SELECT id FROM orders" };
                    using var reader = select.ExecuteReader();
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    {|PGB007:update.ExecuteNonQuery()|};
                }

                void LaterCommandFromInitializer(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    using var reader = select.ExecuteReader();
                    using var update = new NpgsqlCommand { Connection = conn, CommandText = "UPDATE orders SET shipped = true" };
                    {|PGB007:update.ExecuteNonQuery()|};
                }
            }
            """);

    [Fact]
    public Task Bare_return_is_named_as_the_exit_that_leaves_the_reader_open()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                void Peek(NpgsqlCommand cmd, bool quick)
                {
                    var {|#0:reader|} = cmd.ExecuteReader();
                    if (quick)
                        return;
                    reader.Dispose();
                }
            }
            """,
            Pgb007(0, "reader", "when the method returns on line 15: it is never disposed"));

    [Fact]
    public Task Using_block_or_nested_block_ends_the_reader_before_the_next_command_but_a_using_declaration_does_not()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                async Task UsingStatement(NpgsqlConnection conn)
                {
                    await using (var select = new NpgsqlCommand("SELECT id FROM orders", conn))
                    await using (var reader = await select.ExecuteReaderAsync())
                    {
                        while (await reader.ReadAsync()) { }
                    }
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    await update.ExecuteNonQueryAsync();
                }

                void NestedBlock(NpgsqlConnection conn)
                {
                    {
                        using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                        using var reader = select.ExecuteReader();
                        while (reader.Read()) { }
                    }
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    update.ExecuteNonQuery();
                }

                async Task UsingDeclaration(NpgsqlConnection conn)
                {
                    await using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    await using var reader = await select.ExecuteReaderAsync();
                    while (await reader.ReadAsync()) { }
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    await {|PGB007:update.ExecuteNonQueryAsync()|};
                }
            }
            """);

    [Fact]
    public Task Reader_closed_on_only_one_branch_is_not_reported_at_the_command_and_closed_on_both_is_fine()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                void OneBranch(NpgsqlConnection conn, bool drain)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    using var reader = select.ExecuteReader();
                    if (drain)
                        reader.Close();
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    update.ExecuteNonQuery();
                }

                async Task BothBranches(NpgsqlConnection conn, bool drain)
                {
                    await using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    var reader = await select.ExecuteReaderAsync();
                    if (drain)
                        await reader.CloseAsync();
                    else
                        await reader.DisposeAsync();
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    await update.ExecuteNonQueryAsync();
                }
            }
            """);

    [Fact]
    public Task Loops_report_commands_run_while_reading_and_readers_leaked_by_break()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                void ForeachWhileReading(NpgsqlConnection conn, int[] ids)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    using var reader = select.ExecuteReader();
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn);
                    foreach (var id in ids)
                    {
                        if (id == 0)
                            continue;
                        {|PGB007:update.ExecuteNonQuery()|};
                    }
                }

                void BreakLeaksTheReader(NpgsqlConnection conn, int[] ids)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders WHERE id = $1", conn);
                    for (var i = 0; i < ids.Length; i++)
                    {
                        var {|PGB007:reader|} = select.ExecuteReader();
                        if (!reader.Read())
                            break;
                        reader.Dispose();
                    }
                }

                void ReaderPerIteration(NpgsqlConnection conn, int[] ids)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders WHERE id = $1", conn);
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    var i = 0;
                    while (i++ < ids.Length)
                    {
                        using (var reader = select.ExecuteReader())
                        {
                            if (!reader.Read())
                                continue;
                        }
                        update.ExecuteNonQuery();
                    }
                }
            }
            """);

    [Fact]
    public Task While_true_loop_is_left_only_through_its_return()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                int FirstPositive(NpgsqlCommand cmd)
                {
                    var reader = cmd.ExecuteReader();
                    while (true)
                    {
                        if (!reader.Read() || reader.GetInt32(0) > 0)
                        {
                            var id = reader.IsOnRow ? reader.GetInt32(0) : 0;
                            reader.Dispose();
                            return id;
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task Local_functions_and_lambdas_that_dispose_take_the_reader_and_their_own_bodies_are_checked()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                int LocalFunctionDisposes(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    var reader = select.ExecuteReader();
                    var count = 0;
                    while (reader.Read())
                        count++;
                    Done();
                    return count;

                    void Done() => reader.Dispose();
                }

                Task LambdaDisposes(NpgsqlConnection conn, Func<Func<ValueTask>, Task> onComplete)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    var reader = select.ExecuteReader();
                    return onComplete(() => reader.DisposeAsync());
                }

                void LocalFunctionBody(NpgsqlConnection conn)
                {
                    Run();

                    void Run()
                    {
                        using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                        var {|PGB007:reader|} = select.ExecuteReader();
                        using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                        {|PGB007:update.ExecuteNonQuery()|};
                    }
                }

                Func<NpgsqlConnection, Task> Job = async conn =>
                {
                    await using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    await using var reader = await select.ExecuteReaderAsync();
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    await {|PGB007:update.ExecuteNonQueryAsync()|};
                };
            }
            """);

    [Fact]
    public Task Returned_yielded_and_stored_readers_are_moved_and_a_factory_result_is_owned_by_the_caller()
        => VerifyPgb007.AnalyzerAsync("""
            sealed class RowStream : IDisposable
            {
                readonly NpgsqlDataReader _reader;
                public RowStream([Owned] NpgsqlDataReader reader) => _reader = reader;
                public void Dispose() => _reader.Dispose();
            }

            class Orders
            {
                async Task<NpgsqlDataReader> OpenAsync(NpgsqlConnection conn)
                {
                    var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    var reader = await select.ExecuteReaderAsync();
                    return reader;
                }

                IEnumerable<NpgsqlDataReader> Each(NpgsqlCommand[] commands)
                {
                    foreach (var cmd in commands)
                    {
                        var reader = cmd.ExecuteReader();
                        yield return reader;
                    }
                }

                RowStream Stream(NpgsqlCommand cmd)
                {
                    var reader = cmd.ExecuteReader();
                    return new RowStream(reader);
                }

                async Task<int> CallerOwns(NpgsqlConnection conn)
                {
                    var {|PGB007:reader|} = await OpenAsync(conn);
                    return await reader.ReadAsync() ? reader.GetInt32(0) : 0;
                }
            }
            """);

    [Fact]
    public Task Helper_that_disposes_or_owned_parameter_takes_the_reader_but_a_helper_that_only_reads_borrows_it()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                static List<int> ReadAll(NpgsqlDataReader reader)
                {
                    var ids = new List<int>();
                    while (reader.Read())
                        ids.Add(reader.GetInt32(0));
                    return ids;
                }

                static List<int> ReadAndClose(NpgsqlDataReader reader)
                {
                    var ids = ReadAll(reader);
                    reader.Close();
                    return ids;
                }

                static void Keep([Owned] NpgsqlDataReader reader) { }

                List<int> Closing(NpgsqlCommand cmd)
                {
                    var reader = cmd.ExecuteReader();
                    return ReadAndClose(reader);
                }

                void Owned(NpgsqlCommand cmd)
                {
                    var reader = cmd.ExecuteReader();
                    Keep(reader);
                }

                List<int> Borrowing(NpgsqlCommand cmd)
                {
                    var {|PGB007:reader|} = cmd.ExecuteReader();
                    return ReadAll(reader);
                }

                DataTable SystemDataBorrows(NpgsqlCommand cmd)
                {
                    var {|PGB007:reader|} = cmd.ExecuteReader();
                    var table = new DataTable();
                    table.Load(reader);
                    return table;
                }
            }
            """);

    [Fact]
    public Task Owned_reader_parameter_must_be_disposed_and_a_borrowed_one_need_not()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                int Owned([Owned] NpgsqlDataReader {|PGB007:reader|})
                    => reader.Read() ? reader.GetInt32(0) : 0;

                int OwnedDisposed([Owned] NpgsqlDataReader reader)
                {
                    using (reader)
                        return reader.Read() ? reader.GetInt32(0) : 0;
                }

                int Borrowed(NpgsqlDataReader reader)
                    => reader.Read() ? reader.GetInt32(0) : 0;
            }
            """);

    [Fact]
    public Task Assigning_to_another_local_moves_the_check_to_that_local()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                void Good(NpgsqlCommand cmd)
                {
                    var reader = cmd.ExecuteReader();
                    var current = reader;
                    current.Dispose();
                }

                void Bad(NpgsqlCommand cmd)
                {
                    var reader = cmd.ExecuteReader();
                    var {|PGB007:current|} = reader;
                    current.Read();
                }
            }
            """);

    [Fact]
    public Task Batch_and_ado_net_declared_readers_are_tracked()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                void Batch(NpgsqlConnection conn)
                {
                    using var batch = new NpgsqlBatch(conn);
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT id FROM orders"));
                    var {|PGB007:reader|} = batch.ExecuteReader();
                    reader.Read();
                }

                async Task AdoNet(NpgsqlCommand cmd)
                {
                    DbDataReader {|PGB007:reader|} = await cmd.ExecuteReaderAsync();
                    await reader.ReadAsync();
                }
            }
            """);

    [Fact]
    public Task Disposing_or_closing_the_local_connection_closes_its_readers()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                int Disposed(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    var reader = select.ExecuteReader();
                    reader.Read();
                    var id = reader.GetInt32(0);
                    conn.Dispose();
                    return id;
                }

                void ClosedAndReopened(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    var reader = select.ExecuteReader();
                    conn.Close();
                    conn.Open();
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    update.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Commands_on_an_unnamed_or_different_connection_and_exception_paths_are_not_reported()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                async Task DataSourceCommand(NpgsqlDataSource dataSource, NpgsqlConnection conn)
                {
                    await using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    await using var reader = await select.ExecuteReaderAsync();
                    await using var update = dataSource.CreateCommand("UPDATE orders SET shipped = true");
                    await update.ExecuteNonQueryAsync();
                }

                void ExceptionPathsOnly(NpgsqlCommand select, Action<int> process)
                {
                    var reader = select.ExecuteReader();
                    while (reader.Read())
                        process(reader.GetInt32(0));
                    reader.Dispose();
                }
            }
            """);

    [Fact]
    public Task Dapper_call_on_the_connection_while_reading_is_reported()
        => VerifyPgb007.AnalyzerAsync("""
            using Dapper;

            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn)
                {
                    await using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    await using var reader = await select.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                        await {|PGB007:conn.ExecuteAsync("UPDATE orders SET shipped = true WHERE id = @id", new { id = reader.GetInt32(0) })|};
                }

                async Task ShipRightAsync(NpgsqlConnection conn)
                {
                    var ids = new List<int>();
                    await using (var select = new NpgsqlCommand("SELECT id FROM orders", conn))
                    await using (var reader = await select.ExecuteReaderAsync())
                    {
                        while (await reader.ReadAsync())
                            ids.Add(reader.GetInt32(0));
                    }
                    await conn.ExecuteAsync("UPDATE orders SET shipped = true WHERE id = ANY(@ids)", new { ids });
                }
            }
            """);

    [Fact]
    public Task Null_conditional_dispose_and_is_not_null_checks_in_finally_are_understood()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                void ConditionalDispose(NpgsqlCommand cmd)
                {
                    NpgsqlDataReader? reader = null;
                    try
                    {
                        reader = cmd.ExecuteReader();
                        reader.Read();
                    }
                    finally
                    {
                        reader?.Dispose();
                    }
                }

                void IsNotNull(NpgsqlCommand cmd)
                {
                    NpgsqlDataReader? reader = null;
                    try
                    {
                        reader = cmd.ExecuteReader();
                        reader.Read();
                    }
                    finally
                    {
                        if (reader is not null)
                            reader.Close();
                    }
                }
            }
            """);

    [Fact]
    public Task Switch_and_goto_paths_that_skip_the_dispose_are_reported()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                string Switch(NpgsqlCommand cmd, int kind)
                {
                    var {|PGB007:reader|} = cmd.ExecuteReader();
                    switch (kind)
                    {
                        case 0:
                            reader.Dispose();
                            return "none";
                        case 1:
                            return "one";
                        default:
                            reader.Close();
                            return "many";
                    }
                }

                void Goto(NpgsqlCommand cmd, bool skip)
                {
                    var {|PGB007:reader|} = cmd.ExecuteReader();
                    if (skip)
                        goto done;
                    reader.Dispose();
                done:
                    Console.WriteLine("done");
                }
            }
            """);

    [Fact]
    public Task Code_with_a_missing_semicolon_still_reports_both_forms()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                void Ship(NpgsqlConnection conn)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    var {|PGB007:reader|} = select.ExecuteReader(){|CS1002:|}
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    {|PGB007:update.ExecuteNonQuery()|};
                }
            }
            """);

    [Fact]
    public Task Method_with_hundreds_of_branches_is_still_analysed()
    {
        var branches = string.Join("\n", Enumerable.Range(0, 300).Select(i => $$"""
                    if (ids[{{i % 7}}] == {{i}})
                        total += {{i}};
            """));
        return VerifyPgb007.AnalyzerAsync($$"""
            class Huge
            {
                int Run(NpgsqlConnection conn, int[] ids)
                {
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    using var reader = select.ExecuteReader();
                    var total = 0;
            {{branches}}
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    {|PGB007:update.ExecuteNonQuery()|};
                    return total;
                }
            }
            """);
    }

    [Fact]
    public Task Binary_copy_left_open_or_overlapping_another_command_is_reported()
        => VerifyPgb007.AnalyzerAsync("""
            class Imports
            {
                async Task LeakAsync(NpgsqlConnection conn, long[] ids, CancellationToken ct)
                {
                    var {|#0:importer|} = await conn.BeginBinaryImportAsync("COPY t (id) FROM STDIN (FORMAT BINARY)", ct);
                    foreach (var id in ids)
                        await importer.WriteRowAsync(ct, id);
                }

                async Task OverlapAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var importer = await conn.BeginBinaryImportAsync("COPY t (id) FROM STDIN (FORMAT BINARY)", ct);
                    await importer.WriteRowAsync(ct, 1L);
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    await {|#1:cmd.ExecuteNonQueryAsync(ct)|};
                    await importer.CompleteAsync(ct);
                }

                async Task RightAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using (var importer = await conn.BeginBinaryImportAsync("COPY t (id) FROM STDIN (FORMAT BINARY)", ct))
                    {
                        await importer.WriteRowAsync(ct, 1L);
                        await importer.CompleteAsync(ct);
                    }
                    var exporter = conn.BeginBinaryExport("COPY t (id) TO STDOUT (FORMAT BINARY)");
                    while (exporter.StartRow() != -1)
                        exporter.Read<long>();
                    exporter.Dispose();
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB007", DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
                "COPY operation", "importer", "when the method returns on line 14: it is never disposed", Remedy("when the method returns", "'await using'")),
            new DiagnosticResult("PGB007", DiagnosticSeverity.Warning).WithLocation(1).WithArguments(
                "COPY operation", "importer", "when 'ExecuteNonQueryAsync' runs another command on connection 'conn' on line 23", Remedy("when", "'await using'")));
}
