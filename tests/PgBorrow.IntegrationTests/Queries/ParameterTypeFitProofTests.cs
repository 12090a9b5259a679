using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Queries;

/// <summary>
/// The parameter-type table PGB334 reports by (docs/guide/offline-checks.md, "Parameter types"), against the real
/// server: each C# value is sent exactly as a generated [PgQuery] sends it (<see cref="PgQueryStatement.Parameter{T}"/>)
/// into a column of each listed type, and the insert succeeds exactly where the table says the type fits; everywhere
/// else PostgreSQL refuses it with 42804 (datatype_mismatch), the failure the rule predicts.
/// </summary>
public sealed class ParameterTypeFitProofTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    private static readonly string[] Numbers = { "smallint", "integer", "bigint", "real", "double precision", "numeric" };
    private static readonly string[] Timestamps = { "timestamp with time zone", "timestamp without time zone", "date", "time without time zone" };
    private static readonly string[] Texts = { "text", "character varying" };

    /// <summary>The listed PostgreSQL types, each the type of one column of <c>fit_targets</c>.</summary>
    private static readonly string[] Targets =
    {
        "smallint", "integer", "bigint", "real", "double precision", "numeric", "boolean", "text", "character varying",
        "uuid", "bytea", "timestamp with time zone", "timestamp without time zone", "date", "time without time zone",
        "interval", "jsonb", "integer[]", "text[]",
    };

    /// <summary>Per C# value: how the generated code sends it, and the targets the table says it fits (every value fits the text types).</summary>
    private static readonly (string Type, Func<NpgsqlParameter> Parameter, string[] Fits)[] Values =
    {
        ("short", () => PgQueryStatement.Parameter((short)7), Numbers),
        ("int", () => PgQueryStatement.Parameter(7), Numbers),
        ("long", () => PgQueryStatement.Parameter(7L), Numbers),
        ("float", () => PgQueryStatement.Parameter(7f), Numbers),
        ("double", () => PgQueryStatement.Parameter(7d), Numbers),
        ("decimal", () => PgQueryStatement.Parameter(7m), Numbers),
        ("bool", () => PgQueryStatement.Parameter(true), new[] { "boolean" }),
        ("string", () => PgQueryStatement.Parameter("7"), Array.Empty<string>()),
        ("Guid", () => PgQueryStatement.Parameter(Guid.NewGuid()), new[] { "uuid" }),
        ("byte[]", () => PgQueryStatement.Parameter(new byte[] { 7 }), new[] { "bytea" }),
        ("DateTime (Utc)", () => PgQueryStatement.Parameter(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)), Timestamps),
        ("DateTime (Unspecified)", () => PgQueryStatement.Parameter(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Unspecified)), Timestamps),
        ("DateTimeOffset", () => PgQueryStatement.Parameter(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)), Timestamps),
        ("DateOnly", () => PgQueryStatement.Parameter(new DateOnly(2026, 1, 2)), new[] { "date", "timestamp with time zone", "timestamp without time zone" }),
        ("TimeOnly", () => PgQueryStatement.Parameter(new TimeOnly(3, 4, 5)), new[] { "time without time zone", "interval" }),
        ("TimeSpan", () => PgQueryStatement.Parameter(TimeSpan.FromHours(1)), new[] { "time without time zone", "interval" }),
        ("int[]", () => PgQueryStatement.Parameter(new[] { 7 }), new[] { "integer[]", "text[]" }),
        ("List<string>", () => PgQueryStatement.Parameter(new List<string> { "a" }), new[] { "text[]" }),
    };

    private static string ColumnOf(string target) => "c_" + target.Replace("[]", "_array", StringComparison.Ordinal).Replace(' ', '_');

    protected override async Task SetUpAsync()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var columns = string.Join(", ", Targets.Select(target => $"{ColumnOf(target)} {target}"));
        await using var command = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS fit_targets ({columns})", connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    [PgFact]
    public async Task A_generated_query_s_parameter_is_accepted_exactly_where_the_table_says_it_fits()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var differences = new List<string>();
        foreach (var (type, parameter, fits) in Values)
        {
            foreach (var target in Targets)
            {
                var expected = fits.Contains(target) || Texts.Contains(target);
                await transaction.SaveAsync("attempt", Ct);
                string? refused = null;
                try
                {
                    await using var insert = new NpgsqlCommand($"INSERT INTO fit_targets ({ColumnOf(target)}) VALUES ($1)", connection, transaction);
                    insert.Parameters.Add(parameter());
                    await insert.ExecuteNonQueryAsync(Ct);
                }
                catch (PostgresException exception)
                {
                    refused = exception.SqlState;
                }
                await transaction.RollbackAsync("attempt", Ct);
                if (expected && refused is not null)
                    differences.Add($"{type} into {target}: refused with {refused}, and the table says it fits");
                else if (!expected && refused != PostgresErrorCodes.DatatypeMismatch)
                    differences.Add($"{type} into {target}: {(refused is null ? "accepted" : "refused with " + refused)}, and the table says 42804");
            }
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }
}
