namespace PgBorrow.Generators.Queries;

/// <summary>The tracking names of the [PgQuery] pipeline's steps (the incremental-cache tests assert on them).</summary>
internal static class PgQueryStepNames
{
    /// <summary>A model per [PgQuery] method, or null when the generator cannot implement it.</summary>
    public const string Models = "PgQuery.Models";

    /// <summary>The models of the methods the generator implements.</summary>
    public const string ValidModels = "PgQuery.ValidModels";

    /// <summary>The generated source per method: hint name and text.</summary>
    public const string Sources = "PgQuery.Sources";

    public static readonly string[] All = { Models, ValidModels, Sources };
}
