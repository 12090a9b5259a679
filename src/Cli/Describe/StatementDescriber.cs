using System;
using System.Collections.Generic;
using System.Data;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Npgsql.Schema;
using PgBorrow.Analyzers.Sql;

namespace PgBorrow.Cli.Describe;

/// <summary>
/// Describes statements against a real server without running them.
/// <list type="bullet">
/// <item>Result columns: Npgsql's <see cref="CommandBehavior.SchemaOnly"/> sends Parse and Describe but no Execute,
/// so the server plans nothing and changes nothing; the RowDescription gives each column's name, type, table OID
/// and attribute number.</item>
/// <item>Parameter types: <c>PREPARE</c> (which does not run the statement either), then
/// <c>pg_prepared_statements.parameter_types</c>.</item>
/// <item>Nullability (conservative: "not nullable" must be proven): a column is not nullable only when it is a
/// plain table column (a table OID and an attribute number above 0) whose <c>pg_attribute.attnotnull</c> is set,
/// and the statement has no outer join (LEFT, RIGHT or FULL anywhere in its text). Expressions, aggregates,
/// literals, view columns and every column of a statement with an outer join are nullable.</item>
/// </list>
/// Each statement is described inside a transaction that is rolled back, as a second guard.
/// </summary>
public sealed class StatementDescriber
{
    private const string StatementName = "pgborrow_describe";
    private static readonly string[] OuterJoinWords = ["LEFT", "RIGHT", "FULL"];

    private readonly NpgsqlConnection _connection;

    /// <param name="connection">An open connection to the development database.</param>
    public StatementDescriber(NpgsqlConnection connection) => _connection = connection;

    public async Task<StatementDescription> DescribeAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken);
        try
        {
            var columns = await ReadColumnsAsync(sql, transaction, cancellationToken);
            var parameterTypes = await ReadParameterTypesAsync(sql, transaction, cancellationToken);
            return new StatementDescription(sql, parameterTypes, columns, null);
        }
        catch (PostgresException error)
        {
            return StatementDescription.Failed(sql, new DescribeError(error.MessageText, error.SqlState, error.Position));
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
    }

    private async Task<IReadOnlyList<DescribedColumn>> ReadColumnsAsync(string sql, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var raw = new List<(string Name, uint TypeOid, uint TableOid, short AttributeNumber)>();
        await using (var command = new NpgsqlCommand(sql, _connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(CommandBehavior.SchemaOnly, cancellationToken))
        {
            foreach (var column in (await reader.GetColumnSchemaAsync(cancellationToken)).Cast<NpgsqlDbColumn>())
                raw.Add((column.ColumnName, column.TypeOID, column.TableOID, column.ColumnAttributeNumber ?? 0));
        }
        if (raw.Count == 0)
            return [];

        // One round trip for every column's type name, table name and NOT NULL flag.
        const string Lookup = """
            SELECT format_type(c.type_oid, NULL),
                   CASE WHEN c.table_oid <> 0 THEN c.table_oid::regclass::text END,
                   COALESCE((SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = c.table_oid AND a.attnum = c.attnum AND c.attnum > 0), false)
            FROM unnest($1::oid[], $2::oid[], $3::int2[]) WITH ORDINALITY AS c(type_oid, table_oid, attnum, position)
            ORDER BY c.position
            """;
        await using var lookup = new NpgsqlCommand(Lookup, _connection, transaction);
        lookup.Parameters.Add(new NpgsqlParameter<uint[]> { TypedValue = raw.Select(c => c.TypeOid).ToArray(), DataTypeName = "oid[]" });
        lookup.Parameters.Add(new NpgsqlParameter<uint[]> { TypedValue = raw.Select(c => c.TableOid).ToArray(), DataTypeName = "oid[]" });
        lookup.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = raw.Select(c => c.AttributeNumber).ToArray() });
        var outerJoin = HasOuterJoin(sql);
        var columns = new List<DescribedColumn>(raw.Count);
        await using var rows = await lookup.ExecuteReaderAsync(cancellationToken);
        for (var i = 0; await rows.ReadAsync(cancellationToken); i++)
        {
            var (name, _, tableOid, attributeNumber) = raw[i];
            var notNull = rows.GetBoolean(2) && !outerJoin;
            columns.Add(new DescribedColumn(name, rows.GetString(0), tableOid, rows.IsDBNull(1) ? null : rows.GetString(1), attributeNumber, !notNull));
        }
        return columns;
    }

    private async Task<IReadOnlyList<string>> ReadParameterTypesAsync(string sql, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var prepare = new NpgsqlCommand($"PREPARE {StatementName} AS {sql}", _connection, transaction))
            await prepare.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            await using var read = new NpgsqlCommand(
                $"SELECT format_type(t.type_oid, NULL) FROM pg_prepared_statements s, unnest(s.parameter_types::oid[]) WITH ORDINALITY AS t(type_oid, position) WHERE s.name = '{StatementName}' ORDER BY t.position",
                _connection, transaction);
            var types = new List<string>();
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                types.Add(reader.GetString(0));
            return types;
        }
        finally
        {
            // Prepared statements outlive transactions: remove it, or the next PREPARE of the same name fails.
            await using var deallocate = new NpgsqlCommand($"DEALLOCATE {StatementName}", _connection, transaction);
            await deallocate.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static bool HasOuterJoin(string sql) =>
        SqlLexer.Lex(sql).Any(token => token.Kind == SqlTokenKind.Word && OuterJoinWords.Any(token.IsWord));
}
