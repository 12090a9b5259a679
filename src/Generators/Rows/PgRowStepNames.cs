namespace PgBorrow.Generators.Rows;

/// <summary>The tracking names of the [PgRow] pipeline's steps (the incremental-cache tests assert on them).</summary>
internal static class PgRowStepNames
{
    /// <summary>A model per [PgRow] type, or null when the type cannot be mapped.</summary>
    public const string Models = "PgRow.Models";

    /// <summary>The models of the types that can be mapped.</summary>
    public const string ValidModels = "PgRow.ValidModels";

    /// <summary>The generated source per type: hint name and text.</summary>
    public const string Sources = "PgRow.Sources";

    public static readonly string[] All = { Models, ValidModels, Sources };
}
