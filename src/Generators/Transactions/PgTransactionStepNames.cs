namespace PgBorrow.Generators.Transactions;

/// <summary>The tracking names of the [PgTransaction] pipeline's steps (the incremental-cache tests assert on them).</summary>
internal static class PgTransactionStepNames
{
    /// <summary>A model per [PgTransaction] method, or null when the generator cannot implement it.</summary>
    public const string Models = "PgTransaction.Models";

    /// <summary>The models of the methods the generator implements.</summary>
    public const string ValidModels = "PgTransaction.ValidModels";

    /// <summary>The generated source per method: hint name and text.</summary>
    public const string Sources = "PgTransaction.Sources";

    public static readonly string[] All = { Models, ValidModels, Sources };
}
