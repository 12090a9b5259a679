using System;
using PgBorrow;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// The 10-column row every contender reads (and the bulk-insert benchmarks write). A plain class with
/// settable properties, so Dapper, Dapper.AOT and PgBorrow all materialize the same type the same way.
/// Table: <see cref="BenchDatabase.ReadTable"/>.
/// </summary>
[PgRow]
public sealed partial class BenchRow
{
    public long Id { get; set; }                 // bigint
    public int Quantity { get; set; }            // integer
    public string Name { get; set; } = "";       // text
    public string? Note { get; set; }            // text, NULL on every third row
    public decimal Amount { get; set; }          // numeric(12,2)
    public DateTime CreatedAt { get; set; }      // timestamptz (read as UTC)
    public bool IsActive { get; set; }           // boolean
    public Guid ExternalId { get; set; }         // uuid
    public double Score { get; set; }            // double precision
    public DateOnly DueDate { get; set; }        // date

    /// <summary>Field-by-field equality, for the verify mode.</summary>
    public bool SameAs(BenchRow other)
        => Id == other.Id && Quantity == other.Quantity && Name == other.Name && Note == other.Note
           && Amount == other.Amount && CreatedAt == other.CreatedAt && CreatedAt.Kind == other.CreatedAt.Kind
           && IsActive == other.IsActive && ExternalId == other.ExternalId && Score.Equals(other.Score)
           && DueDate == other.DueDate;

    /// <summary>A deterministic row for id <paramref name="id"/>.</summary>
    public static BenchRow Make(long id)
    {
        var i = (int)(id % 1_000_003);
        return new BenchRow
        {
            Id = id,
            Quantity = (i * 7) % 1000,
            Name = "customer-" + (id % 5000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Note = id % 3 == 0 ? null : "note for row " + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Amount = (i % 100_000) / 100m + 0.25m,
            CreatedAt = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(id * 37),
            IsActive = id % 2 == 0,
            ExternalId = new Guid((int)id, (short)(id >> 32), 0x4a5b, 1, 2, 3, 4, 5, 6, 7, 8),
            Score = i * 0.5 + 0.125,
            DueDate = new DateOnly(2025, 1, 1).AddDays(i % 3650),
        };
    }
}
