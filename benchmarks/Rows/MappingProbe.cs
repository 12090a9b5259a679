using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Dapper;
using Npgsql;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// <c>map-probe [passes]</c>: the mapping alone, without the query around it. For every row of the
/// 100,000-row result, the row is mapped by each contender in turn (hand-written ordinal code, the
/// generated <c>Read</c> called the way PgQueryCore calls it, through a type parameter, and Dapper's
/// row parser), in an order that rotates from row to row, each call timed with
/// <see cref="Stopwatch.GetTimestamp"/>. All contenders read the same row from the same buffer, so
/// load on the machine and server time fall on all of them alike.
/// </summary>
internal static class MappingProbe
{
    private const int Contenders = 5;
    private static readonly string[] Names =
    [
        "hand-written (constant ordinals)",
        "PgBorrow generated Read, through T (as PgQueryCore calls it)",
        "Dapper row parser (GetRowParser<T>)",
        "decomposition: hand-written + ordinals from PgOrdinals",
        "decomposition: + try/catch and member tracking (= the generated body, called directly)",
    ];

    public static async Task<int> RunAsync(int passes)
    {
        await using var dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await BenchDatabase.EnsureSeededAsync(connection);

        DefaultTypeMap.MatchNamesWithUnderscores = true; // as in the Dapper contender: created_at -> CreatedAt
        var perPass = new List<double[]>();
        for (var pass = 0; pass < passes + 1; pass++)
        {
            var ticks = Pass<BenchRow>(connection);
            if (pass == 0)
                continue; // warm-up: JIT, tiering
            // A preemption (the machine is shared) hits a few rows of one contender by milliseconds
            // and would swamp a plain mean: drop the slowest 1% of rows, average the rest (the timer
            // ticks in steps of about 10 ns, too coarse for a median of single rows).
            perPass.Add(ticks.Select(t => TrimmedMean(t) * 1e9 / Stopwatch.Frequency).ToArray());
        }

        Console.WriteLine($"Mapping only, 100,000 rows x {passes} passes (after 1 warm-up pass); ns per row (mean of each pass without its slowest 1% of rows), timer overhead (~20-30 ns) included alike:");
        Console.WriteLine();
        Console.WriteLine("| Mapping | ns per row, median of passes | min | max | Ratio to hand-written, median of passes [min–max] |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        for (var c = 0; c < Contenders; c++)
        {
            var values = perPass.Select(p => p[c]).ToList();
            var ratios = perPass.Select(p => p[c] / p[0]).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Names[c]} | {Stats.Median(values):F1} | {values.Min():F1} | {values.Max():F1} | {Stats.Median(ratios):F3} [{ratios.Min():F3}–{ratios.Max():F3}] |"));
        }

        return 0;
    }

    private static long[][] Pass<T>(NpgsqlConnection connection)
        where T : IPgRow<T>
    {
        var ticks = new long[Contenders][];
        for (var c = 0; c < Contenders; c++)
            ticks[c] = new long[BenchDatabase.SeededRows];
        using var command = new NpgsqlCommand(BenchDatabase.Select100000, connection);
        using var reader = command.ExecuteReader();
        var ordinals = T.GetOrdinals(reader);
        var dapper = reader.GetRowParser<BenchRow>();
        var rows = 0;
        long checksum = 0;
        while (reader.Read())
        {
            for (var k = 0; k < Contenders; k++)
            {
                var c = (rows + k) % Contenders;
                var start = Stopwatch.GetTimestamp();
                object row = c switch
                {
                    0 => HandWritten(reader),
                    1 => Generated<T>(reader, ordinals),
                    2 => dapper(reader),
                    3 => WithOrdinals(reader, ordinals),
                    _ => WithOrdinalsAndTryCatch(reader, ordinals),
                };
                ticks[c][rows] = Stopwatch.GetTimestamp() - start;
                checksum += ((BenchRow)row).Id;
            }

            rows++;
        }

        if (rows != BenchDatabase.SeededRows || checksum != (long)Contenders * rows * (rows + 1) / 2)
            throw new InvalidOperationException("The contenders read different rows.");
        return ticks;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T Generated<T>(NpgsqlDataReader reader, PgOrdinals ordinals)
        where T : IPgRow<T>
        => T.Read(reader, ordinals);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BenchRow HandWritten(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Quantity = reader.GetInt32(1),
        Name = reader.GetString(2),
        Note = reader.IsDBNull(3) ? null : reader.GetString(3),
        Amount = reader.GetDecimal(4),
        CreatedAt = reader.GetDateTime(5),
        IsActive = reader.GetBoolean(6),
        ExternalId = reader.GetGuid(7),
        Score = reader.GetDouble(8),
        DueDate = reader.GetFieldValue<DateOnly>(9),
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BenchRow WithOrdinals(NpgsqlDataReader reader, PgOrdinals ordinals)
    {
        var ordinal3 = ordinals[3];
        return new()
        {
            Id = reader.GetInt64(ordinals[0]),
            Quantity = reader.GetInt32(ordinals[1]),
            Name = reader.GetString(ordinals[2]),
            Note = reader.IsDBNull(ordinal3) ? null : reader.GetString(ordinal3),
            Amount = reader.GetDecimal(ordinals[4]),
            CreatedAt = reader.GetDateTime(ordinals[5]),
            IsActive = reader.GetBoolean(ordinals[6]),
            ExternalId = reader.GetGuid(ordinals[7]),
            Score = reader.GetDouble(ordinals[8]),
            DueDate = reader.GetFieldValue<DateOnly>(ordinals[9]),
        };
    }

    // The same shape as the generated Read: locals, a member counter for the error message, and an
    // exception filter; only the type-parameter call around it is missing.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BenchRow WithOrdinalsAndTryCatch(NpgsqlDataReader reader, PgOrdinals ordinals)
    {
        var member = 0;
        try
        {
            long id = reader.GetInt64(ordinals[0]);
            member = 1;
            int quantity = reader.GetInt32(ordinals[1]);
            member = 2;
            string name = reader.GetString(ordinals[2]);
            member = 3;
            var ordinal3 = ordinals[3];
            string? note = reader.IsDBNull(ordinal3) ? null : reader.GetString(ordinal3);
            member = 4;
            decimal amount = reader.GetDecimal(ordinals[4]);
            member = 5;
            DateTime createdAt = reader.GetDateTime(ordinals[5]);
            member = 6;
            bool isActive = reader.GetBoolean(ordinals[6]);
            member = 7;
            Guid externalId = reader.GetGuid(ordinals[7]);
            member = 8;
            double score = reader.GetDouble(ordinals[8]);
            member = 9;
            DateOnly dueDate = reader.GetFieldValue<DateOnly>(ordinals[9]);
            return new BenchRow
            {
                Id = id, Quantity = quantity, Name = name, Note = note, Amount = amount,
                CreatedAt = createdAt, IsActive = isActive, ExternalId = externalId, Score = score, DueDate = dueDate,
            };
        }
        catch (Exception exception) when (PgRowMap.IsReadFailure(exception))
        {
            throw new InvalidOperationException("member " + member.ToString(CultureInfo.InvariantCulture), exception);
        }
    }

    private static double TrimmedMean(long[] values)
    {
        var sorted = (long[])values.Clone();
        Array.Sort(sorted);
        var keep = sorted.Length - sorted.Length / 100;
        double sum = 0;
        for (var i = 0; i < keep; i++)
            sum += sorted[i];
        return sum / keep;
    }
}
